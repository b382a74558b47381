import type { Chunk } from '@rxllm/core';
import { Observable, type OperatorFunction } from 'rxjs';

/**
 * Options of {@link bufferChunks}.
 *
 * @example
 * ```ts
 * provider.stream(request).pipe(bufferChunks({ count: 10 }));
 * ```
 */
export interface BufferChunksOptions {
  /** Chunks per emitted array; a positive integer. */
  count: number;
}

/**
 * Collects chunks into arrays of `count`, like RxJS `bufferCount`, but a partial array is flushed on completion
 * *and before an error*, so no chunk the provider delivered is lost when the stream fails.
 *
 * ```
 * source:  -a-b-c-d-#        bufferChunks(3)
 * result:  -----x---(y#)     x = [a, b, c], y = [d]
 * ```
 *
 * @example
 * ```ts
 * provider.stream(request).pipe(bufferChunks(10)).subscribe((chunks) => render(chunks));
 * ```
 */
export function bufferChunks(countOrOptions: number | BufferChunksOptions): OperatorFunction<Chunk, Chunk[]> {
  const count = typeof countOrOptions === 'number' ? countOrOptions : countOrOptions.count;
  if (!Number.isInteger(count) || count < 1)
    throw new RangeError(`bufferChunks: count must be a positive integer, got ${count}`);
  return (source) =>
    new Observable<Chunk[]>((subscriber) => {
      let buffer: Chunk[] = [];
      const flush = () => {
        if (buffer.length === 0) return;
        const full = buffer;
        buffer = [];
        subscriber.next(full);
      };
      const upstream = source.subscribe({
        next: (chunk) => {
          buffer.push(chunk);
          if (buffer.length >= count) flush();
        },
        error: (error: unknown) => {
          flush();
          subscriber.error(error);
        },
        complete: () => {
          flush();
          subscriber.complete();
        },
      });
      return () => {
        upstream.unsubscribe();
        buffer = [];
      };
    });
}
