import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RedisServer, startRedisServer } from '@rxllm/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisSpendStore } from '../generation/spend.js';
import { postJson, readSse, startTestAgent, type TestAgent } from '../test-helpers.js';

const keys = {
  a: 'sk-team-a-0123456789abcdef',
  b: 'sk-team-b-0123456789abcdef',
  c: 'sk-team-c-0123456789abcdef',
  d: 'sk-team-d-0123456789abcdef',
};
const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
// gpt-4.1-mini: $0.40 input, $1.60 output per million tokens; 1,000 in + 100 out = $0.00056.
const usage = { inputTokens: 1_000, outputTokens: 100 };

async function keysFile(value: unknown): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'rxllm-keys-')), 'keys.json');
  await writeFile(file, JSON.stringify(value));
  return file;
}

type Event = { type: string; error?: { kind: string; message: string } };

describe('AGENT_KEYS: named keys with models, rate limits and budgets', () => {
  let harness: TestAgent;
  beforeAll(async () => {
    const file = await keysFile([
      { key: keys.a, name: 'team-a', models: ['openai'], dailyBudgetUsd: 0.0005 },
      { key: keys.b, name: 'team-b', rateLimitPerMinute: 2 },
      { key: keys.c, name: 'team-c', monthlyBudgetUsd: 0.0001 },
      { key: keys.d, name: 'team-d', models: ['openai/gpt-4.1-mini', 'simulated'] },
    ]);
    harness = await startTestAgent({
      AGENT_KEYS: file,
      AGENT_API_KEY: 'agent-key-MARKER-default',
      OPENAI_MODEL: 'gpt-4.1-mini',
    });
  });
  afterAll(() => harness.close());
  const chat = (key: string | undefined, body: unknown) =>
    postJson(`${harness.agent.url}/chat`, body, key ? bearer(key) : {});

  it('every key of the file and AGENT_API_KEY are taken; no key or an unknown one is a 401', async () => {
    for (const key of [keys.b, keys.d, 'agent-key-MARKER-default']) {
      harness.upstream.enqueue({ events: [{ type: 'text', text: 'ok' }] });
      const response = await chat(key, { provider: 'openai', message: 'Hi' });
      expect(response.status).toBe(200);
      await response.text();
    }
    expect((await chat(undefined, { message: 'Hi' })).status).toBe(401);
    expect((await chat('sk-team-z-0123456789abcdef', { message: 'Hi' })).status).toBe(401);
  });

  it('a model the key may not use is a 403 forbidden naming what it may use, before any upstream request', async () => {
    const before = harness.upstream.requests.length;
    const response = await chat(keys.a, { provider: 'anthropic', message: 'Hi' });
    expect(response.status).toBe(403);
    const body = (await response.json()) as { error: { kind: string; message: string } };
    expect(body.error.kind).toBe('forbidden');
    expect(body.error.message).toContain('team-a');
    expect(body.error.message).toContain('allowed: openai');
    harness.upstream.enqueue({ events: [{ type: 'text', text: 'ok' }] });
    const pair = await postJson(
      `${harness.agent.url}/v1/chat/completions`,
      { model: 'openai/gpt-4.1-mini', messages: [{ role: 'user', content: 'Hi' }] },
      bearer(keys.d),
    );
    expect(pair.status).toBe(200);
    await pair.text();
    // Only the allowed request went upstream.
    expect(harness.upstream.requests.length).toBe(before + 1);
  });

  it('a key over its own rate limit gets 429 rate-limit', async () => {
    const statuses: number[] = [];
    for (let index = 0; index < 3; index += 1) {
      const response = await chat(keys.b, { provider: 'simulated', message: `rate ${index}` });
      statuses.push(response.status);
      await response.text();
    }
    // One of team-b's two was spent in the first test.
    expect(statuses).toEqual([200, 429, 429]);
  });

  it('a key that spent its daily budget is refused with budget-exceeded (429, do not retry), nothing goes upstream', async () => {
    harness.upstream.enqueue({ events: [{ type: 'text', text: 'paid' }], usage });
    const first = await chat(keys.a, { provider: 'openai', message: 'first' });
    expect(first.status).toBe(200);
    await first.text();
    const before = harness.upstream.requests.length;
    const refused = await chat(keys.a, { provider: 'openai', message: 'second' });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-should-retry')).toBe('false');
    const body = (await refused.json()) as { error: { kind: string; message: string } };
    expect(body.error).toMatchObject({ kind: 'budget-exceeded' });
    expect(body.error.message).toContain('daily budget');
    expect(harness.upstream.requests.length).toBe(before);
    const openai = await postJson(
      `${harness.agent.url}/v1/chat/completions`,
      { model: 'openai', messages: [{ role: 'user', content: 'Hi' }] },
      bearer(keys.a),
    );
    expect(openai.status).toBe(429);
    expect(((await openai.json()) as { error: { type: string } }).error.type).toBe('insufficient_quota');
  });

  it('a stream that crosses its budget is ended with budget-exceeded and its upstream request aborted', async () => {
    harness.upstream.reset();
    harness.upstream.enqueue({
      events: Array.from({ length: 200 }, (_, index) => ({ type: 'text' as const, text: `word${index} ` })),
      delivery: { eventDelayMs: 5 },
    });
    const response = await chat(keys.c, { provider: 'openai', message: 'a long story' });
    expect(response.status).toBe(200);
    let errorSeenAt = 0;
    const events = (
      await readSse(response, (event) => {
        if ((event.data as Event).type === 'error') errorSeenAt = performance.now();
        return undefined;
      })
    ).map((event) => event.data as Event);
    const last = events.at(-1);
    expect(last?.type).toBe('error');
    expect(last?.error?.kind).toBe('budget-exceeded');
    expect(last?.error?.message).toContain('crossed the monthly budget of key "team-c"');
    const texts = events.filter((event) => event.type === 'text').length;
    expect(texts).toBeGreaterThan(0);
    expect(texts).toBeLessThan(200);
    const [upstreamRequest] = harness.upstream.requests;
    await upstreamRequest?.closed;
    expect(upstreamRequest?.closedEarlyAt).toBeDefined();
    const gap = (upstreamRequest?.closedEarlyAt ?? 0) - errorSeenAt;
    console.log(`[budget] crossing → upstream closed ${gap.toFixed(1)} ms after the client read the error event`);
    // The estimate was recorded as the key's spend: the next request is refused up front.
    const next = await chat(keys.c, { provider: 'openai', message: 'again' });
    expect(next.status).toBe(429);
  });

  it('never logs a key', () => {
    const logs = harness.logs.join('\n');
    for (const key of Object.values(keys)) expect(logs).not.toContain(key);
  });
});

describe('AGENT_KEYS files and the Redis spend', () => {
  it('a bad file stops the agent with the field at fault, never a key', async () => {
    const file = await keysFile([{ key: 'sk-short', name: 'x' }]);
    await expect(startTestAgent({ AGENT_KEYS: file })).rejects.toThrow(/AGENT_KEYS .*0\.key: must be at least 16/);
    await expect(startTestAgent({ AGENT_KEYS: file })).rejects.not.toThrow(/sk-short/);
  });

  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('on Redis, spend adds up across agents per UTC day and month, and the counters expire', async () => {
    const one = new Redis(redis.url);
    const two = new Redis(redis.url);
    try {
      const now = () => Date.UTC(2026, 11, 4, 12);
      await redisSpendStore(one, now).add('team-a', 0.25);
      await redisSpendStore(two, now).add('team-a', 0.5);
      expect(await redisSpendStore(one, now).spent('team-a')).toEqual({ day: 0.75, month: 0.75 });
      const nextDay = () => Date.UTC(2026, 11, 5, 1);
      expect(await redisSpendStore(one, nextDay).spent('team-a')).toEqual({ day: 0, month: 0.75 });
      expect(await one.pttl('rxllm:spend:team-a:2026-12-04')).toBeGreaterThan(0);
      expect(await one.pttl('rxllm:spend:team-a:2026-12')).toBeGreaterThan(0);
    } finally {
      one.disconnect();
      two.disconnect();
    }
  });
});
