import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { containsNoKey, startTestAgent, type TestAgent } from '../test-helpers.js';

interface Frame {
  type: string;
  id: number;
  text?: string;
  streamId?: string;
  responseId?: string;
  provider?: string;
  error?: { kind: string; message: string };
  metrics?: { chars: number };
}

const scripted = ['Ça ', 'va ', 'très ', 'bien 👍', ' — 你好'];

async function open(url: string, protocols?: string[]): Promise<WebSocket> {
  const socket = new WebSocket(`${url.replace('http', 'ws')}/ws`, protocols);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return socket;
}

function untilTerminal(socket: WebSocket): Promise<Frame[]> {
  return new Promise((resolve) => {
    const frames: Frame[] = [];
    const onMessage = (data: WebSocket.RawData) => {
      const frame = JSON.parse(data.toString()) as Frame;
      frames.push(frame);
      if (frame.type === 'done' || (frame.type === 'error' && frame.id !== 0)) {
        socket.off('message', onMessage);
        resolve(frames);
      }
    };
    socket.on('message', onMessage);
  });
}

describe('GET /ws', () => {
  let harness: TestAgent;
  beforeAll(async () => {
    harness = await startTestAgent({ MAX_BODY_BYTES: String(16 * 1024) });
  });
  afterAll(async () => {
    await harness.close();
  });

  for (const provider of ['openai', 'anthropic', 'gemini', 'google-genai', 'ollama']) {
    it(`${provider}: one frame per event with sequential ids, the exact multi-byte text, then done`, async () => {
      harness.upstream.enqueue({
        events: scripted.map((text) => ({ type: 'text' as const, text })),
        delivery: { split: 2 },
      });
      const socket = await open(harness.agent.url);
      const framesPromise = untilTerminal(socket);
      socket.send(JSON.stringify({ message: 'Hi', provider }));
      const frames = await framesPromise;
      expect(frames.map((frame) => frame.id)).toEqual(frames.map((_, index) => index + 1));
      expect(frames[0]).toMatchObject({ type: 'start', provider });
      expect(frames[0]?.streamId).toMatch(/^[0-9a-f-]{36}$/);
      const text = frames
        .filter((frame) => frame.type === 'text')
        .map((frame) => frame.text)
        .join('');
      expect(text).toBe(scripted.join(''));
      expect(frames.at(-1)?.type).toBe('done');
      socket.close();
    });
  }

  it('one generation at a time per socket; errors are frames and the socket stays open', async () => {
    harness.upstream.enqueue({ events: [{ type: 'text', text: 'slow' }], delivery: { firstByteDelayMs: 150 } });
    const socket = await open(harness.agent.url, ['rxllm']);
    expect(socket.protocol).toBe('rxllm');
    const frames: Frame[] = [];
    socket.on('message', (data) => frames.push(JSON.parse(data.toString())));
    const done = untilTerminal(socket);
    socket.send(JSON.stringify({ message: 'first' }));
    socket.send(JSON.stringify({ message: 'second' }));
    await done;
    const rejected = frames.find((frame) => frame.type === 'error' && frame.id === 0);
    expect(rejected?.error?.message).toMatch(/already running/);
    expect(frames.filter((frame) => frame.type === 'text').map((frame) => frame.text)).toEqual(['slow']);
    socket.close();
  });

  it('an upstream error before any chunk is an error frame with its kind', async () => {
    harness.upstream.enqueue({ httpError: { status: 429, message: 'slow down' } });
    const socket = await open(harness.agent.url);
    const framesPromise = untilTerminal(socket);
    socket.send(JSON.stringify({ message: 'Hi' }));
    const frames = await framesPromise;
    expect(frames.at(-1)).toMatchObject({ type: 'error', error: { kind: 'rate-limit' } });
    expect(containsNoKey(JSON.stringify(frames))).toBe(true);
    socket.close();
  });

  it('a frame over maxPayload closes the socket with 1009', async () => {
    const socket = await open(harness.agent.url);
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send(JSON.stringify({ message: 'x'.repeat(20 * 1024) }));
    expect(await closed).toBe(1009);
    expect((await fetch(`${harness.agent.url}/healthz`)).status).toBe(200);
  });

  it('more than 20 invalid messages in a row close the socket with 1008; a valid message resets the count', async () => {
    const socket = await open(harness.agent.url);
    const frames: Frame[] = [];
    socket.on('message', (data) => frames.push(JSON.parse(data.toString())));
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    const rejections = (count: number) =>
      vi.waitFor(() => expect(frames.filter((frame) => frame.id === 0).length).toBeGreaterThanOrEqual(count), {
        timeout: 2_000,
      });
    for (let index = 0; index < 15; index += 1) socket.send('{}');
    await rejections(15);
    harness.upstream.enqueue({ events: [{ type: 'text', text: 'ok' }] });
    const done = untilTerminal(socket);
    socket.send(JSON.stringify({ message: 'valid' }));
    expect((await done).at(-1)?.type).toBe('done');
    for (let index = 0; index < 15; index += 1) socket.send('not json');
    await rejections(30);
    expect(socket.readyState).toBe(WebSocket.OPEN);
    for (let index = 0; index < 10; index += 1) socket.send('{}');
    expect(await closed).toEqual({ code: 1008, reason: 'too many invalid messages' });
    // Twenty rejections after the valid message, then the close: never a frame per flooded message.
    expect(frames.filter((frame) => frame.id === 0).length).toBe(15 + 20);
    expect(frames.filter((frame) => frame.id === 0).every((frame) => frame.error?.kind === 'invalid-request')).toBe(
      true,
    );
  });

  it('a client flooding invalid frames without reading is dropped; others are still served', async () => {
    const flooder = await open(harness.agent.url);
    flooder.on('error', () => undefined);
    flooder.pause();
    const closed = new Promise<void>((resolve) => flooder.once('close', () => resolve()));
    const started = performance.now();
    let sent = 0;
    for (; sent < 5_000 && flooder.readyState === WebSocket.OPEN; sent += 1) {
      flooder.send('{}');
      if (sent % 500 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    console.info(
      `websocket flood: state ${flooder.readyState} ${sent} frames sent, dropped after ${(performance.now() - started).toFixed(0)} ms`,
    );
    expect(flooder.readyState).not.toBe(WebSocket.OPEN);
    flooder.terminate();
    harness.upstream.enqueue({ events: [{ type: 'text', text: 'still here' }] });
    const other = await open(harness.agent.url);
    const done = untilTerminal(other);
    other.send(JSON.stringify({ message: 'Hi' }));
    expect((await done).at(-1)?.type).toBe('done');
    other.close();
  }, 15_000);

  it('a plain GET /ws without upgrade is 426', async () => {
    const response = await fetch(`${harness.agent.url}/ws`);
    expect(response.status).toBe(426);
  });
});
