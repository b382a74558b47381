export { chunkValues, finish, reasoning, start, text, toolCall, usage } from './chunk-factories.js';
export type { ChunkTestSchedulerOptions } from './create-chunk-test-scheduler.js';
export { createChunkTestScheduler } from './create-chunk-test-scheduler.js';
