import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containsNoKey, postJson, readSse, startTestAgent, type TestAgent } from '../test-helpers.js';

const multiByteText = ['Grüße ', 'aus ', 'Köln 🌍', ' — 日本語', ' ok'];

describe('POST /chat over SSE, per provider, against the mock upstream', () => {
  let harness: TestAgent;
  beforeAll(async () => {
    harness = await startTestAgent();
  });
  afterAll(async () => {
    await harness.close();
  });

  for (const provider of ['openai', 'anthropic', 'gemini', 'google-genai', 'ollama']) {
    it(`${provider}: streams the scripted multi-byte text exactly, numbered, ending with done`, async () => {
      harness.upstream.enqueue({
        events: multiByteText.map((text) => ({ type: 'text' as const, text })),
        usage: { inputTokens: 5, outputTokens: 7 },
        delivery: { split: 3 },
      });
      const response = await postJson(`${harness.agent.url}/chat`, { message: 'Say hi', provider });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/event-stream');
      expect(response.headers.get('cache-control')).toContain('no-cache');
      expect(response.headers.get('x-accel-buffering')).toBe('no');
      expect(response.headers.get('content-encoding')).toBeNull();
      const streamId = response.headers.get('x-stream-id');
      expect(streamId).toMatch(/^[0-9a-f-]{36}$/);
      const events = await readSse(response);
      expect(events.map((event) => Number(event.id))).toEqual(events.map((_, index) => index + 1));
      const start = events[0]?.data as { type: string; provider: string; streamId: string };
      expect(start).toMatchObject({ type: 'start', provider, streamId });
      const text = events
        .filter((event) => event.event === 'text')
        .map((event) => (event.data as { text: string }).text)
        .join('');
      expect(text).toBe(multiByteText.join(''));
      const last = events.at(-1);
      expect(last?.event).toBe('done');
      const metrics = (last?.data as { metrics: Record<string, number> } | undefined)?.metrics ?? {};
      expect(metrics.chars).toBe(multiByteText.join('').length);
      expect(metrics.ttftMs).toBeGreaterThanOrEqual(0);
      expect(events.some((event) => event.event === 'finish')).toBe(true);
    });
  }

  for (const provider of ['openai', 'anthropic', 'gemini', 'google-genai', 'ollama']) {
    it(`${provider}: stream:false answers one JSON body with the same text, usage and metrics`, async () => {
      harness.upstream.enqueue({
        events: multiByteText.map((text) => ({ type: 'text' as const, text })),
        usage: { inputTokens: 3, outputTokens: 4 },
        delivery: { split: 3 },
      });
      const response = await postJson(`${harness.agent.url}/chat`, { message: 'Hi', stream: false, provider });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('application/json');
      const body = (await response.json()) as {
        text: string;
        finishReason: string;
        usage: { outputTokens: number };
        metrics: { chunks: number };
        provider: string;
      };
      expect(body.text).toBe(multiByteText.join(''));
      expect(body.provider).toBe(provider);
      expect(body.finishReason).toBe('stop');
      expect(body.usage.outputTokens).toBe(4);
      expect(body.metrics.chunks).toBe(multiByteText.length);
    });
  }

  it('model output cannot inject SSE events: newlines and U+2028 stay inside one data line', async () => {
    const evil = 'a\n\nevent: done\ndata: {}\r\n\u2028\u2029b';
    harness.upstream.enqueue({ events: [{ type: 'text', text: evil }] });
    const response = await postJson(`${harness.agent.url}/chat`, { message: 'Hi' });
    const raw = await response.text();
    const dataLines = raw.split('\n').filter((line) => line.startsWith('data: '));
    const textLine = dataLines.find((line) => line.includes('"type":"text"')) as string;
    expect(JSON.parse(textLine.slice(6)).text).toBe(evil);
    expect(raw).not.toContain('\u2028');
    expect(raw.match(/^event: done$/gm)).toHaveLength(1);
  });

  it('an upstream error before the first chunk becomes the HTTP status; 429 keeps Retry-After', async () => {
    harness.upstream.enqueue({ httpError: { status: 429, message: 'slow down', headers: { 'retry-after': '7' } } });
    const limited = await postJson(`${harness.agent.url}/chat`, { message: 'Hi' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(((await limited.json()) as { error: { kind: string } }).error.kind).toBe('rate-limit');

    harness.upstream.enqueue({ httpError: { status: 401, message: 'bad key' } });
    const auth = await postJson(`${harness.agent.url}/chat`, { message: 'Hi' });
    expect(auth.status).toBe(502);
    const authBody = await auth.text();
    expect(JSON.parse(authBody).error.kind).toBe('auth');
    expect(containsNoKey(authBody)).toBe(true);
  });

  it('an upstream error after the first chunk is an error event after the text already sent', async () => {
    harness.upstream.enqueue({
      events: [
        { type: 'text', text: 'partial ' },
        { type: 'error', status: 500, message: 'boom' },
      ],
    });
    const response = await postJson(`${harness.agent.url}/chat`, { message: 'Hi' });
    expect(response.status).toBe(200);
    const events = await readSse(response);
    const types = events.map((event) => event.event);
    expect(types.indexOf('text')).toBeLessThan(types.indexOf('error'));
    expect(types.at(-1)).toBe('error');
    expect((events.at(-1)?.data as { error: { kind: string } } | undefined)?.error.kind).toBe('overloaded');
  });

  it('a truncated upstream stream is an error, never a silent success', async () => {
    harness.upstream.enqueue({
      events: [
        { type: 'text', text: 'cut ' },
        { type: 'text', text: 'off' },
      ],
      omitTerminal: true,
    });
    const events = await readSse(await postJson(`${harness.agent.url}/chat`, { message: 'Hi' }));
    expect(events.at(-1)?.event).toBe('error');
  });

  it('logs the seed lines and never a key', () => {
    const all = harness.logs.join('\n');
    expect(all).toContain('Received message: Say hi');
    expect(all).toContain('Streaming response...');
    expect(all).toContain('First chunk received: \\"Grüße \\"');
    expect(all).toMatch(/Streaming complete - Total chunks: 5, Total length: \d+ characters/);
    expect(containsNoKey(all)).toBe(true);
  });
});
