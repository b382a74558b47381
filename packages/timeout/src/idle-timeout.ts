import type { Chunk } from '@rxllm/core';
import type { OperatorFunction, SchedulerLike } from 'rxjs';
import { streamTimeout } from './stream-timeout.js';

/**
 * Fails with `LLMError` kind `timeout` (`No chunk for ${ms} ms`, `details.clock: 'idle'`) when `ms` pass without a
 * content chunk (counted from subscription, then from each content chunk), and unsubscribes upstream.
 * A chunk at exactly `ms` after the previous one is late.
 *
 * @example
 * ```ts
 * provider.stream(request).pipe(idleTimeout(5_000));
 * ```
 */
export function idleTimeout(
  ms: number,
  options: { provider?: string; scheduler?: SchedulerLike } = {},
): OperatorFunction<Chunk, Chunk> {
  return streamTimeout({ ...options, idleMs: ms });
}
