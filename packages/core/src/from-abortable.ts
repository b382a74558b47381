import { Observable, type Subscriber } from 'rxjs';
import { isAbortError } from './errors.js';

/**
 * The shared body of {@link fromAbortable} and {@link fromAbortableBatches}: runs `producer` with a fresh signal per
 * subscription and hands each value it yields to `emit`. Unsubscribing before the producer has finished aborts the
 * signal; a producer that ran to its end is left alone (its request is complete, so there is nothing to close).
 */
function abortable<Yielded, T>(
  producer: (signal: AbortSignal) => AsyncIterable<Yielded>,
  emit: (subscriber: Subscriber<T>, value: Yielded) => void,
): Observable<T> {
  return new Observable<T>((subscriber) => {
    const controller = new AbortController();
    let iterator: AsyncIterator<Yielded> | undefined;
    let finished = false;
    const run = async (): Promise<void> => {
      iterator = producer(controller.signal)[Symbol.asyncIterator]();
      while (!subscriber.closed) {
        const result = await iterator.next();
        if (result.done) {
          finished = true;
          break;
        }
        if (subscriber.closed) break;
        emit(subscriber, result.value);
      }
      subscriber.complete();
    };
    run().catch((error: unknown) => {
      if (controller.signal.aborted && (subscriber.closed || isAbortError(error))) return;
      subscriber.error(error);
    });
    return () => {
      if (finished) return;
      controller.abort();
      // Ends a suspended generator's `finally` blocks; its rejection (if any) is the abort we just caused.
      iterator?.return?.().catch(() => undefined);
    };
  });
}

/**
 * Turns an abortable async source into a cold Observable. Each subscription calls `producer` with a fresh
 * `AbortSignal`; unsubscribing before the source has ended aborts it (closing the HTTP request the signal was given
 * to) and stops iteration. Errors thrown because of that abort are not reported: the subscriber is already gone.
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
  return abortable<T, T>(producer, (subscriber, value) => subscriber.next(value));
}

/**
 * {@link fromAbortable} for a source that yields its values in batches, e.g. every chunk parsed from one network
 * read: each batch is emitted value by value, synchronously, so a read costs one `await` however many events it
 * holds. Values left in a batch when the subscriber leaves are dropped.
 *
 * @example
 * ```ts
 * const chunks$ = fromAbortableBatches(async function* (signal) {
 *   const response = await fetch(url, { signal });
 *   for await (const bytes of response.body!) yield parseEvents(bytes); // Chunk[] per read
 * });
 * ```
 */
export function fromAbortableBatches<T>(producer: (signal: AbortSignal) => AsyncIterable<Iterable<T>>): Observable<T> {
  return abortable<Iterable<T>, T>(producer, (subscriber, batch) => {
    for (const value of batch) {
      if (subscriber.closed) return;
      subscriber.next(value);
    }
  });
}
