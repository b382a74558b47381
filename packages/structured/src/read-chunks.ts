import type { Chunk } from '@rxllm/core';
import { Observable, type OperatorFunction, type Subscriber } from 'rxjs';

/** What an operator of this package does with each chunk and at the end; throwing errors the output. */
export interface ChunkHandler {
  read(chunk: Chunk): void;
  end(): void;
}

/**
 * The subscription plumbing of every operator here: one handler per subscription, a throw becomes the output's
 * error (which unsubscribes upstream, aborting the request), upstream errors pass through unchanged.
 */
export function readChunks<TOutput>(
  setup: (subscriber: Subscriber<TOutput>) => ChunkHandler,
): OperatorFunction<Chunk, TOutput> {
  return (source) =>
    new Observable<TOutput>((subscriber) => {
      const handler = setup(subscriber);
      const run = (action: () => void) => {
        if (subscriber.closed) return;
        try {
          action();
        } catch (error) {
          subscriber.error(error);
        }
      };
      return source.subscribe({
        next: (chunk) => run(() => handler.read(chunk)),
        error: (error: unknown) => subscriber.error(error),
        complete: () =>
          run(() => {
            handler.end();
            subscriber.complete();
          }),
      });
    });
}
