import { type RedisServer, startRedisServer } from '@rxllm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { postJson, readSse, startTestAgent, type TestAgent } from '../test-helpers.js';

type Event = { type: string; text?: string; cache?: string; metrics?: { costUsd?: number | null } };

const words = (count: number) =>
  Array.from({ length: count }, (_, index) => ({ type: 'text' as const, text: `w${index} ` }));
const usage = { inputTokens: 100, outputTokens: 10 };

async function chat(harness: TestAgent, message: string, headers: Record<string, string> = {}) {
  const response = await postJson(`${harness.agent.url}/chat`, { provider: 'openai', message }, headers);
  const events = (await readSse(response)).map((event) => event.data as Event);
  return {
    status: response.status,
    cache: response.headers.get('x-cache'),
    events,
    text: events.map((event) => (event.type === 'text' ? event.text : '')).join(''),
  };
}

describe('the response cache (CACHE=memory)', () => {
  let harness: TestAgent;
  beforeAll(async () => {
    harness = await startTestAgent({ CACHE: 'memory', OPENAI_MODEL: 'gpt-4.1-mini' });
  });
  afterAll(() => harness.close());
  const upstreamCount = () => harness.upstream.requests.length;

  it('a miss goes upstream and is kept; the same request is then a hit: same answer, no upstream request, no cost', async () => {
    harness.upstream.enqueue({ events: words(5), usage });
    const first = await chat(harness, 'tell me once');
    expect(first.cache).toBe('miss');
    expect(first.events[0]).toMatchObject({ type: 'start', cache: 'miss' });
    expect(first.events.at(-1)?.metrics?.costUsd).toBeGreaterThan(0);
    const before = upstreamCount();
    const second = await chat(harness, 'tell me once');
    expect(second.cache).toBe('hit');
    expect(second.events[0]).toMatchObject({ type: 'start', cache: 'hit' });
    expect(second.text).toBe(first.text);
    expect(second.events.map((event) => event.type)).toEqual(first.events.map((event) => event.type));
    expect(upstreamCount()).toBe(before);
    expect(second.events.at(-1)?.metrics?.costUsd).toBe(0);
  });

  it('Cache-Control: no-cache skips the lookup and keeps the fresh answer; no-store neither reads nor keeps', async () => {
    harness.upstream.enqueue({ events: [{ type: 'text', text: 'old' }] });
    await chat(harness, 'refresh me');
    harness.upstream.enqueue({ events: [{ type: 'text', text: 'new' }] });
    const refreshed = await chat(harness, 'refresh me', { 'Cache-Control': 'no-cache' });
    expect(refreshed).toMatchObject({ cache: 'bypass', text: 'new' });
    expect((await chat(harness, 'refresh me')).text).toBe('new');

    harness.upstream.enqueue({ events: [{ type: 'text', text: 'private' }] });
    expect((await chat(harness, 'do not keep', { 'Cache-Control': 'no-store' })).cache).toBe('bypass');
    harness.upstream.enqueue({ events: [{ type: 'text', text: 'asked again' }] });
    expect(await chat(harness, 'do not keep')).toMatchObject({ cache: 'miss', text: 'asked again' });
  });

  it('a truncated stream, an upstream error and an abandoned stream are never kept', async () => {
    harness.upstream.enqueue({ events: words(3), omitTerminal: true });
    expect((await chat(harness, 'cut short')).events.at(-1)?.type).toBe('error');
    harness.upstream.enqueue({ httpError: { status: 400, message: 'bad' } });
    expect((await chat(harness, 'cut short')).status).toBe(400);
    harness.upstream.enqueue({ events: words(200), delivery: { eventDelayMs: 20 } });
    const controller = new AbortController();
    const response = await postJson(
      `${harness.agent.url}/chat`,
      { provider: 'openai', message: 'cut short' },
      {},
      controller.signal,
    );
    await readSse(response, (event) => (event.data as Event).type === 'text').catch(() => []);
    controller.abort();
    const [abandoned] = (await harness.upstream.waitForRequests(1)).slice(-1);
    await abandoned?.closed;
    harness.upstream.enqueue({ events: [{ type: 'text', text: 'whole' }] });
    expect(await chat(harness, 'cut short')).toMatchObject({ cache: 'miss', text: 'whole' });
  });

  it('every route uses it: /v1/chat/completions as JSON says X-Cache and replays the same answer', async () => {
    harness.upstream.enqueue({ events: [{ type: 'text', text: 'json answer' }] });
    const body = { model: 'openai/gpt-4.1-mini', messages: [{ role: 'user', content: 'as json' }] };
    const first = await postJson(`${harness.agent.url}/v1/chat/completions`, body);
    expect(first.headers.get('x-cache')).toBe('miss');
    const second = await postJson(`${harness.agent.url}/v1/chat/completions`, body);
    expect(second.headers.get('x-cache')).toBe('hit');
    const reply = (await second.json()) as { choices: Array<{ message: { content: string } }> };
    expect(reply.choices[0]?.message.content).toBe('json answer');
  });
});

describe('the response cache on Redis (CACHE=redis): agents share it', () => {
  let redis: RedisServer;
  let one: TestAgent;
  let two: TestAgent;
  beforeAll(async () => {
    redis = await startRedisServer();
    [one, two] = await Promise.all([
      startTestAgent({ CACHE: 'redis', REDIS_URL: redis.url }),
      startTestAgent({ CACHE: 'redis', REDIS_URL: redis.url }),
    ]);
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await redis?.stop();
  });

  it('what one agent recorded, the other replays without asking its upstream', async () => {
    one.upstream.enqueue({ events: words(4) });
    const first = await chat(one, 'shared question');
    expect(first.cache).toBe('miss');
    const second = await chat(two, 'shared question');
    expect(second).toMatchObject({ cache: 'hit', text: first.text });
    expect(two.upstream.requests).toHaveLength(0);
  });

  it('CACHE=redis without REDIS_URL is a configuration error that says what to set', () => {
    expect(() => loadConfig({ CACHE: 'redis' })).toThrow(/CACHE=redis needs REDIS_URL/);
    expect(() => loadConfig({ CACHE: 'disk' })).toThrow(/CACHE must be none, memory or redis/);
  });
});
