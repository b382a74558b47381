import type { Chunk } from '@rxllm/core';

/**
 * A recorded completion: every chunk of a stream that finished cleanly, with its offset in milliseconds from the
 * subscription (so a replay can keep the original pace), and `bytes`, the UTF-8 size of `JSON.stringify(chunks)`,
 * which bounds stores and entries.
 *
 * @example
 * ```ts
 * const entry: CachedCompletion = {
 *   chunks: [
 *     { chunk: { type: 'start', provider: 'openai', model: 'gpt-4.1-mini' }, offsetMs: 0 },
 *     { chunk: { type: 'text', text: 'Hi' }, offsetMs: 180 },
 *     { chunk: { type: 'finish', reason: 'stop' }, offsetMs: 190 },
 *   ],
 *   bytes: 196, // Buffer.byteLength(JSON.stringify(chunks))
 * };
 * ```
 */
export interface CachedCompletion {
  chunks: Array<{ chunk: Chunk; offsetMs: number }>;
  bytes: number;
}

/**
 * Where {@link cacheCompletion} keeps recorded completions: {@link memoryCacheStore}, {@link redisCacheStore}, or
 * your own. `get` resolves `undefined` for a miss (an expired entry is a miss); `set` keeps an entry for `ttlMs`.
 * The operator treats a rejected `get` as a miss and ignores a rejected `set`, so a store never fails a stream.
 *
 * @example
 * ```ts
 * const entries = new Map<string, CachedCompletion>();
 * const store: CacheStore = {
 *   get: async (key) => entries.get(key),
 *   set: async (key, entry) => void entries.set(key, entry), // no expiry: a sketch, not a store
 * };
 * ```
 */
export interface CacheStore {
  get(key: string): Promise<CachedCompletion | undefined>;
  set(key: string, entry: CachedCompletion, ttlMs: number): Promise<void>;
}
