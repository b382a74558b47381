import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CachedCompletion } from './cache-store.js';
import { memoryCacheStore } from './memory-cache-store.js';

// The store accounts `entry.bytes` as given; the chunks only tell the entries apart.
const entryOf = (bytes: number, text = 'x'): CachedCompletion => ({
  chunks: [{ chunk: { type: 'text', text }, offsetMs: 0 }],
  bytes,
});

function clock(start = 0) {
  let time = start;
  return {
    now: () => time,
    advance: (ms: number) => {
      time += ms;
    },
  };
}

describe('memoryCacheStore', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('returns what was stored and misses an unknown key', async () => {
    const store = memoryCacheStore({ maxBytes: 100 });
    const entry = entryOf(40, 'a');
    await store.set('a', entry, 1_000);
    expect(await store.get('a')).toBe(entry);
    expect(await store.get('b')).toBeUndefined();
    expect([store.size, store.bytes]).toEqual([1, 40]);
  });

  it('evicts the least recently stored entries until the bytes fit', async () => {
    const store = memoryCacheStore({ maxBytes: 100 });
    await store.set('a', entryOf(40), 1_000);
    await store.set('b', entryOf(40), 1_000);
    await store.set('c', entryOf(40), 1_000);
    expect(await store.get('a')).toBeUndefined();
    expect(await store.get('b')).toBeDefined();
    expect(await store.get('c')).toBeDefined();
    expect([store.size, store.bytes]).toEqual([2, 80]);
    await store.set('d', entryOf(90), 1_000);
    expect([store.size, store.bytes]).toEqual([1, 90]);
    expect(await store.get('d')).toBeDefined();
  });

  it('fills up to exactly maxBytes without evicting', async () => {
    const store = memoryCacheStore({ maxBytes: 100 });
    await store.set('a', entryOf(60), 1_000);
    await store.set('b', entryOf(40), 1_000);
    expect([store.size, store.bytes]).toEqual([2, 100]);
  });

  it('a get refreshes recency: the entry read last is evicted last', async () => {
    const store = memoryCacheStore({ maxBytes: 100 });
    await store.set('a', entryOf(40), 1_000);
    await store.set('b', entryOf(40), 1_000);
    await store.get('a');
    await store.set('c', entryOf(40), 1_000);
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('a')).toBeDefined();
    expect(await store.get('c')).toBeDefined();
  });

  it('an entry is a miss from its ttl on, and is dropped when read', async () => {
    const time = clock(5_000);
    const store = memoryCacheStore({ maxBytes: 100, now: time.now });
    await store.set('a', entryOf(40), 1_000);
    time.advance(999);
    expect(await store.get('a')).toBeDefined();
    time.advance(1);
    expect(await store.get('a')).toBeUndefined();
    expect([store.size, store.bytes]).toEqual([0, 0]);
  });

  it('makes room by dropping expired entries before live ones', async () => {
    const time = clock();
    const store = memoryCacheStore({ maxBytes: 100, now: time.now });
    await store.set('live', entryOf(40), 1_000);
    await store.set('short', entryOf(40), 10);
    time.advance(10);
    await store.set('new', entryOf(40), 1_000);
    expect(await store.get('live')).toBeDefined();
    expect(await store.get('new')).toBeDefined();
    expect([store.size, store.bytes]).toEqual([2, 80]);
  });

  it('does not store an entry bigger than maxBytes, and such a set drops what the key held', async () => {
    const store = memoryCacheStore({ maxBytes: 100 });
    await store.set('other', entryOf(50), 1_000);
    await store.set('big', entryOf(101), 1_000);
    expect(await store.get('big')).toBeUndefined();
    expect(await store.get('other')).toBeDefined();
    await store.set('other', entryOf(101), 1_000);
    expect(await store.get('other')).toBeUndefined();
    expect([store.size, store.bytes]).toEqual([0, 0]);
  });

  it('replacing a key counts its bytes once', async () => {
    const store = memoryCacheStore({ maxBytes: 100 });
    await store.set('a', entryOf(40, 'first'), 1_000);
    await store.set('a', entryOf(30, 'second'), 1_000);
    expect([store.size, store.bytes]).toEqual([1, 30]);
    expect((await store.get('a'))?.chunks[0]?.chunk).toEqual({ type: 'text', text: 'second' });
  });

  it('stores nothing for a ttl that is not positive', async () => {
    const store = memoryCacheStore({ maxBytes: 100 });
    await store.set('a', entryOf(10), 0);
    await store.set('b', entryOf(10), -5);
    expect(store.size).toBe(0);
  });

  it('reads Date.now by default', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: 1_000_000 });
    const store = memoryCacheStore({ maxBytes: 100 });
    await store.set('a', entryOf(10), 60_000);
    vi.setSystemTime(1_059_999);
    expect(await store.get('a')).toBeDefined();
    vi.setSystemTime(1_060_000);
    expect(await store.get('a')).toBeUndefined();
  });
});
