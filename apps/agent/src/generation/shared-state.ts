import { type CacheStore, memoryCacheStore, redisCacheStore } from '@rxllm/cache';
import {
  type GenerationStore,
  MemoryGenerationStore,
  memoryRateLimiter,
  type RateLimiter,
  RedisGenerationStore,
  redisRateLimiter,
} from '@rxllm/store';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AgentConfig } from '../config.js';
import { type ChatStreams, memoryChatStreams, redisChatStreams } from './chat-streams.js';
import { memorySpendStore, redisSpendStore, type SpendStore } from './spend.js';

/** A limiter per rate, each a token bucket of a minute's worth (burst = the rate), made on first use. */
function limiters(
  make: (bucket: { capacity: number; refillPerSecond: number }) => RateLimiter,
): (perMinute: number) => RateLimiter {
  const byRate = new Map<number, RateLimiter>();
  return (perMinute) => {
    let limiter = byRate.get(perMinute);
    if (!limiter) {
      limiter = make({ capacity: perMinute, refillPerSecond: perMinute / 60 });
      byRate.set(perMinute, limiter);
    }
    return limiter;
  };
}

/** The cache store with Redis configured: in Redis for `CACHE=redis`, this process's memory for `CACHE=memory`. */
function cacheStoreOn(redis: Redis, config: AgentConfig): CacheStore | undefined {
  if (config.cache.store === 'redis') return redisCacheStore(redis);
  return config.cache.store === 'memory' ? memoryCacheStore({ maxBytes: config.cache.maxBytes }) : undefined;
}

/** How long an attachment counts without a refresh; clients refresh at a third of it. */
export const watcherTtlMs = 30_000;

/** The state agents share: in this process, or in Redis when `REDIS_URL` is set. */
export interface SharedState {
  readonly store: GenerationStore;
  /** Each UI chat's newest stream, for its resume request. */
  readonly chatStreams: ChatStreams;
  /** The response cache's store (`CACHE`); undefined when the cache is off. */
  readonly cache: CacheStore | undefined;
  /** What each named key spent today and this month (`AGENT_KEYS` budgets). */
  readonly spend: SpendStore;
  /** The rate limiter of a key with its own `rateLimitPerMinute` (one per rate, made on first use). */
  keyLimiter(perMinute: number): RateLimiter;
  /** Undefined when `RATE_LIMIT_PER_MINUTE` is 0. */
  readonly limiter: RateLimiter | undefined;
  /** `memory` or `redis`, for logs and `/readyz`. */
  readonly kind: 'memory' | 'redis';
  /** False while the configured Redis is unreachable. */
  isHealthy(): boolean;
  close(): Promise<void>;
}

/**
 * Builds the generation store and the rate limiter from the configuration: Redis (shared across instances) when
 * `REDIS_URL` is set, else this process's memory (bounded, expiring).
 *
 * @example
 * ```ts
 * const shared = await createSharedState(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }), logger);
 * shared.isHealthy(); // true once connected
 * ```
 */
export async function createSharedState(config: AgentConfig, logger: Logger): Promise<SharedState> {
  const storeOptions = { finishedTtlMs: config.resumeRetentionMs, watcherTtlMs };
  const bucket =
    config.rateLimitPerMinute > 0
      ? { capacity: config.rateLimitBurst, refillPerSecond: config.rateLimitPerMinute / 60 }
      : undefined;
  if (!config.redisUrl) {
    const store = new MemoryGenerationStore({ ...storeOptions, maxGenerations: config.resumeMaxGenerations });
    return {
      store,
      chatStreams: memoryChatStreams(config.resumeMaxGenerations),
      cache: config.cache.store === 'none' ? undefined : memoryCacheStore({ maxBytes: config.cache.maxBytes }),
      spend: memorySpendStore(),
      keyLimiter: limiters((bucketOf) => memoryRateLimiter(bucketOf)),
      limiter: bucket ? memoryRateLimiter(bucket) : undefined,
      kind: 'memory',
      isHealthy: () => true,
      close: () => store.close(),
    };
  }
  // Fail fast while Redis is away instead of queueing commands for minutes: a request answers 503, not a hang.
  const redis = new Redis(config.redisUrl, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2_000,
    lazyConnect: true,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  let lastReported = '';
  const report = (status: string, error?: Error) => {
    if (status === lastReported) return;
    lastReported = status;
    // The URL may carry a password: log the condition, never the URL or the client's message with it.
    if (status === 'ready') logger.info('Redis connected');
    else logger.warn({ code: (error as { code?: string } | undefined)?.code }, `Redis ${status}`);
  };
  redis.on('ready', () => report('ready'));
  redis.on('error', (error: Error) => report('unreachable', error));
  redis.on('end', () => report('connection closed'));
  await redis.connect().catch(() => undefined);
  const store = new RedisGenerationStore(redis, storeOptions);
  return {
    store,
    chatStreams: redisChatStreams(redis),
    cache: cacheStoreOn(redis, config),
    spend: redisSpendStore(redis),
    keyLimiter: limiters((bucketOf) => redisRateLimiter(redis, bucketOf)),
    limiter: bucket ? redisRateLimiter(redis, bucket) : undefined,
    kind: 'redis',
    isHealthy: () => redis.status === 'ready',
    async close() {
      await store.close();
      redis.disconnect();
    },
  };
}
