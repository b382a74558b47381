import { type Chunk, isContentChunk, LLMError } from '@rxllm/core';
import {
  asyncScheduler,
  Observable,
  type OperatorFunction,
  type SchedulerAction,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';

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
      const startedAt = scheduler.now();
      const totalDeadline = totalMs === undefined ? Number.POSITIVE_INFINITY : startedAt + totalMs;
      let chunkClock: TimeoutClock | undefined =
        firstChunkMs !== undefined ? 'first-chunk' : idleMs !== undefined ? 'idle' : undefined;
      let chunkClockMs = (chunkClock === 'first-chunk' ? firstChunkMs : idleMs) ?? 0;
      let chunkDeadline = chunkClock === undefined ? Number.POSITIVE_INFINITY : startedAt + chunkClockMs;
      let sawContent = false;
      // One timer for the earliest deadline. A content chunk only moves `chunkDeadline` (cancelling and scheduling
      // a timer per chunk was most of the operator's cost); the timer, when it fires before the moved deadline,
      // re-arms itself for the time that is left. It is due no later than any deadline: a deadline only moves
      // earlier at the switch from the first-chunk clock to a shorter idle clock, which re-arms it.
      let timer: Subscription | undefined;
      let timerDueAt = Number.POSITIVE_INFINITY;

      // An event at exactly a deadline counts as late, even if the scheduler delivers it before the timer.
      const expired = (now: number): boolean => {
        if (now >= totalDeadline) {
          subscriber.error(timeoutError('total', totalMs as number, provider));
          return true;
        }
        if (chunkClock !== undefined && now >= chunkDeadline) {
          subscriber.error(timeoutError(chunkClock, chunkClockMs, provider));
          return true;
        }
        return false;
      };

      const arm = (now: number) => {
        timer?.unsubscribe();
        timer = undefined;
        timerDueAt = Math.min(totalDeadline, chunkDeadline);
        if (timerDueAt === Number.POSITIVE_INFINITY) return;
        timer = scheduler.schedule(function (this: SchedulerAction<unknown>) {
          const firedAt = scheduler.now();
          if (expired(firedAt)) return;
          timerDueAt = Math.min(totalDeadline, chunkDeadline);
          if (timerDueAt !== Number.POSITIVE_INFINITY) this.schedule(undefined, timerDueAt - firedAt);
        }, timerDueAt - now);
      };

      arm(startedAt);

      const upstream = source.subscribe({
        next: (chunk) => {
          const now = scheduler.now();
          if (expired(now)) return;
          if (chunk.type === 'start') provider = options.provider ?? chunk.provider;
          if (isContentChunk(chunk)) {
            if (sawContent) {
              // idleMs is set whenever a chunk clock is still running after the first content chunk.
              if (chunkClock !== undefined) chunkDeadline = now + chunkClockMs;
            } else {
              sawContent = true;
              chunkClock = idleMs === undefined ? undefined : 'idle';
              chunkClockMs = idleMs ?? 0;
              chunkDeadline = idleMs === undefined ? Number.POSITIVE_INFINITY : now + idleMs;
              // Once per stream: a shorter idle clock must not wait for the first-chunk timer, and a stream with
              // no clock left but the total one should not keep a timer for the first-chunk deadline.
              if (Math.min(totalDeadline, chunkDeadline) !== timerDueAt) arm(now);
            }
          }
          subscriber.next(chunk);
        },
        error: (error: unknown) => {
          if (!expired(scheduler.now())) subscriber.error(error);
        },
        complete: () => {
          if (!expired(scheduler.now())) subscriber.complete();
        },
      });

      return () => {
        upstream.unsubscribe();
        timer?.unsubscribe();
        timer = undefined;
      };
    });
}
