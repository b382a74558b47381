import { Buffer } from 'node:buffer';
import { type RedisServer, startRedisServer } from '@rxllm/testing';
import { Redis } from 'ioredis';
import { defer, from, lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheCompletion } from './cache-completion.js';
import type { CachedCompletion } from './cache-store.js';
import { redisCacheStore } from './redis-cache-store.js';

let redisServer: RedisServer;
const clients: Redis[] = [];
beforeAll(async () => {
  redisServer = await startRedisServer();
});
afterAll(async () => {
  for (const client of clients) client.disconnect();
  await redisServer.stop();
});

function client(): Redis {
  const redis = new Redis(redisServer.url);
  clients.push(redis);
  return redis;
}

const chunks: CachedCompletion['chunks'] = [
  { chunk: { type: 'start', provider: 'openai', model: 'gpt-test', id: 'chatcmpl-1' }, offsetMs: 0 },
  { chunk: { type: 'text', text: 'ünï 🌍 "quoted"\n\u2028' }, offsetMs: 12.5 },
  { chunk: { type: 'tool-call', index: 0, id: 'call_1', name: 'weather', argumentsDelta: '{"city":' }, offsetMs: 20 },
  { chunk: { type: 'usage', usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 } }, offsetMs: 30 },
  { chunk: { type: 'finish', reason: 'stop', rawReason: 'stop' }, offsetMs: 31 },
];
const entry: CachedCompletion = { chunks, bytes: Buffer.byteLength(JSON.stringify(chunks)) };

describe('redisCacheStore on a real Redis', () => {
  it('stores the entry as JSON at rxllm:cache:<key> with a PX ttl, and reads it back equal', async () => {
    const redis = client();
    const store = redisCacheStore(redis);
    await store.set('k1', entry, 60_000);
    expect(await store.get('k1')).toEqual(entry);
    expect(JSON.parse((await redis.get('rxllm:cache:k1')) ?? 'null')).toEqual(entry);
    const pttl = await redis.pttl('rxllm:cache:k1');
    expect(pttl).toBeGreaterThan(50_000);
    expect(pttl).toBeLessThanOrEqual(60_000);
  });

  it('uses the prefix option, and another client sees the entry', async () => {
    const redis = client();
    await redisCacheStore(redis, { prefix: 'test-prefix:' }).set('k2', entry, 60_000);
    expect(await redis.exists('test-prefix:cache:k2')).toBe(1);
    expect(await redis.exists('rxllm:cache:k2')).toBe(0);
    expect(await redisCacheStore(client(), { prefix: 'test-prefix:' }).get('k2')).toEqual(entry);
    expect(await redisCacheStore(client()).get('k2')).toBeUndefined();
  });

  it('rounds a fractional ttl up to whole milliseconds and stores nothing for a ttl that is not positive', async () => {
    const redis = client();
    const store = redisCacheStore(redis);
    await store.set('k3', entry, 1_500.2);
    const pttl = await redis.pttl('rxllm:cache:k3');
    expect(pttl).toBeGreaterThan(1_000);
    expect(pttl).toBeLessThanOrEqual(1_501);
    await store.set('k4', entry, 0);
    expect(await redis.exists('rxllm:cache:k4')).toBe(0);
  });

  it('an entry Redis has expired is a miss', async () => {
    const redis = client();
    const store = redisCacheStore(redis);
    await store.set('k5', entry, 60_000);
    await redis.pexpire('rxllm:cache:k5', 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await store.get('k5')).toBeUndefined();
  });

  it('reads junk and wrongly shaped values as misses, never throwing', async () => {
    const redis = client();
    const store = redisCacheStore(redis);
    const junk = [
      'not json',
      '{"chunks": [',
      'null',
      '42',
      '"text"',
      '[]',
      '{"chunks":"x","bytes":1}',
      '{"chunks":[]}',
      '{"chunks":[],"bytes":"1"}',
      '{"chunks":[{"chunk":{"type":"text","text":"a"}}],"bytes":1}',
      '{"chunks":[{"chunk":{"type":"nonsense"},"offsetMs":0}],"bytes":1}',
      '{"chunks":[{"chunk":null,"offsetMs":0}],"bytes":1}',
      '{"chunks":[null],"bytes":1}',
    ];
    for (const [index, value] of junk.entries()) {
      await redis.set(`rxllm:cache:junk${index}`, value);
      await expect(store.get(`junk${index}`), value).resolves.toBeUndefined();
    }
    await redis.set(
      'rxllm:cache:fine',
      '{"chunks":[{"chunk":{"type":"finish","reason":"stop"},"offsetMs":0}],"bytes":1}',
    );
    expect(await store.get('fine')).toEqual({
      chunks: [{ chunk: { type: 'finish', reason: 'stop' }, offsetMs: 0 }],
      bytes: 1,
    });
    expect(await store.get('never-set')).toBeUndefined();
  });

  it('behind cacheCompletion: a miss commits to Redis, and the next subscription is a hit from it', async () => {
    const store = redisCacheStore(client(), { prefix: 'operator:' });
    let subscriptions = 0;
    const source = defer(() => {
      subscriptions += 1;
      return from(chunks.map(({ chunk }) => chunk));
    });
    const cached = source.pipe(cacheCompletion({ store, key: 'op', ttlMs: 60_000 }));
    const first = await lastValueFrom(cached.pipe(toArray()));
    // The set is not awaited by the stream: wait until Redis has it.
    for (let attempt = 0; attempt < 100 && (await store.get('op')) === undefined; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const second = await lastValueFrom(cached.pipe(toArray()));
    expect(second).toEqual(first);
    expect(subscriptions).toBe(1);
  });
});
