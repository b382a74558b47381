import type { CompletionRequest, Provider } from '@rxllm/core';
import { assertTtlMs } from './assert-ttl-ms.js';
import { type CacheOptions, cacheCompletion } from './cache-completion.js';
import { cacheKey } from './cache-key.js';

/**
 * Options of {@link withCache}: those of {@link cacheCompletion}, with the key computed per request.
 *
 * @example
 * ```ts
 * const options: WithCacheOptions = { store, ttlMs: 3_600_000, key: (request) => cacheKey(request, { ignore: [] }) };
 * ```
 */
export interface WithCacheOptions extends Omit<CacheOptions, 'key'> {
  /**
   * The key of a request. Default {@link cacheKey} with the provider's name, after filling in the provider's default
   * model, so a request without `model` and one naming the default model share an entry.
   */
  key?: (request: CompletionRequest) => string;
}

/**
 * A provider whose streams go through {@link cacheCompletion}: a repeated request is replayed from the store
 * without an upstream request, and only streams that finish cleanly are stored. Name and default model are the
 * wrapped provider's.
 *
 * @example
 * ```ts
 * const openai = withCache(createOpenAI({ apiKey: process.env.OPENAI_API_KEY }), {
 *   store: memoryCacheStore({ maxBytes: 64 * 1024 * 1024 }),
 *   ttlMs: 60 * 60 * 1000,
 * });
 * openai.stream({ messages: [{ role: 'user', content: 'Hi' }] }).subscribe(render); // upstream
 * openai.stream({ messages: [{ role: 'user', content: 'Hi' }] }).subscribe(render); // from the cache, once the first finished
 * ```
 */
export function withCache(provider: Provider, options: WithCacheOptions): Provider {
  assertTtlMs(options.ttlMs);
  const {
    key = (request: CompletionRequest) =>
      cacheKey({ ...request, model: request.model ?? provider.defaultModel }, { provider: provider.name }),
    ...cacheOptions
  } = options;
  return {
    name: provider.name,
    defaultModel: provider.defaultModel,
    stream: (request) => provider.stream(request).pipe(cacheCompletion({ ...cacheOptions, key: key(request) })),
  };
}
