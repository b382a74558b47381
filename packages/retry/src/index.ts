export { CONTINUE_PROMPT } from './continue-after-failure.js';
export type { FallbackEntry, FallbackOptions } from './fallback.js';
export { fallback, withFallback } from './fallback.js';
export type { HedgeOptions } from './hedge.js';
export { hedge, withHedge } from './hedge.js';
export type { BackoffOptions, RetryOptions } from './retry-before-first-chunk.js';
export { retryBeforeFirstChunk, retryDelayMs, withRetry } from './retry-before-first-chunk.js';
