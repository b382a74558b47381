import type { Chunk } from '@rxllm/core';
import type { OperatorFunction, SchedulerLike } from 'rxjs';
import { streamTimeout } from './stream-timeout.js';

/**
 * Fails with `LLMError` kind `timeout` (`No first chunk within ${ms} ms`, `details.clock: 'first-chunk'`) when no
 * content chunk arrives within `ms` of subscribing, and unsubscribes upstream. A chunk at exactly `ms` is late.
 *
 * @example
 * ```ts
 * provider.stream(request).pipe(firstChunkTimeout(10_000));
 * ```
 */
export function firstChunkTimeout(
  ms: number,
  options: { provider?: string; scheduler?: SchedulerLike } = {},
): OperatorFunction<Chunk, Chunk> {
  return streamTimeout({ ...options, firstChunkMs: ms });
}
