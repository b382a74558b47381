import { type Chunk, isContentChunk, LLMError } from '@rxllm/core';
import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';

/**
 * Which clock fired: `first-chunk` (subscription → first content chunk), `idle` (between content chunks), `total`.
 *
 * @example
 * ```ts
 * if (LLMError.isInstance(error) && error.details?.clock === 'idle') console.log('the stream stalled');
 * ```
 */
export type TimeoutClock = 'first-chunk' | 'idle' | 'total';

/**
 * Options of {@link streamTimeout}; every clock is optional.
 *
 * @example
 * ```ts
 * const options: StreamTimeoutOptions = { firstChunkMs: 10_000, idleMs: 5_000, totalMs: 60_000 };
 * ```
 */
export interface StreamTimeoutOptions {
  /** Longest wait from subscription to the first content chunk (text, reasoning or tool-call). */
  firstChunkMs?: number;
  /**
   * Longest gap between two content chunks. Without `firstChunkMs` it also bounds the wait for the first one,
   * so a stall anywhere is caught.
   */
  idleMs?: number;
  /** Longest time from subscription to completion. */
  totalMs?: number;
  /** Provider named in the error until a `start` chunk names one. Default `'unknown'`. */
  provider?: string;
  /** Time source; `asyncScheduler` by default, a `TestScheduler` in tests. */
  scheduler?: SchedulerLike;
}

const messages: Record<TimeoutClock, (ms: number) => string> = {
  'first-chunk': (ms) => `No first chunk within ${ms} ms`,
  idle: (ms) => `No chunk for ${ms} ms`,
  total: (ms) => `Stream took longer than ${ms} ms`,
};

/**
 * The `LLMError` a timeout fails with: kind `timeout`, retryable, `details: { clock, ms }`.
 *
 * @example
 * ```ts
 * timeoutError('idle', 5_000, 'openai').message; // 'No chunk for 5000 ms'
 * ```
 */
export function timeoutError(clock: TimeoutClock, ms: number, provider: string): LLMError {
  return new LLMError({
    kind: 'timeout',
    provider,
    message: messages[clock](ms),
    retryable: true,
    details: { clock, ms },
  });
}

/**
 * Fails the stream with an `LLMError` of kind `timeout` when the first content chunk, the next content chunk or
 * the whole stream takes too long, and unsubscribes upstream (which aborts the HTTP request).
 *
 * Deadlines are exclusive: a chunk must arrive *before* `ms` has elapsed; one arriving at exactly the deadline is
 * late and the stream fails. The rule holds whichever of the timer and the chunk the scheduler runs first.
 * Non-content chunks (`start`, `usage`, `finish`) reset no clock.
 *
 * ```
 * source:  -a-----b---|        streamTimeout({ idleMs: 4 }) with frames of 1 ms
 * result:  -a---#               # = LLMError "No chunk for 4 ms", details { clock: 'idle', ms: 4 }
 * ```
 *
 * @example
 * ```ts
 * provider.stream(request).pipe(streamTimeout({ firstChunkMs: 10_000, idleMs: 5_000, totalMs: 60_000 }));
 * ```
 */
export function streamTimeout(options: StreamTimeoutOptions): OperatorFunction<Chunk, Chunk> {
  const { firstChunkMs, idleMs, totalMs } = options;
  return (source) =>
    new Observable<Chunk>((subscriber) => {
      const scheduler = options.scheduler ?? asyncScheduler;
      let provider = options.provider ?? 'unknown';
      let sawContent = false;
      let chunkClock: { clock: TimeoutClock; ms: number; deadline: number; timer: Subscription } | undefined;
      let totalTimer: Subscription | undefined;
      const totalDeadline = totalMs === undefined ? undefined : scheduler.now() + totalMs;

      const fail = (clock: TimeoutClock, ms: number) => subscriber.error(timeoutError(clock, ms, provider));

      const armChunkClock = () => {
        chunkClock?.timer.unsubscribe();
        chunkClock = undefined;
        const clock: TimeoutClock | undefined =
          !sawContent && firstChunkMs !== undefined ? 'first-chunk' : idleMs !== undefined ? 'idle' : undefined;
        const ms = clock === 'first-chunk' ? firstChunkMs : idleMs;
        if (clock === undefined || ms === undefined) return;
        const timer = scheduler.schedule(() => fail(clock, ms), ms);
        chunkClock = { clock, ms, deadline: scheduler.now() + ms, timer };
      };

      // An event at exactly a deadline counts as late, even if the scheduler delivers it before the timer.
      const expired = (): boolean => {
        const now = scheduler.now();
        if (totalMs !== undefined && totalDeadline !== undefined && now >= totalDeadline) {
          fail('total', totalMs);
          return true;
        }
        if (chunkClock && now >= chunkClock.deadline) {
          fail(chunkClock.clock, chunkClock.ms);
          return true;
        }
        return false;
      };

      if (totalMs !== undefined) totalTimer = scheduler.schedule(() => fail('total', totalMs), totalMs);
      armChunkClock();

      const upstream = source.subscribe({
        next: (chunk) => {
          if (expired()) return;
          if (chunk.type === 'start') provider = options.provider ?? chunk.provider;
          if (isContentChunk(chunk)) {
            sawContent = true;
            armChunkClock();
          }
          subscriber.next(chunk);
        },
        error: (error: unknown) => {
          if (!expired()) subscriber.error(error);
        },
        complete: () => {
          if (!expired()) subscriber.complete();
        },
      });

      return () => {
        upstream.unsubscribe();
        chunkClock?.timer.unsubscribe();
        totalTimer?.unsubscribe();
        chunkClock = undefined;
      };
    });
}
