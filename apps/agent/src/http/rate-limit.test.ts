import { type RedisServer, startRedisServer } from '@rxllm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { postJson, startTestAgent, type TestAgent } from '../test-helpers.js';

const ask = (agent: TestAgent, headers: Record<string, string> = {}) =>
  postJson(`${agent.agent.url}/chat`, { message: 'Hi', stream: false }, headers);

async function expectLimited(response: Response) {
  expect(response.status).toBe(429);
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  // 2 per minute refills one token every 30 s.
  expect(retryAfter).toBeLessThanOrEqual(30);
  const body = (await response.json()) as { error: { kind: string; message: string } };
  expect(body.error.kind).toBe('rate-limit');
}

describe('rate limit in memory (RATE_LIMIT_PER_MINUTE=2)', () => {
  let harness: TestAgent;
  beforeAll(async () => {
    harness = await startTestAgent({ RATE_LIMIT_PER_MINUTE: '2' });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('the third request from one client is a 429 with Retry-After, on /chat and /v1/chat/completions alike', async () => {
    expect((await ask(harness)).status).toBe(200);
    expect((await ask(harness)).status).toBe(200);
    await expectLimited(await ask(harness));
    const openai = await postJson(`${harness.agent.url}/v1/chat/completions`, {
      model: 'openai',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(openai.status).toBe(429);
    expect(openai.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await openai.json()).toMatchObject({ error: { kind: 'rate-limit', type: 'rate_limit_exceeded' } });
    // Health and metrics are never limited.
    expect((await fetch(`${harness.agent.url}/healthz`)).status).toBe(200);
    // An unchecked bearer (no AGENT_API_KEY) must not buy a fresh bucket.
    expect((await ask(harness, { Authorization: 'Bearer anything-new' })).status).toBe(429);
  });

  it('a WebSocket upgrade over the limit is refused with 429', async () => {
    const socket = new WebSocket(`${harness.agent.url.replace('http', 'ws')}/ws`);
    const status = await new Promise<number>((resolve) => {
      socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.once('open', () => resolve(101));
    });
    expect(status).toBe(429);
  });
});

describe('rate limit per key with AGENT_API_KEY, on WebSocket messages', () => {
  let harness: TestAgent;
  beforeAll(async () => {
    harness = await startTestAgent({ RATE_LIMIT_PER_MINUTE: '2', RATE_LIMIT_BURST: '3', AGENT_API_KEY: 'k-123' });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('the upgrade and each generation take a token; over the limit the frame is a rate-limit error', async () => {
    const socket = new WebSocket(`${harness.agent.url.replace('http', 'ws')}/ws`, ['rxllm', 'rxllm.bearer.k-123']);
    await new Promise((resolve) => socket.once('open', resolve));
    const terminals: Array<{ type: string; id: number; error?: { kind: string } }> = [];
    const next = () =>
      new Promise<void>((resolve) => {
        const onMessage = (data: WebSocket.RawData) => {
          const frame = JSON.parse(data.toString());
          if (frame.type === 'done' || frame.type === 'error') {
            terminals.push(frame);
            socket.off('message', onMessage);
            resolve();
          }
        };
        socket.on('message', onMessage);
        socket.send(JSON.stringify({ message: 'Hi' }));
      });
    await next();
    await next();
    await next();
    expect(terminals.map((frame) => frame.type)).toEqual(['done', 'done', 'error']);
    expect(terminals[2]).toMatchObject({ id: 0, error: { kind: 'rate-limit' } });
    socket.close();
  });
});

describe('rate limit in Redis: two instances share one bucket', () => {
  let redis: RedisServer;
  let first: TestAgent;
  let second: TestAgent;
  beforeAll(async () => {
    redis = await startRedisServer();
    [first, second] = await Promise.all([
      startTestAgent({ RATE_LIMIT_PER_MINUTE: '3', REDIS_URL: redis.url }),
      startTestAgent({ RATE_LIMIT_PER_MINUTE: '3', REDIS_URL: redis.url }),
    ]);
  }, 20_000);
  afterAll(async () => {
    await Promise.all([first?.close(), second?.close()]);
    await redis?.stop();
  });

  it('two requests on one and one on the other use the bucket up; the next is a 429 on both', async () => {
    expect((await ask(first)).status).toBe(200);
    expect((await ask(first)).status).toBe(200);
    expect((await ask(second)).status).toBe(200);
    const limited = await ask(second);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await ask(first)).status).toBe(429);
  });
});

describe('an unreachable Redis', () => {
  let harness: TestAgent;
  beforeAll(async () => {
    // Port 1 on loopback: nothing listens there.
    harness = await startTestAgent({
      REDIS_URL: 'redis://:a-secret-MARKER@127.0.0.1:1',
      RESUMABLE_STREAMS: 'true',
      RATE_LIMIT_PER_MINUTE: '1',
    });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('/readyz is 503, a resumable POST /chat is a 503, and the URL (with its password) is never logged', async () => {
    const ready = await fetch(`${harness.agent.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'store-unreachable' });
    const started = performance.now();
    const response = await ask(harness);
    console.log(
      `POST /chat with Redis unreachable answered ${response.status} in ${(performance.now() - started).toFixed(0)} ms`,
    );
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { kind: 'overloaded' } });
    expect(harness.logs.join('\n')).not.toContain('a-secret-MARKER');
    expect(harness.upstream.requests).toHaveLength(0);
  });
});
