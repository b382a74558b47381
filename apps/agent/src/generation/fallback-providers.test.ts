import { type FaultProxy, faultProxy, type MockUpstream, mockUpstream } from '@rxllm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, readSse, startTestAgent, type TestAgent } from '../test-helpers.js';

type Event = { type: string; text?: string; from?: unknown; to?: unknown; mode?: string; reason?: unknown };

const textOf = (events: Event[]) =>
  events
    .filter((event) => event.type === 'text')
    .map((event) => event.text)
    .join('');

// The real openai and anthropic SDKs against the mock: openai's stream fails after its first words.
const cutShort = {
  events: [
    { type: 'text' as const, text: 'Once upon ' },
    { type: 'text' as const, text: 'a time ' },
    { type: 'error' as const, status: 500, message: 'The server had an error while processing your request' },
  ],
};

describe('FALLBACK_PROVIDERS with FALLBACK_AFTER_FIRST_CHUNK=continue', () => {
  let harness: TestAgent;
  beforeAll(async () => {
    harness = await startTestAgent({
      LLM_PROVIDER: 'openai',
      FALLBACK_PROVIDERS: 'anthropic,gemini,not-configured',
      FALLBACK_AFTER_FIRST_CHUNK: 'continue',
    });
  });
  afterAll(() => harness.close());

  it('a stream cut mid-answer goes on at Anthropic with the partial answer as a prefill: one answer, a failover event', async () => {
    harness.upstream.reset();
    harness.upstream.enqueue(cutShort, { events: [{ type: 'text', text: ' there was a gateway.' }] });
    const response = await postJson(`${harness.agent.url}/chat`, { message: 'Tell a story' });
    expect(response.status).toBe(200);
    const events = (await readSse(response)).map((event) => event.data as Event);
    expect(events.at(-1)?.type).toBe('done');
    expect(textOf(events)).toBe('Once upon a time there was a gateway.');
    const failover = events.find((event) => event.type === 'failover');
    expect(failover).toMatchObject({
      from: { provider: 'openai' },
      to: { provider: 'anthropic' },
      reason: { kind: 'overloaded' },
      mode: 'prefill',
    });
    expect(events.filter((event) => event.type === 'start')).toHaveLength(1);
    const [first, second] = harness.upstream.requests;
    expect(first?.vendor).toBe('openai');
    expect(second?.vendor).toBe('anthropic');
    const body = second?.body as { messages?: Array<{ role: string; content: unknown }> } | undefined;
    expect(body?.messages?.at(-1)).toEqual({ role: 'assistant', content: 'Once upon a time' });
    expect(harness.logs.join('\n')).toContain('FALLBACK_PROVIDERS: not-configured is not configured here');
  });

  it('the OpenAI-compatible route streams the one answer without a trace of the switch', async () => {
    harness.upstream.reset();
    harness.upstream.enqueue(cutShort, { events: [{ type: 'text', text: ' there was a gateway.' }] });
    const response = await postJson(`${harness.agent.url}/v1/chat/completions`, {
      model: 'openai',
      stream: true,
      messages: [{ role: 'user', content: 'Tell a story' }],
    });
    const frames = (await readSse(response)).map((event) => event.data);
    expect(frames.at(-1)).toBe('[DONE]');
    const content = frames
      .slice(0, -1)
      .map((frame) => (frame as { choices: Array<{ delta: { content?: string } }> }).choices[0]?.delta.content ?? '')
      .join('');
    expect(content).toBe('Once upon a time there was a gateway.');
  });
});

describe('FALLBACK_PROVIDERS before the first chunk only (the default)', () => {
  let harness: TestAgent;
  beforeAll(async () => {
    harness = await startTestAgent({ LLM_PROVIDER: 'openai', FALLBACK_PROVIDERS: 'gemini' });
  });
  afterAll(() => harness.close());

  it('an upstream failing before its first chunk is answered by the fallback; one failing after it stays an error', async () => {
    harness.upstream.reset();
    harness.upstream.enqueue(
      { httpError: { status: 503, message: 'down' } },
      { events: [{ type: 'text', text: 'from gemini' }] },
    );
    const answered = (await readSse(await postJson(`${harness.agent.url}/chat`, { message: 'Hi' }))).map(
      (event) => event.data as Event,
    );
    expect(textOf(answered)).toBe('from gemini');
    expect(harness.upstream.requests.map((request) => request.vendor)).toEqual(['openai', 'gemini']);
    harness.upstream.enqueue(cutShort);
    const cut = (await readSse(await postJson(`${harness.agent.url}/chat`, { message: 'Hi' }))).map(
      (event) => event.data as Event,
    );
    expect(cut.at(-1)?.type).toBe('error');
    expect(cut.some((event) => event.type === 'failover')).toBe(false);
  });
});

describe('continue after a connection reset by the fault proxy (a real TCP cut between the agent and OpenAI)', () => {
  let upstream: MockUpstream;
  let proxy: FaultProxy;
  let harness: TestAgent;
  beforeAll(async () => {
    upstream = await mockUpstream();
    // The OpenAI connections go through the proxy, which resets them after 1,500 bytes of the reply.
    proxy = await faultProxy({ target: upstream.url, faults: { resetAfterBytes: 1_500 } });
    harness = await startTestAgent({
      LLM_PROVIDER: 'openai',
      OPENAI_BASE_URL: `${proxy.url}/v1`,
      ANTHROPIC_BASE_URL: upstream.baseURLs.anthropic,
      FALLBACK_PROVIDERS: 'anthropic',
      FALLBACK_AFTER_FIRST_CHUNK: 'continue',
    });
  });
  afterAll(async () => {
    await harness?.close();
    await proxy?.close();
    await upstream?.close();
  });

  it('the text that arrived before the reset, then Anthropic continuing it from exactly there', async () => {
    upstream.enqueue(
      {
        events: Array.from({ length: 60 }, (_, index) => ({ type: 'text' as const, text: `word${index} ` })),
        delivery: { eventDelayMs: 2 },
      },
      { events: [{ type: 'text', text: ' and the rest.' }] },
    );
    const events = (await readSse(await postJson(`${harness.agent.url}/chat`, { message: 'Count' }))).map(
      (event) => event.data as Event,
    );
    expect(events.at(-1)?.type).toBe('done');
    const switchAt = events.findIndex((event) => event.type === 'failover');
    expect(switchAt).toBeGreaterThan(0);
    expect(events[switchAt]).toMatchObject({
      from: { provider: 'openai' },
      to: { provider: 'anthropic' },
      mode: 'prefill',
    });
    const before = textOf(events.slice(0, switchAt));
    expect(before).toMatch(/^word0 word1 /);
    expect(before.length).toBeLessThan(60 * 7);
    expect(textOf(events.slice(switchAt))).toBe('and the rest.');
    expect(proxy.connections[0]?.closeReason).toBe('reset');
    const anthropic = upstream.requests.find((request) => request.vendor === 'anthropic');
    const body = anthropic?.body as { messages?: Array<{ role: string; content: unknown }> } | undefined;
    expect(body?.messages?.at(-1)).toEqual({ role: 'assistant', content: before.trimEnd() });
  });
});
