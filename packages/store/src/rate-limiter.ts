import type { Redis } from 'ioredis';

export interface RateLimitResult {
  allowed: boolean;
  /** Tokens left after this request. */
  remaining: number;
  /** When not allowed: how long until enough tokens are back (for `Retry-After`). */
  retryAfterMs: number;
}

/** A token bucket per key (client key or IP). */
export interface RateLimiter {
  take(key: string, cost?: number): Promise<RateLimitResult>;
}

export interface TokenBucketOptions {
  /** Bucket size: the burst a client may make. */
  capacity: number;
  /** Tokens added per second. */
  refillPerSecond: number;
}

export interface MemoryRateLimiterOptions extends TokenBucketOptions {
  /** Most keys remembered; the least recently used are forgotten first (a forgotten key starts full). Default 100,000. */
  maxKeys?: number;
  now?: () => number;
}

/**
 * A token-bucket {@link RateLimiter} in this process's memory, bounded in keys.
 *
 * @example
 * ```ts
 * const limiter = memoryRateLimiter({ capacity: 20, refillPerSecond: 1 });
 * const { allowed, retryAfterMs } = await limiter.take(clientIp);
 * ```
 */
export function memoryRateLimiter(options: MemoryRateLimiterOptions): RateLimiter {
  const { capacity, refillPerSecond, maxKeys = 100_000, now = Date.now } = options;
  const buckets = new Map<string, { tokens: number; updatedAt: number }>();
  return {
    async take(key, cost = 1) {
      const time = now();
      const bucket = buckets.get(key) ?? { tokens: capacity, updatedAt: time };
      buckets.delete(key);
      bucket.tokens = Math.min(capacity, bucket.tokens + ((time - bucket.updatedAt) / 1000) * refillPerSecond);
      bucket.updatedAt = time;
      const allowed = bucket.tokens >= cost;
      if (allowed) bucket.tokens -= cost;
      buckets.set(key, bucket);
      if (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value as string);
      return {
        allowed,
        remaining: Math.floor(bucket.tokens),
        retryAfterMs: allowed ? 0 : Math.ceil(((cost - bucket.tokens) / refillPerSecond) * 1000),
      };
    },
  };
}

// Atomic refill-and-take on the Redis server's clock, so every instance shares one bucket per key.
const tokenBucketScript = `
local capacity = tonumber(ARGV[1])
local per_ms = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * per_ms)
local allowed = 0
local retry = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  retry = math.ceil((cost - tokens) / per_ms)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / per_ms) + 1000)
return {allowed, tostring(tokens), retry}
`;

export interface RedisRateLimiterOptions extends TokenBucketOptions {
  /** Key prefix. Default `rxllm:`. */
  prefix?: string;
}

/**
 * A token-bucket {@link RateLimiter} on Redis, shared by every instance (one Lua script per take, atomic).
 *
 * @example
 * ```ts
 * const limiter = redisRateLimiter(new Redis(process.env.REDIS_URL!), { capacity: 20, refillPerSecond: 1 });
 * ```
 */
export function redisRateLimiter(redis: Redis, options: RedisRateLimiterOptions): RateLimiter {
  const { capacity, refillPerSecond, prefix = 'rxllm:' } = options;
  const perMs = refillPerSecond / 1000;
  return {
    async take(key, cost = 1) {
      const [allowed, tokens, retry] = (await redis.eval(
        tokenBucketScript,
        1,
        `${prefix}ratelimit:${key}`,
        capacity,
        perMs,
        cost,
      )) as [number, string, number];
      return { allowed: allowed === 1, remaining: Math.floor(Number(tokens)), retryAfterMs: Number(retry) };
    },
  };
}
