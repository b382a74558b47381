import { type CacheStore, memoryCacheStore, redisCacheStore, withCache } from '@rxllm/cache';
import type { Chunk, Provider } from '@rxllm/core';
import { createOpenAI } from '@rxllm/openai';
import { mockUpstream, startRedisServer } from '@rxllm/testing';
import { Redis } from 'ioredis';
import { lastValueFrom, type Observable, tap, toArray } from 'rxjs';
import { fixed, percentile } from './statistics.js';

// Time to first text of a response-cache hit against the miss it recorded, the real openai provider on the mock
// upstream on 127.0.0.1 (32 text events, the first byte 150 ms late, as a vendor's time to first token), the cache
// in memory and in a local Redis. `pnpm --filter @rxllm/bench cache [requests]`.
const requests = Number(process.argv[2] ?? 200);
const firstByteDelayMs = 150;

/** Milliseconds from subscribing to the first text chunk, and the whole answer. */
async function timed(stream: Observable<Chunk>): Promise<{ ttftMs: number; text: string }> {
  const started = performance.now();
  let ttftMs = Number.NaN;
  const chunks = await lastValueFrom(
    stream.pipe(
      tap((chunk) => {
        if (chunk.type === 'text' && Number.isNaN(ttftMs)) ttftMs = performance.now() - started;
      }),
      toArray(),
    ),
  );
  return { ttftMs, text: chunks.map((chunk) => (chunk.type === 'text' ? chunk.text : '')).join('') };
}

async function measure(label: string, provider: Provider, pace: 'instant' | 'recorded') {
  const miss: number[] = [];
  const hit: number[] = [];
  for (let index = 0; index < requests; index += 1) {
    const request = { messages: [{ role: 'user' as const, content: `${label} question ${index}` }] };
    const first = await timed(provider.stream(request));
    const second = await timed(provider.stream(request));
    if (second.text !== first.text) throw new Error(`${label}: the hit replayed another answer`);
    miss.push(first.ttftMs);
    hit.push(second.ttftMs);
  }
  const row = (values: number[]) =>
    `p50 ${fixed(percentile(values, 0.5), 2)} ms, p99 ${fixed(percentile(values, 0.99), 2)} ms`;
  console.log(`${label.padEnd(24)} miss: ${row(miss)} | hit (${pace}): ${row(hit)}`);
}

const upstream = await mockUpstream({
  defaultScript: {
    events: Array.from({ length: 32 }, (_, index) => ({ type: 'text' as const, text: `word${index} ` })),
    delivery: { firstByteDelayMs },
  },
});
const redisServer = await startRedisServer();
const redis = new Redis(redisServer.url);
try {
  console.log(
    `cache-hit bench: ${requests} requests each, upstream first byte after ${firstByteDelayMs} ms, node ${process.version}`,
  );
  const cases: Array<[string, CacheStore, 'instant' | 'recorded']> = [
    ['memory', memoryCacheStore({ maxBytes: 64 * 1024 * 1024 }), 'instant'],
    ['redis (local)', redisCacheStore(redis), 'instant'],
    ['memory, recorded pace', memoryCacheStore({ maxBytes: 64 * 1024 * 1024 }), 'recorded'],
  ];
  for (const [label, store, pace] of cases) {
    const openai = createOpenAI({ apiKey: 'bench', baseURL: upstream.baseURLs.openai });
    await measure(label, withCache(openai, { store, ttlMs: 3_600_000, pace }), pace);
  }
} finally {
  redis.disconnect();
  await redisServer.stop();
  await upstream.close();
}
