import { Buffer } from 'node:buffer';
import { type Chunk, createRelayBudget } from '@rxllm/core';
import {
  asyncScheduler,
  Observable,
  type OperatorFunction,
  type SchedulerAction,
  type SchedulerLike,
  type Subscriber,
  Subscription,
} from 'rxjs';
import { assertTtlMs } from './assert-ttl-ms.js';
import type { CachedCompletion, CacheStore } from './cache-store.js';

/**
 * Whether a subscription was served from the cache (`hit`) or went upstream (`miss`, also when the store failed).
 *
 * @example
 * ```ts
 * const onOutcome = (outcome: CacheOutcome) => metrics.increment(`llm.cache.${outcome}`);
 * ```
 */
export type CacheOutcome = 'hit' | 'miss';

/**
 * Options of {@link cacheCompletion}.
 *
 * @example
 * ```ts
 * const options: CacheOptions = { store: memoryCacheStore({ maxBytes: 1 << 26 }), key: cacheKey(request), ttlMs: 3_600_000 };
 * ```
 */
export interface CacheOptions {
  store: CacheStore;
  /** The entry's key, usually {@link cacheKey} of the request. */
  key: string;
  /** How long a committed entry lives, in milliseconds (> 0). */
  ttlMs: number;
  /**
   * How a hit is replayed: `'instant'` (default) emits every chunk at once (in slices that yield the event loop to other streams past the relay budget); `'recorded'` emits each chunk at its
   * recorded offset from the subscription, on the scheduler, as the original stream arrived.
   */
  pace?: 'instant' | 'recorded';
  /** Largest recording committed, in bytes of JSON; a longer stream is passed on but not cached. Default 4 MiB. */
  maxEntryBytes?: number;
  /** Called once per subscription, before its first chunk, unless it is unsubscribed before the lookup ends. */
  onOutcome?: (outcome: CacheOutcome) => void;
  /** Time source for offsets and the recorded pace; `asyncScheduler` by default, a `TestScheduler` in tests. */
  scheduler?: SchedulerLike;
}

const DEFAULT_MAX_ENTRY_BYTES = 4 * 1024 * 1024;

/** Runs `store.get`, turning a rejection (or a synchronous throw) into a miss: the request must still be served. */
function lookup(store: CacheStore, key: string): Promise<CachedCompletion | undefined> {
  return new Promise<CachedCompletion | undefined>((resolve) => resolve(store.get(key))).catch(() => undefined);
}

/** Chunks an instant replay emits between two looks at its relay budget. */
const REPLAY_SLICE = 64;

/**
 * An instant replay in slices under a relay budget (the core's, as the providers' own relays use), so a long entry
 * never holds the event loop: past its share it yields a turn, then goes on where it was.
 */
async function replayInstantly(chunks: CachedCompletion['chunks'], subscriber: Subscriber<Chunk>): Promise<void> {
  const budget = createRelayBudget({ maxPerRun: 512 });
  for (let start = 0; start < chunks.length; start += REPLAY_SLICE) {
    const slice = chunks.slice(start, start + REPLAY_SLICE);
    for (const { chunk } of slice) {
      if (subscriber.closed) return;
      subscriber.next(chunk);
    }
    if (budget.spend(slice.length)) await budget.yieldTurn();
  }
  if (!subscriber.closed) subscriber.complete();
}

/** Emits the recorded chunks now (in slices), or each at `subscribedAt + offsetMs` with one self-rescheduling action. */
function replay(
  entry: CachedCompletion,
  subscriber: Subscriber<Chunk>,
  pace: 'instant' | 'recorded',
  scheduler: SchedulerLike,
  subscribedAt: number,
): Subscription | undefined {
  const { chunks } = entry;
  if (pace === 'instant') {
    void replayInstantly(chunks, subscriber);
    return undefined;
  }
  let index = 0;
  // Returns the delay to the next chunk, or undefined once the replay has ended.
  const emitDue = (): number | undefined => {
    const elapsed = scheduler.now() - subscribedAt;
    while (index < chunks.length && !subscriber.closed && chunks[index]!.offsetMs <= elapsed) {
      subscriber.next(chunks[index]!.chunk);
      index += 1;
    }
    if (index < chunks.length) return chunks[index]!.offsetMs - elapsed;
    subscriber.complete();
    return undefined;
  };
  const firstDelay = emitDue();
  if (firstDelay === undefined) return undefined;
  return scheduler.schedule(function (this: SchedulerAction<unknown>) {
    const delay = emitDue();
    if (delay !== undefined) this.schedule(undefined, delay);
  }, firstDelay);
}

// `providerMetadata` is free-form: a chunk that has no JSON (a cycle, a bigint) is passed on but not recorded.
function toJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/** Passes the source's chunks on as they come and commits the recording if it ends cleanly and small enough. */
function record(
  source: Observable<Chunk>,
  subscriber: Subscriber<Chunk>,
  options: CacheOptions,
  scheduler: SchedulerLike,
  subscribedAt: number,
): Subscription {
  const maxEntryBytes = options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
  // Each chunk's JSON, taken as it passes: the entry is a snapshot, the same whichever store it goes to.
  let recorded: string[] | undefined = [];
  let bytes = 2; // the brackets of the JSON array
  let finished = false;
  return source.subscribe({
    next: (chunk) => {
      const offsetMs = scheduler.now() - subscribedAt;
      subscriber.next(chunk);
      finished ||= chunk.type === 'finish';
      if (recorded === undefined) return;
      const json = toJson({ chunk, offsetMs });
      if (json !== undefined) bytes += Buffer.byteLength(json) + (recorded.length > 0 ? 1 : 0);
      if (json === undefined || bytes > maxEntryBytes) recorded = undefined;
      else recorded.push(json);
    },
    error: (error: unknown) => subscriber.error(error),
    complete: () => {
      if (finished && recorded !== undefined) {
        const entry: CachedCompletion = { chunks: JSON.parse(`[${recorded.join(',')}]`), bytes };
        recorded = undefined;
        // A store that fails to write costs a cache entry, never the stream.
        new Promise<void>((resolve) => resolve(options.store.set(options.key, entry, options.ttlMs))).catch(() => {});
      }
      subscriber.complete();
    },
  });
}

/**
 * Caches a streamed completion. On subscribe it looks `key` up in the store. A hit replays the recorded chunks
 * exactly as they were recorded and never subscribes the source (no upstream request), at once or, with
 * `pace: 'recorded'`, at their recorded offsets. A miss subscribes the source and passes every chunk on unchanged
 * the moment it arrives, while recording it; the recording is committed (`store.set`) only when the source
 * completes after a `finish` chunk. An error, an unsubscribe, a completion without `finish` or a recording over
 * `maxEntryBytes` (which stops recording, not streaming) commits nothing. A failing `get` is a miss; a failing
 * `set` is ignored. Concurrent misses on one key each go upstream (there is no request coalescing).
 *
 * ```
 * miss, source:  s-a--b-(f|)          store.set(key, { chunks: s@0 a@2 b@5 f@7 }) after the completion
 * miss, result:  s-a--b-(f|)
 * hit (recorded):s-a--b-(f|)          source never subscribed; 'instant' would give (sabf|)
 * ```
 *
 * @example
 * ```ts
 * const store = memoryCacheStore({ maxBytes: 64 * 1024 * 1024 });
 * openai
 *   .stream(request)
 *   .pipe(cacheCompletion({ store, key: cacheKey(request, { provider: 'openai' }), ttlMs: 3_600_000 }))
 *   .subscribe((chunk) => chunk.type === 'text' && process.stdout.write(chunk.text));
 * ```
 */
export function cacheCompletion(options: CacheOptions): OperatorFunction<Chunk, Chunk> {
  assertTtlMs(options.ttlMs);
  return (source) =>
    new Observable<Chunk>((subscriber) => {
      const scheduler = options.scheduler ?? asyncScheduler;
      const subscribedAt = scheduler.now();
      const teardown = new Subscription();
      lookup(options.store, options.key).then((entry) => {
        if (subscriber.closed) return;
        try {
          options.onOutcome?.(entry === undefined ? 'miss' : 'hit');
        } catch (error) {
          subscriber.error(error);
          return;
        }
        const running =
          entry === undefined
            ? record(source, subscriber, options, scheduler, subscribedAt)
            : replay(entry, subscriber, options.pace ?? 'instant', scheduler, subscribedAt);
        // Added to a closed teardown (the subscriber left during a synchronous replay) it is unsubscribed at once.
        if (running !== undefined) teardown.add(running);
      });
      return teardown;
    });
}
