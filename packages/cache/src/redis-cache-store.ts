import { CHUNK_TYPES } from '@rxllm/core';
import type { CachedCompletion, CacheStore } from './cache-store.js';

/**
 * The two Redis commands {@link redisCacheStore} uses, typed structurally so this package needs no Redis client:
 * an `ioredis` client fits as it is.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * const redis: RedisLike = new Redis(process.env.REDIS_URL!);
 * ```
 */
export interface RedisLike {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, mode: 'PX', ttlMs: number): Promise<unknown>;
}

/**
 * Options of {@link redisCacheStore}.
 *
 * @example
 * ```ts
 * const options: RedisCacheStoreOptions = { prefix: 'staging:' }; // keys 'staging:cache:<key>'
 * ```
 */
export interface RedisCacheStoreOptions {
  /** Key prefix, so several deployments can share a Redis. Default `rxllm:`. */
  prefix?: string;
}

const chunkTypes: ReadonlySet<string> = new Set(CHUNK_TYPES);

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** The outer shape and each chunk's `type`: enough to replay without throwing, not a full schema of `Chunk`. */
function isCachedCompletion(value: unknown): value is CachedCompletion {
  return (
    isRecord(value) &&
    isFiniteNumber(value.bytes) &&
    Array.isArray(value.chunks) &&
    value.chunks.every(
      (item: unknown) =>
        isRecord(item) &&
        isFiniteNumber(item.offsetMs) &&
        isRecord(item.chunk) &&
        typeof item.chunk.type === 'string' &&
        chunkTypes.has(item.chunk.type),
    )
  );
}

/**
 * A {@link CacheStore} on Redis, shared by every instance: one JSON string per entry at `${prefix}cache:${key}`,
 * written with `SET … PX ttlMs` so Redis expires it. A value that does not parse as JSON or has not the shape of a
 * {@link CachedCompletion} reads as a miss; a Redis failure rejects (and {@link cacheCompletion} serves a miss).
 * `ttlMs` is rounded up to whole milliseconds; it must be finite (Redis has no "never").
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * const store = redisCacheStore(new Redis(process.env.REDIS_URL!), { prefix: 'rxllm:' });
 * const cached = withCache(openai, { store, ttlMs: 24 * 60 * 60 * 1000 });
 * ```
 */
export function redisCacheStore(redis: RedisLike, options: RedisCacheStoreOptions = {}): CacheStore {
  const prefix = options.prefix ?? 'rxllm:';
  const redisKey = (key: string) => `${prefix}cache:${key}`;
  return {
    async get(key) {
      const value = await redis.get(redisKey(key));
      if (value === null) return undefined;
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        return undefined;
      }
      return isCachedCompletion(parsed) ? parsed : undefined;
    },
    async set(key, entry, ttlMs) {
      if (!(ttlMs > 0)) return;
      await redis.set(redisKey(key), JSON.stringify(entry), 'PX', Math.ceil(ttlMs));
    },
  };
}
