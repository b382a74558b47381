import type { Observable, Subscription } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';

type TestMessage = ReturnType<typeof TestScheduler.parseMarbles>[number];
type SubscriptionLog = ReturnType<typeof TestScheduler.parseMarblesAsSubscriptions>;

/** Lets every pending promise callback run (setImmediate comes after the microtask queue). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Marble tests for an operator that awaits a promise on subscribe (the store lookup). `TestScheduler.run` flushes
 * virtual time synchronously, before any promise can settle, so here the scheduler runs in virtual time outside
 * `run`: `subscribe` subscribes at the current frame, then alternates settling promises and flushing the scheduler
 * until neither has work left, and returns the notifications as marble frames. Marbles are parsed in run mode
 * (1 frame = 1 ms, `5ms` time progressions), so `frames`/`subscriptions` compare with `toEqual`.
 * A promise that settles during a flush is seen at the frame where that flush ended.
 */
export function virtualTime() {
  const scheduler = new TestScheduler(() => {
    throw new Error('compare the frames with expect() instead');
  });
  scheduler.maxFrames = Number.POSITIVE_INFINITY;
  const inRunMode = <TValue>(parse: () => TValue): TValue => scheduler.run(parse);
  return {
    scheduler,
    cold: <TValue>(marbles: string, values?: Record<string, TValue>, error?: unknown) =>
      inRunMode(() => scheduler.createColdObservable(marbles, values, error)),
    frames: <TValue>(marbles: string, values?: Record<string, TValue>, error?: unknown): TestMessage[] =>
      inRunMode(() => TestScheduler.parseMarbles(marbles, values, error, true, true)),
    subscriptions: (marbles: string): SubscriptionLog =>
      inRunMode(() => TestScheduler.parseMarblesAsSubscriptions(marbles, true)),
    async subscribe<TValue>(observable: Observable<TValue>, options: { unsubscribeAt?: number } = {}) {
      const messages: TestMessage[] = [];
      const at = (notification: TestMessage['notification']) => messages.push({ frame: scheduler.now(), notification });
      const subscription: Subscription = observable.subscribe({
        next: (value) => at({ kind: 'N', value }),
        error: (error: unknown) => at({ kind: 'E', error }),
        complete: () => at({ kind: 'C' }),
      });
      if (options.unsubscribeAt !== undefined) {
        scheduler.schedule(() => subscription.unsubscribe(), options.unsubscribeAt - scheduler.now());
      }
      do {
        await settle();
        scheduler.flush();
        await settle();
      } while (scheduler.actions.length > 0);
      return messages;
    },
  };
}
