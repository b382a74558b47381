export type { GenerationStore, GenerationStoreOptions, StoredEvent } from './generation-store.js';
export {
  EventsExpiredError,
  isTerminalEvent,
  StoreFullError,
  StreamNotFoundError,
  TERMINAL_EVENT_TYPES,
} from './generation-store.js';
export type { MemoryGenerationStoreOptions } from './memory-generation-store.js';
export { MemoryGenerationStore } from './memory-generation-store.js';
export type {
  MemoryRateLimiterOptions,
  RateLimiter,
  RateLimitResult,
  RedisRateLimiterOptions,
  TokenBucketOptions,
} from './rate-limiter.js';
export { memoryRateLimiter, redisRateLimiter } from './rate-limiter.js';
export type { RedisGenerationStoreOptions } from './redis-generation-store.js';
export { RedisGenerationStore } from './redis-generation-store.js';
