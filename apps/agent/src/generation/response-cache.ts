import { type CacheStore, cacheCompletion, cacheKey } from '@rxllm/cache';
import type { Chunk, CompletionRequest } from '@rxllm/core';
import { map, type Observable } from 'rxjs';
import type { AgentConfig } from '../config.js';

/** What one generation does with the response cache, from the request's `Cache-Control`. */
export type CacheMode = 'use' | 'refresh' | 'off';

/** The outcome the `start` event and the `X-Cache` header report. */
export type CacheVerdict = 'hit' | 'miss' | 'bypass';

/**
 * The cache mode a request asks for: `Cache-Control: no-store` neither reads nor writes the cache, `no-cache` skips
 * the lookup but keeps the fresh answer (it revalidates), anything else uses the cache.
 *
 * @example
 * ```ts
 * cacheModeOf('no-cache'); // 'refresh'
 * cacheModeOf(undefined); // 'use'
 * ```
 */
export function cacheModeOf(header: string | string[] | undefined): CacheMode {
  const directives = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .toLowerCase()
    .split(',')
    .map((directive) => directive.trim());
  if (directives.includes('no-store')) return 'off';
  if (directives.includes('no-cache')) return 'refresh';
  return 'use';
}

/** Marks the usage of a replayed answer, so the stream is not priced again (see `isReplayedUsage`). */
function markReplayed(chunk: Chunk): Chunk {
  if (chunk.type !== 'usage') return chunk;
  return { ...chunk, providerMetadata: { ...chunk.providerMetadata, rxllm: { cache: 'hit' } } };
}

/**
 * One model step through the response cache: the key is the canonical step request and provider (`cacheKey`), a
 * hit replays the recorded chunks (its usage marked as replayed) without calling `live`, a miss streams `live` and
 * keeps it if it finishes cleanly. `refresh` never reads but writes; `off` is `live` untouched. `onVerdict` hears
 * the outcome before the first chunk.
 *
 * @example
 * ```ts
 * cachedStep({ store, config: config.cache, provider: 'openai', request, mode: 'use', live, onVerdict: (v) => (verdict ??= v) });
 * ```
 */
export function cachedStep(options: {
  store: CacheStore;
  config: AgentConfig['cache'];
  provider: string;
  request: CompletionRequest;
  mode: CacheMode;
  live: Observable<Chunk>;
  onVerdict: (verdict: CacheVerdict) => void;
}): Observable<Chunk> {
  const { store, mode, live, onVerdict } = options;
  if (mode === 'off') {
    onVerdict('bypass');
    return live;
  }
  const readable: CacheStore = mode === 'refresh' ? { get: async () => undefined, set: store.set.bind(store) } : store;
  let hit = false;
  return live.pipe(
    cacheCompletion({
      store: readable,
      key: cacheKey(options.request, { provider: options.provider }),
      ttlMs: options.config.ttlMs,
      pace: options.config.pace,
      onOutcome: (outcome) => {
        hit = outcome === 'hit';
        onVerdict(mode === 'refresh' ? 'bypass' : outcome);
      },
    }),
    map((chunk) => (hit ? markReplayed(chunk) : chunk)),
  );
}

/**
 * The model steps of one generation through the response cache (when `store` is set): `pipeline` for each step
 * request, and `startFields` for the `start` event, which reports the first step's verdict.
 *
 * @example
 * ```ts
 * const { pipeline, startFields } = cachedPipeline({ store, config: config.cache, provider: 'openai', mode, live });
 * ```
 */
export function cachedPipeline(options: {
  store: CacheStore | undefined;
  config: AgentConfig['cache'];
  provider: string;
  mode: CacheMode;
  live: (request: CompletionRequest) => Observable<Chunk>;
}): { pipeline: (request: CompletionRequest) => Observable<Chunk>; startFields: () => { cache?: CacheVerdict } } {
  const { store, live } = options;
  let verdict: CacheVerdict | undefined;
  const pipeline = (request: CompletionRequest) =>
    store
      ? cachedStep({
          ...options,
          store,
          request,
          live: live(request),
          onVerdict: (outcome) => {
            verdict ??= outcome;
          },
        })
      : live(request);
  return { pipeline, startFields: () => (verdict ? { cache: verdict } : {}) };
}
