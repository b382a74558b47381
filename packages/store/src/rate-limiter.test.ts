import { type RedisServer, startRedisServer } from '@rxllm/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryRateLimiter, redisRateLimiter } from './rate-limiter.js';

describe('memoryRateLimiter', () => {
  it('allows a burst of capacity, then refills at the given rate', async () => {
    let now = 0;
    const limiter = memoryRateLimiter({ capacity: 3, refillPerSecond: 2, now: () => now });
    const results = [];
    for (let index = 0; index < 4; index++) results.push(await limiter.take('ip'));
    expect(results.map((result) => result.allowed)).toEqual([true, true, true, false]);
    expect(results[3]?.retryAfterMs).toBe(500);
    expect((await limiter.take('other')).allowed).toBe(true);
    now = 500;
    expect((await limiter.take('ip')).allowed).toBe(true);
    expect((await limiter.take('ip')).allowed).toBe(false);
  });

  it('forgets the least recently used keys beyond maxKeys', async () => {
    const limiter = memoryRateLimiter({ capacity: 1, refillPerSecond: 0.001, maxKeys: 2, now: () => 0 });
    await limiter.take('a');
    await limiter.take('b');
    await limiter.take('c');
    expect((await limiter.take('a')).allowed).toBe(true);
    expect((await limiter.take('c')).allowed).toBe(false);
  });
});

describe('redisRateLimiter', () => {
  let server: RedisServer;
  const clients: Redis[] = [];
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await server.stop();
  });

  it('shares one bucket per key across instances', async () => {
    const first = new Redis(server.url);
    const second = new Redis(server.url);
    clients.push(first, second);
    const options = { capacity: 4, refillPerSecond: 0.01 };
    const a = redisRateLimiter(first, options);
    const b = redisRateLimiter(second, options);
    const allowed = [];
    for (let index = 0; index < 3; index++)
      allowed.push((await a.take('client')).allowed, (await b.take('client')).allowed);
    expect(allowed).toEqual([true, true, true, true, false, false]);
    const denied = await a.take('client');
    expect(denied.retryAfterMs).toBeGreaterThan(90_000);
    expect((await b.take('someone-else')).allowed).toBe(true);
  });
});
