import type { Chunk } from '@rxllm/core';
import type { OperatorFunction, SchedulerLike } from 'rxjs';
import { streamTimeout } from './stream-timeout.js';

/**
 * Fails with `LLMError` kind `timeout` (`Stream took longer than ${ms} ms`, `details.clock: 'total'`) when the
 * stream has not completed `ms` after subscribing, and unsubscribes upstream. Completing at exactly `ms` is late.
 *
 * @example
 * ```ts
 * provider.stream(request).pipe(totalTimeout(60_000));
 * ```
 */
export function totalTimeout(
  ms: number,
  options: { provider?: string; scheduler?: SchedulerLike } = {},
): OperatorFunction<Chunk, Chunk> {
  return streamTimeout({ ...options, totalMs: ms });
}
