import { type Chunk, isContentChunk, LLMError } from '@rxllm/core';
import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';

/**
 * A PROPOSAL, measured by the bench, not shipped: `streamTimeout` with the same clocks and the same exclusive
 * deadlines, but a chunk only moves a deadline (one `scheduler.now()` and an assignment). `@rxllm/timeout` 0.x
 * cancels and schedules a timer on every content chunk (an `AsyncAction` on `setInterval`), which is most of its
 * ~600 ns per chunk. Here the one pending timer, when it fires early, re-arms itself for the remaining time, so
 * timers fire at most once per `idleMs` however many chunks pass.
 *
 * @example
 * ```ts
 * provider.stream(request).pipe(lazyStreamTimeout({ firstChunkMs: 10_000, idleMs: 5_000, totalMs: 60_000 }));
 * ```
 */
export function lazyStreamTimeout(options: {
  firstChunkMs?: number;
  idleMs?: number;
  totalMs?: number;
  provider?: string;
  scheduler?: SchedulerLike;
}): OperatorFunction<Chunk, Chunk> {
  const { firstChunkMs, idleMs, totalMs } = options;
  return (source) =>
    new Observable<Chunk>((subscriber) => {
      const scheduler = options.scheduler ?? asyncScheduler;
      let provider = options.provider ?? 'unknown';
      const startedAt = scheduler.now();
      const totalDeadline = totalMs === undefined ? Number.POSITIVE_INFINITY : startedAt + totalMs;
      let clock: 'first-chunk' | 'idle' | undefined =
        firstChunkMs !== undefined ? 'first-chunk' : idleMs !== undefined ? 'idle' : undefined;
      let clockMs = clock === 'first-chunk' ? firstChunkMs! : (idleMs ?? 0);
      let chunkDeadline = clock === undefined ? Number.POSITIVE_INFINITY : startedAt + clockMs;
      let timer: Subscription | undefined;
      let finished = false;

      const fail = (which: 'first-chunk' | 'idle' | 'total', ms: number) => {
        finished = true;
        subscriber.error(
          new LLMError({
            kind: 'timeout',
            provider,
            message:
              which === 'total'
                ? `Stream took longer than ${ms} ms`
                : which === 'idle'
                  ? `No chunk for ${ms} ms`
                  : `No first chunk within ${ms} ms`,
            retryable: true,
            details: { clock: which, ms },
          }),
        );
      };
      const expired = (now: number): boolean => {
        if (now >= totalDeadline) {
          fail('total', totalMs!);
          return true;
        }
        if (clock !== undefined && now >= chunkDeadline) {
          fail(clock, clockMs);
          return true;
        }
        return false;
      };
      const check = () => {
        timer = undefined;
        if (finished) return;
        const now = scheduler.now();
        if (expired(now)) return;
        const next = Math.min(totalDeadline, chunkDeadline);
        if (Number.isFinite(next)) timer = scheduler.schedule(check, next - now);
      };
      check();

      const upstream = source.subscribe({
        next: (chunk) => {
          const now = scheduler.now();
          if (expired(now)) return;
          if (chunk.type === 'start') provider = options.provider ?? chunk.provider;
          if (isContentChunk(chunk)) {
            if (idleMs === undefined) {
              clock = undefined;
              chunkDeadline = Number.POSITIVE_INFINITY;
            } else {
              clock = 'idle';
              clockMs = idleMs;
              chunkDeadline = now + idleMs;
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
        finished = true;
        upstream.unsubscribe();
        timer?.unsubscribe();
      };
    });
}
