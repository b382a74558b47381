import { type Chunk, isContentChunk } from '@rxllm/core';
import { Observable, type SchedulerLike, type Subscription } from 'rxjs';

/** How {@link subscribeUntilContent} moves on after a failure before content (internal). */
export interface MoveOn {
  /** Whether this failure may move on to another source. */
  accepts(error: unknown): boolean;
  /** The next source, asked after a 0 ms pause on the scheduler; `undefined` passes the failure on. */
  next(): Observable<Chunk> | undefined;
  scheduler: SchedulerLike;
}

/**
 * Subscribes `first`; while no content chunk has been emitted, a failure that `moveOn` accepts continues with its
 * next source. Chunks before the first content chunk (`start`) are held and emitted with it, so a consumer sees one
 * attempt's lifecycle chunks; an attempt that completes without content releases them before completing. The same
 * rule as `@rxllm/retry`'s fallback, which this package may not import (operators depend on core and rxjs only).
 */
export function subscribeUntilContent(first: Observable<Chunk>, moveOn: MoveOn): Observable<Chunk> {
  return new Observable<Chunk>((subscriber) => {
    let committed = false;
    let held: Chunk[] = [];
    let attempt: Subscription | undefined;
    let pause: Subscription | undefined;

    const release = () => {
      const chunks = held;
      held = [];
      for (const chunk of chunks) subscriber.next(chunk);
    };

    const moveOnAfter = (error: unknown) => {
      pause = undefined;
      const source = moveOn.next();
      if (source) subscribeTo(source);
      else subscriber.error(error);
    };

    const subscribeTo = (source: Observable<Chunk>) => {
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
          held = [];
          if (committed || !moveOn.accepts(error)) subscriber.error(error);
          // The pause lets the failed attempt finish its teardown (in-flight count, breaker) before the next pick.
          else pause = moveOn.scheduler.schedule(() => moveOnAfter(error), 0);
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
