import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { postJson, readSse, startTestAgent, type TestAgent } from '../test-helpers.js';

const slowScript = (count: number) => ({
  events: Array.from({ length: count }, (_, index) => ({ type: 'text' as const, text: `w${index} ` })),
  delivery: { eventDelayMs: 20 },
});

describe('a client that goes away aborts the upstream request', () => {
  let harness: TestAgent;
  beforeAll(async () => {
    harness = await startTestAgent();
  });
  afterAll(async () => {
    await harness.close();
  });

  for (const provider of ['openai', 'anthropic', 'gemini', 'google-genai', 'ollama']) {
    it(`SSE (${provider}): disconnecting after 3 chunks closes the upstream connection within 100 ms`, async () => {
      harness.upstream.reset();
      harness.upstream.enqueue(slowScript(200));
      const controller = new AbortController();
      const response = await postJson(
        `${harness.agent.url}/chat`,
        { message: 'long story', provider },
        {},
        controller.signal,
      );
      let texts = 0;
      await readSse(response, (event) => {
        if (event.event === 'text') texts += 1;
        return texts >= 3;
      }).catch(() => []);
      const abortedAt = performance.now();
      controller.abort();
      const [upstreamRequest] = await harness.upstream.waitForRequests(1);
      await upstreamRequest?.closed;
      const closedAt = upstreamRequest?.closedEarlyAt;
      expect(closedAt).toBeDefined();
      const latency = (closedAt as number) - abortedAt;
      console.log(`SSE ${provider} cancel → upstream close: ${latency.toFixed(1)} ms`);
      expect(latency).toBeLessThan(100);
      expect(upstreamRequest?.finishedAt).toBeUndefined();
    });
  }

  it('WebSocket: {"type":"cancel"} closes the upstream connection within 100 ms and the socket stays usable', async () => {
    harness.upstream.reset();
    harness.upstream.enqueue(slowScript(200), { events: [{ type: 'text', text: 'again' }] });
    const socket = new WebSocket(`${harness.agent.url.replace('http', 'ws')}/ws`);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const frames: Array<{ type: string; id: number; text?: string; error?: { kind: string } }> = [];
    let cancelledAt = 0;
    const cancelled = new Promise<void>((resolve) => {
      socket.on('message', (data) => {
        const frame = JSON.parse(data.toString());
        frames.push(frame);
        if (frame.type === 'text' && frames.filter((f) => f.type === 'text').length === 3) {
          cancelledAt = performance.now();
          socket.send(JSON.stringify({ type: 'cancel' }));
        }
        if (frame.type === 'error') resolve();
      });
    });
    socket.send(JSON.stringify({ message: 'long story' }));
    await cancelled;
    const [upstreamRequest] = await harness.upstream.waitForRequests(1);
    await upstreamRequest?.closed;
    const latency = (upstreamRequest?.closedEarlyAt as number) - cancelledAt;
    console.log(`WebSocket cancel → upstream close: ${latency.toFixed(1)} ms`);
    expect(latency).toBeLessThan(100);
    expect(frames.at(-1)).toMatchObject({ type: 'error', error: { kind: 'aborted' } });

    const second = new Promise<string>((resolve) => {
      let text = '';
      socket.on('message', (data) => {
        const frame = JSON.parse(data.toString());
        if (frame.type === 'text') text += frame.text;
        if (frame.type === 'done') resolve(text);
      });
    });
    socket.send(JSON.stringify({ message: 'again' }));
    expect(await second).toBe('again');
    socket.close();
  });

  it('WebSocket: closing the socket mid-stream aborts the upstream request', async () => {
    harness.upstream.reset();
    harness.upstream.enqueue(slowScript(200));
    const socket = new WebSocket(`${harness.agent.url.replace('http', 'ws')}/ws`);
    await new Promise((resolve) => socket.once('open', resolve));
    let closedAt = 0;
    socket.on('message', (data) => {
      if (JSON.parse(data.toString()).type === 'text' && closedAt === 0) {
        closedAt = performance.now();
        socket.terminate();
      }
    });
    socket.send(JSON.stringify({ message: 'long story' }));
    const [upstreamRequest] = await harness.upstream.waitForRequests(1);
    await upstreamRequest?.closed;
    const latency = (upstreamRequest?.closedEarlyAt as number) - closedAt;
    console.log(`WebSocket close → upstream close: ${latency.toFixed(1)} ms`);
    expect(latency).toBeLessThan(100);
  });

  it('logs a cancelled stream as 499 with the chunks delivered', () => {
    expect(harness.logs.join('\n')).toMatch(/Streaming cancelled \(499\)/);
  });
});
