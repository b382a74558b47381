import { type Chunk, LLMError } from '@rxllm/core';
import { createOpenAI } from '@rxllm/openai';
import { type MockScript, type MockUpstream, mockUpstream } from '@rxllm/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CacheOutcome } from './cache-completion.js';
import { memoryCacheStore } from './memory-cache-store.js';
import { withCache } from './with-cache.js';

// The real openai SDK (through @rxllm/openai) against the wire-level mock: a hit must make no HTTP request at all.
const apiKey = 'sk-test-MARKER-cache-3d81';
let upstream: MockUpstream;

beforeAll(async () => {
  upstream = await mockUpstream();
});
afterAll(async () => {
  await upstream.close();
});
beforeEach(() => upstream.reset());

const request = { messages: [{ role: 'user' as const, content: 'Tell me a story' }], temperature: 0 };
const story: MockScript = {
  events: [
    { type: 'text', text: 'Once' },
    { type: 'text', text: ' upon a time' },
  ],
  usage: { inputTokens: 5, outputTokens: 4 },
  delivery: { eventDelayMs: 5 },
};

function cachedProvider() {
  const outcomes: CacheOutcome[] = [];
  const provider = withCache(createOpenAI({ apiKey, baseURL: upstream.baseURLs.openai }), {
    store: memoryCacheStore({ maxBytes: 1024 * 1024 }),
    ttlMs: 60_000,
    onOutcome: (outcome) => outcomes.push(outcome),
  });
  return { provider, outcomes };
}

async function run(provider: ReturnType<typeof cachedProvider>['provider']) {
  const chunks: Chunk[] = [];
  const error = await new Promise<unknown>((resolve) =>
    provider.stream(request).subscribe({
      next: (chunk) => chunks.push(chunk),
      error: resolve,
      complete: () => resolve(undefined),
    }),
  );
  return { chunks, error };
}

describe('withCache around the openai provider, against the mock upstream', () => {
  it('the second identical call is served from the cache: one upstream request, the identical chunks', async () => {
    upstream.enqueue(story, { events: [{ type: 'text', text: 'a different answer' }] });
    const { provider, outcomes } = cachedProvider();
    const first = await run(provider);
    expect(first.error).toBeUndefined();
    expect(first.chunks.map((chunk) => chunk.type)).toEqual(['start', 'text', 'text', 'usage', 'finish']);
    expect(upstream.requests).toHaveLength(1);
    const second = await run(provider);
    expect(second.error).toBeUndefined();
    expect(second.chunks).toEqual(first.chunks);
    expect(upstream.requests).toHaveLength(1);
    expect(outcomes).toEqual(['miss', 'hit']);
  });

  it('a stream the mock truncates is not cached: the next call goes upstream, and its clean finish is', async () => {
    upstream.enqueue({ ...story, omitTerminal: true }, story);
    const { provider, outcomes } = cachedProvider();
    const truncated = await run(provider);
    expect(LLMError.isInstance(truncated.error) && truncated.error.details).toEqual({ truncated: true });
    expect(truncated.chunks.some((chunk) => chunk.type === 'text')).toBe(true);
    const retried = await run(provider);
    expect(retried.error).toBeUndefined();
    expect(upstream.requests).toHaveLength(2);
    const third = await run(provider);
    expect(third.chunks).toEqual(retried.chunks);
    expect(upstream.requests).toHaveLength(2);
    expect(outcomes).toEqual(['miss', 'miss', 'hit']);
  });
});
