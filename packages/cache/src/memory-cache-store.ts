import type { CachedCompletion, CacheStore } from './cache-store.js';

/**
 * Options of {@link memoryCacheStore}.
 *
 * @example
 * ```ts
 * const options: MemoryCacheStoreOptions = { maxBytes: 64 * 1024 * 1024 };
 * ```
 */
export interface MemoryCacheStoreOptions {
  /** Most bytes (the sum of the entries' `bytes`) held at once; the least recently used entries go first. */
  maxBytes: number;
  /** Clock for expiry, in milliseconds. Default `Date.now` (a store lives outside any stream's scheduler). */
  now?: () => number;
}

/**
 * A {@link CacheStore} in this process's memory, as the store returned by {@link memoryCacheStore}: `size` and
 * `bytes` are what it holds now (entries that expired but were not read since still count).
 *
 * @example
 * ```ts
 * const store: MemoryCacheStore = memoryCacheStore({ maxBytes: 1_000_000 });
 * console.log(store.size, store.bytes); // 0 0
 * ```
 */
export interface MemoryCacheStore extends CacheStore {
  readonly size: number;
  readonly bytes: number;
}

interface Slot {
  entry: CachedCompletion;
  expiresAt: number;
}

/**
 * An LRU {@link CacheStore} in memory, bounded in bytes: storing an entry evicts expired entries, then the least
 * recently used ones, until the total of `entry.bytes` fits in `maxBytes`. A `get` refreshes an entry's recency; an
 * expired entry reads as a miss and is dropped; an entry bigger than `maxBytes` is not stored (and a `set` of one
 * drops what the key held). Entries are kept as they are given, not copied: a hit replays the same chunk objects.
 *
 * @example
 * ```ts
 * const store = memoryCacheStore({ maxBytes: 64 * 1024 * 1024 });
 * const cached = withCache(openai, { store, ttlMs: 60 * 60 * 1000 });
 * ```
 */
export function memoryCacheStore(options: MemoryCacheStoreOptions): MemoryCacheStore {
  const { maxBytes } = options;
  const now = options.now ?? Date.now;
  // A Map iterates in insertion order: re-inserting on every read keeps the least recently used entry first.
  const slots = new Map<string, Slot>();
  let bytes = 0;

  const drop = (key: string) => {
    const slot = slots.get(key);
    if (slot === undefined) return;
    slots.delete(key);
    bytes -= slot.entry.bytes;
  };

  const makeRoom = (needed: number) => {
    if (bytes + needed <= maxBytes) return;
    const at = now();
    for (const [key, slot] of slots) if (slot.expiresAt <= at) drop(key);
    for (const key of slots.keys()) {
      if (bytes + needed <= maxBytes) return;
      drop(key);
    }
  };

  return {
    get size() {
      return slots.size;
    },
    get bytes() {
      return bytes;
    },
    async get(key) {
      const slot = slots.get(key);
      if (slot === undefined) return undefined;
      slots.delete(key);
      if (slot.expiresAt <= now()) {
        bytes -= slot.entry.bytes;
        return undefined;
      }
      slots.set(key, slot);
      return slot.entry;
    },
    async set(key, entry, ttlMs) {
      drop(key);
      if (entry.bytes > maxBytes || !(ttlMs > 0)) return;
      makeRoom(entry.bytes);
      slots.set(key, { entry, expiresAt: now() + ttlMs });
      bytes += entry.bytes;
    },
  };
}
