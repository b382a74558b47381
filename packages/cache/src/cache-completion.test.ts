import { Buffer } from 'node:buffer';
import { type Chunk, LLMError } from '@rxllm/core';
import { chunkValues, finish, start, text, usage } from '@rxllm/testing/marbles';
import { defer, lastValueFrom, type Observable, of, Subject, toArray } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { cacheCompletion } from './cache-completion.js';
import type { CachedCompletion, CacheStore } from './cache-store.js';
import { memoryCacheStore } from './memory-cache-store.js';
import { virtualTime } from './test-virtual-time.js';

// s a b f: a start, two texts and the finish.
const values = chunkValues(
  start({ provider: 'openai', model: 'gpt-test' }),
  text('Once'),
  text(' upon'),
  finish('stop'),
);
const [s, a, b, f] = [values.a!, values.b!, values.c!, values.d!];
const marbleValues: Record<string, Chunk> = { s, a, b, f, u: usage({ outputTokens: 2 }) };

const entryOf = (...chunks: Array<[Chunk, number]>): CachedCompletion => {
  const recorded = chunks.map(([chunk, offsetMs]) => ({ chunk, offsetMs }));
  return { chunks: recorded, bytes: Buffer.byteLength(JSON.stringify(recorded)) };
};

/** A store on a Map that records every `set`. */
function spyStore(initial: Record<string, CachedCompletion> = {}) {
  const entries = new Map(Object.entries(initial));
  const sets: Array<{ key: string; entry: CachedCompletion; ttlMs: number }> = [];
  const store: CacheStore = {
    get: async (key) => entries.get(key),
    set: async (key, entry, ttlMs) => {
      sets.push({ key, entry, ttlMs });
      entries.set(key, entry);
    },
  };
  return { store, sets };
}

/** A source that counts its subscriptions. */
function counted(upstream: Observable<Chunk>) {
  const counter = { subscriptions: 0 };
  const source = defer(() => {
    counter.subscriptions += 1;
    return upstream;
  });
  return { counter, source };
}

const recorded = entryOf([s, 0], [a, 2], [b, 5], [f, 7]);

describe('cacheCompletion in virtual time', () => {
  it('a miss passes every chunk through at the frame it arrives, then commits the recording with its offsets', async () => {
    const time = virtualTime();
    const { store, sets } = spyStore();
    const source = time.cold('s-a--b-(f|)', marbleValues);
    const result = source.pipe(cacheCompletion({ store, key: 'k', ttlMs: 1_000, scheduler: time.scheduler }));
    expect(await time.subscribe(result)).toEqual(time.frames('s-a--b-(f|)', marbleValues));
    expect(source.subscriptions).toEqual([time.subscriptions('^------!')]);
    expect(sets).toEqual([{ key: 'k', entry: recorded, ttlMs: 1_000 }]);
  });

  it('a hit at the recorded pace emits each chunk at its offset and never subscribes the source', async () => {
    const time = virtualTime();
    const { store } = spyStore({ k: recorded });
    const source = time.cold('a|', marbleValues);
    const result = source.pipe(
      cacheCompletion({ store, key: 'k', ttlMs: 1, pace: 'recorded', scheduler: time.scheduler }),
    );
    expect(await time.subscribe(result)).toEqual(time.frames('s-a--b-(f|)', marbleValues));
    expect(source.subscriptions).toEqual([]);
  });

  it('an instant hit emits everything in the frame of the lookup', async () => {
    const time = virtualTime();
    const { store } = spyStore({ k: recorded });
    const source = time.cold('a|', marbleValues);
    const result = source.pipe(cacheCompletion({ store, key: 'k', ttlMs: 1, scheduler: time.scheduler }));
    expect(await time.subscribe(result)).toEqual(time.frames('(sabf|)', marbleValues));
    expect(source.subscriptions).toEqual([]);
  });

  it('what a miss records, a recorded-pace hit replays on the same timeline', async () => {
    const time = virtualTime();
    const store = memoryCacheStore({ maxBytes: 10_000 });
    const source = time.cold('s 3ms a-u 4ms b 9ms (f|)', marbleValues);
    const cached = source.pipe(
      cacheCompletion({ store, key: 'k', ttlMs: 1_000, pace: 'recorded', scheduler: time.scheduler }),
    );
    const first = await time.subscribe(cached);
    const startedAt = time.scheduler.now();
    const second = await time.subscribe(cached);
    expect(first).toEqual(time.frames('s 3ms a-u 4ms b 9ms (f|)', marbleValues));
    expect(second.map(({ frame, notification }) => ({ frame: frame - startedAt, notification }))).toEqual(first);
    expect(source.subscriptions).toHaveLength(1);
  });

  it('recorded offsets count from the subscription: chunks due during a slow lookup come at once', async () => {
    const time = virtualTime();
    const entry = entryOf([s, 0], [a, 1], [b, 8], [f, 9]);
    const store: CacheStore = {
      get: () => new Promise((resolve) => time.scheduler.schedule(() => resolve(entry), 3)),
      set: async () => {},
    };
    const result = time
      .cold('a|', marbleValues)
      .pipe(cacheCompletion({ store, key: 'k', ttlMs: 1, pace: 'recorded', scheduler: time.scheduler }));
    expect(await time.subscribe(result)).toEqual(time.frames('---(sa)-b(f|)', marbleValues));
  });

  it('unsubscribing a recorded-pace replay cancels its timer', async () => {
    const time = virtualTime();
    const { store } = spyStore({ k: recorded });
    const result = time
      .cold('a|', marbleValues)
      .pipe(cacheCompletion({ store, key: 'k', ttlMs: 1, pace: 'recorded', scheduler: time.scheduler }));
    expect(await time.subscribe(result, { unsubscribeAt: 4 })).toEqual(time.frames('s-a', marbleValues));
    // Had the replay's timer survived the unsubscribe, virtual time would have run on to its next chunk (frame 5).
    expect(time.scheduler.now()).toBe(4);
  });

  it('an upstream error is passed on and commits nothing', async () => {
    const time = virtualTime();
    const { store, sets } = spyStore();
    const error = new LLMError({ kind: 'network', provider: 'openai', message: 'socket hang up' });
    const source = time.cold('s-a-#', marbleValues, error);
    const result = source.pipe(cacheCompletion({ store, key: 'k', ttlMs: 1, scheduler: time.scheduler }));
    expect(await time.subscribe(result)).toEqual(time.frames('s-a-#', marbleValues, error));
    expect(source.subscriptions).toEqual([time.subscriptions('^---!')]);
    expect(sets).toEqual([]);
  });

  it('an error after the finish chunk still commits nothing: only a completion commits', async () => {
    const time = virtualTime();
    const { store, sets } = spyStore();
    const error = new LLMError({ kind: 'network', provider: 'openai', message: 'no [DONE]' });
    const result = time
      .cold('s-a-f-#', marbleValues, error)
      .pipe(cacheCompletion({ store, key: 'k', ttlMs: 1, scheduler: time.scheduler }));
    expect(await time.subscribe(result)).toEqual(time.frames('s-a-f-#', marbleValues, error));
    expect(sets).toEqual([]);
  });

  it('unsubscribing during a miss unsubscribes the source and commits nothing', async () => {
    const time = virtualTime();
    const { store, sets } = spyStore();
    const source = time.cold('s-a--b-(f|)', marbleValues);
    const result = source.pipe(cacheCompletion({ store, key: 'k', ttlMs: 1, scheduler: time.scheduler }));
    expect(await time.subscribe(result, { unsubscribeAt: 4 })).toEqual(time.frames('s-a', marbleValues));
    expect(source.subscriptions).toEqual([time.subscriptions('^---!')]);
    expect(sets).toEqual([]);
  });

  it('a source that completes without a finish chunk commits nothing', async () => {
    const time = virtualTime();
    const { store, sets } = spyStore();
    const source = time.cold('s-a-b|', marbleValues);
    const result = source.pipe(cacheCompletion({ store, key: 'k', ttlMs: 1, scheduler: time.scheduler }));
    expect(await time.subscribe(result)).toEqual(time.frames('s-a-b|', marbleValues));
    expect(sets).toEqual([]);
  });
});

describe('cacheCompletion', () => {
  it('the second subscription is a hit: the same chunks, and the source is subscribed only once', async () => {
    const store = memoryCacheStore({ maxBytes: 10_000 });
    const { counter, source } = counted(of(s, a, b, f));
    const cached = source.pipe(cacheCompletion({ store, key: 'k', ttlMs: 60_000 }));
    const first = await lastValueFrom(cached.pipe(toArray()));
    const second = await lastValueFrom(cached.pipe(toArray()));
    expect(first).toEqual([s, a, b, f]);
    expect(second).toEqual(first);
    expect(counter.subscriptions).toBe(1);
    expect(store.size).toBe(1);
  });

  it('commits a recording of exactly maxEntryBytes, and nothing one byte below it, while streaming either way', async () => {
    const bytes = Buffer.byteLength(JSON.stringify(entryOf([s, 0], [a, 0], [b, 0], [f, 0]).chunks));
    for (const [maxEntryBytes, commits] of [
      [bytes, 1],
      [bytes - 1, 0],
    ] as const) {
      const { store, sets } = spyStore();
      const chunks = await lastValueFrom(
        of(s, a, b, f).pipe(cacheCompletion({ store, key: 'k', ttlMs: 1, maxEntryBytes }), toArray()),
      );
      expect(chunks).toEqual([s, a, b, f]);
      expect(sets).toHaveLength(commits);
      if (commits === 1) expect(sets[0]!.entry.bytes).toBe(bytes);
    }
  });

  it('keeps at most 4 MiB by default', async () => {
    const { store, sets } = spyStore();
    const big = text('x'.repeat(4 * 1024 * 1024));
    const chunks = await lastValueFrom(of(s, big, f).pipe(cacheCompletion({ store, key: 'k', ttlMs: 1 }), toArray()));
    expect(chunks).toHaveLength(3);
    expect(sets).toEqual([]);
  });

  it('counts bytes in UTF-8, as the JSON is stored', async () => {
    const { store, sets } = spyStore();
    await lastValueFrom(of(text('ünï 🌍'), f).pipe(cacheCompletion({ store, key: 'k', ttlMs: 1 }), toArray()));
    expect(sets[0]!.entry.bytes).toBe(Buffer.byteLength(JSON.stringify(sets[0]!.entry.chunks)));
    expect(sets[0]!.entry.bytes).toBeGreaterThan(JSON.stringify(sets[0]!.entry.chunks).length);
  });

  it('commits a snapshot: mutating a chunk after the stream does not change the entry', async () => {
    const { store, sets } = spyStore();
    const chunk = text('Once');
    await lastValueFrom(of(chunk, f).pipe(cacheCompletion({ store, key: 'k', ttlMs: 1 }), toArray()));
    chunk.text = 'changed';
    expect(sets[0]!.entry.chunks[0]!.chunk).toEqual(text('Once'));
  });

  it('passes on a chunk that has no JSON (a cyclic providerMetadata) and commits nothing', async () => {
    const { store, sets } = spyStore();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const odd: Chunk = { ...text('Once'), providerMetadata: cyclic };
    const chunks = await lastValueFrom(of(s, odd, f).pipe(cacheCompletion({ store, key: 'k', ttlMs: 1 }), toArray()));
    expect(chunks).toEqual([s, odd, f]);
    expect(sets).toEqual([]);
  });

  it('a get that rejects (or throws) is a miss: the request is served from upstream', async () => {
    for (const get of [
      () => Promise.reject(new Error('redis down')),
      (): never => {
        throw new Error('sync');
      },
    ]) {
      const outcomes: string[] = [];
      const { counter, source } = counted(of(s, a, f));
      const store: CacheStore = { get, set: async () => {} };
      const chunks = await lastValueFrom(
        source.pipe(
          cacheCompletion({ store, key: 'k', ttlMs: 1, onOutcome: (outcome) => outcomes.push(outcome) }),
          toArray(),
        ),
      );
      expect(chunks).toEqual([s, a, f]);
      expect(counter.subscriptions).toBe(1);
      expect(outcomes).toEqual(['miss']);
    }
  });

  it('a set that rejects (or throws) is swallowed: the stream still completes', async () => {
    const failures = [
      () => Promise.reject(new Error('redis down')),
      (): never => {
        throw new Error('sync');
      },
    ];
    for (const failure of failures) {
      const set = vi.fn(failure);
      const store: CacheStore = { get: async () => undefined, set };
      const chunks = await lastValueFrom(of(s, a, f).pipe(cacheCompletion({ store, key: 'k', ttlMs: 1 }), toArray()));
      expect(chunks).toEqual([s, a, f]);
      expect(set).toHaveBeenCalledTimes(1);
    }
    // An unhandled rejection would fail the run: give it the chance to surface.
    await new Promise((resolve) => setImmediate(resolve));
  });

  it('calls onOutcome once, before the first chunk, on a miss and on a hit', async () => {
    const store = memoryCacheStore({ maxBytes: 10_000 });
    const events: string[] = [];
    const cached = of(s, a, f).pipe(
      cacheCompletion({ store, key: 'k', ttlMs: 60_000, onOutcome: (outcome) => events.push(outcome) }),
    );
    for (let run = 0; run < 2; run += 1) {
      await new Promise<void>((resolve) =>
        cached.subscribe({ next: (chunk) => events.push(chunk.type), complete: resolve }),
      );
    }
    expect(events).toEqual(['miss', 'start', 'text', 'finish', 'hit', 'start', 'text', 'finish']);
  });

  it('unsubscribing before the lookup ends subscribes nothing upstream and reports no outcome', async () => {
    let resolveGet: (entry: CachedCompletion | undefined) => void = () => {};
    const store: CacheStore = {
      get: () =>
        new Promise((resolve) => {
          resolveGet = resolve;
        }),
      set: async () => {},
    };
    const outcomes: string[] = [];
    const { counter, source } = counted(of(s, a, f));
    const subscription = source
      .pipe(cacheCompletion({ store, key: 'k', ttlMs: 1, onOutcome: (outcome) => outcomes.push(outcome) }))
      .subscribe();
    subscription.unsubscribe();
    resolveGet(undefined);
    await new Promise((resolve) => setImmediate(resolve));
    expect(counter.subscriptions).toBe(0);
    expect(outcomes).toEqual([]);
  });

  it('passes chunks on as they arrive, before the stream ends', async () => {
    const upstream = new Subject<Chunk>();
    const received: Chunk[] = [];
    const { store, sets } = spyStore();
    upstream.pipe(cacheCompletion({ store, key: 'k', ttlMs: 1 })).subscribe((chunk) => received.push(chunk));
    await new Promise((resolve) => setImmediate(resolve));
    upstream.next(s);
    upstream.next(a);
    expect(received).toEqual([s, a]);
    upstream.next(f);
    expect(sets).toEqual([]);
    upstream.complete();
    expect(sets).toHaveLength(1);
  });

  it('rejects a ttlMs that is not positive', () => {
    const { store } = spyStore();
    expect(() => cacheCompletion({ store, key: 'k', ttlMs: 0 })).toThrow(RangeError);
    expect(() => cacheCompletion({ store, key: 'k', ttlMs: Number.NaN })).toThrow(RangeError);
  });
});
