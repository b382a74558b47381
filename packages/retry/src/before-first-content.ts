import { type Chunk, isContentChunk } from '@rxllm/core';
import { Observable, type SchedulerLike, type Subscription } from 'rxjs';

/** What to do after an attempt failed before its first content chunk: another source after a pause, or give up. */
export type NextAttempt = { source: Observable<Chunk>; delayMs: number } | undefined;

/**
 * Subscribes `first`; while no content chunk has been emitted, a failure asks `next` for another source to try.
 * Chunks before the first content chunk (`start`) are held and emitted with it, so a consumer sees exactly one
 * attempt's lifecycle chunks; an attempt that completes without content releases them before completing.
 */
export function subscribeUntilContent(
  first: Observable<Chunk>,
  next: (error: unknown, failures: number) => NextAttempt,
  scheduler: SchedulerLike,
): Observable<Chunk> {
  return new Observable<Chunk>((subscriber) => {
    let committed = false;
    let failures = 0;
    let held: Chunk[] = [];
    let attempt: Subscription | undefined;
    let pause: Subscription | undefined;

    const release = () => {
      const chunks = held;
      held = [];
      for (const chunk of chunks) subscriber.next(chunk);
    };

    const subscribeTo = (source: Observable<Chunk>) => {
      pause = undefined;
      held = [];
      attempt = source.subscribe({
        next: (chunk) => {
          if (committed) {
            subscriber.next(chunk);
          } else if (isContentChunk(chunk)) {
            committed = true;
            release();
            subscriber.next(chunk);
          } else {
            held.push(chunk);
          }
        },
        error: (error: unknown) => {
          const decision = committed ? undefined : next(error, ++failures);
          if (!decision) {
            held = [];
            subscriber.error(error);
            return;
          }
          pause = scheduler.schedule(() => subscribeTo(decision.source), decision.delayMs);
        },
        complete: () => {
          release();
          subscriber.complete();
        },
      });
    };

    subscribeTo(first);
    return () => {
      attempt?.unsubscribe();
      pause?.unsubscribe();
      held = [];
    };
  });
}
