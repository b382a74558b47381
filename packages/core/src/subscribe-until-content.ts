import { Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { type Chunk, isContentChunk } from './chunk.js';

/**
 * What to do after an attempt failed before its first content chunk: another source after `delayMs`, or give up
 * (`undefined`). `source` may be a function, called when the pause is over (a balancer picks then, once the failed
 * attempt has finished its teardown); it gives up by returning `undefined`.
 */
export type NextAttempt =
  | { source: Observable<Chunk> | (() => Observable<Chunk> | undefined); delayMs: number }
  | undefined;

/**
 * Subscribes `first`; while no content chunk has been emitted, a failure asks `next` (with the count of failures so
 * far) for another source to try, and a failure after content is passed on. Chunks before the first content chunk
 * (`start`) are held and emitted with it, so a consumer sees exactly one attempt's lifecycle chunks; an attempt that
 * completes without content releases them before completing. The rule every retry, fallback and balancer of rxllm
 * follows: nothing the consumer has seen is ever repeated.
 *
 * @example
 * ```ts
 * subscribeUntilContent(primary, (error, failures) => (failures === 1 ? { source: secondary, delayMs: 0 } : undefined), asyncScheduler);
 * ```
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
          pause = scheduler.schedule(() => {
            const source = typeof decision.source === 'function' ? decision.source() : decision.source;
            if (source) subscribeTo(source);
            else {
              pause = undefined;
              held = [];
              subscriber.error(error);
            }
          }, decision.delayMs);
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
