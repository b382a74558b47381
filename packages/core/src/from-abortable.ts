import { Observable } from 'rxjs';
import { isAbortError } from './errors.js';

/**
 * Turns an abortable async source into a cold Observable. Each subscription calls `producer` with a fresh
 * `AbortSignal`; unsubscribing aborts it (closing the HTTP request the signal was given to) and stops iteration.
 * Errors thrown because of that abort are not reported: the subscriber is already gone.
 *
 * @example
 * ```ts
 * const chunks$ = fromAbortable(async function* (signal) {
 *   const stream = await client.chat.completions.create({ ...body, stream: true }, { signal });
 *   for await (const event of stream) yield* toChunks(event);
 * });
 * ```
 */
export function fromAbortable<T>(producer: (signal: AbortSignal) => AsyncIterable<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    const controller = new AbortController();
    let iterator: AsyncIterator<T> | undefined;
    const run = async (): Promise<void> => {
      iterator = producer(controller.signal)[Symbol.asyncIterator]();
      while (!subscriber.closed) {
        const result = await iterator.next();
        if (result.done || subscriber.closed) break;
        subscriber.next(result.value);
      }
      subscriber.complete();
    };
    run().catch((error: unknown) => {
      if (controller.signal.aborted && (subscriber.closed || isAbortError(error))) return;
      subscriber.error(error);
    });
    return () => {
      controller.abort();
      // Ends a suspended generator's `finally` blocks; its rejection (if any) is the abort we just caused.
      iterator?.return?.().catch(() => undefined);
    };
  });
}
