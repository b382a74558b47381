import type { Chunk, TextChunk } from '@rxllm/core';
import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';

/**
 * Options of {@link bufferText}.
 *
 * @example
 * ```ts
 * const options: BufferTextOptions = { minChars: 50, maxDelayMs: 100 };
 * provider.stream(request).pipe(bufferText(options));
 * ```
 */
export interface BufferTextOptions {
  /** Flush once this many characters (UTF-16 code units, like `string.length`) are buffered. */
  minChars: number;
  /** Flush at the latest this long after the first buffered character arrived. Default: no time bound. */
  maxDelayMs?: number;
  /** Time source; `asyncScheduler` by default, a `TestScheduler` in tests. */
  scheduler?: SchedulerLike;
}

/**
 * Merges consecutive text chunks into one text chunk once `minChars` are buffered or `maxDelayMs` have passed since
 * the first buffered character: the seed's "update the UI every 50 chars", with a bound on how long text waits.
 * Flushes before any non-text chunk (which passes through in order), on completion and before an error.
 * A single buffered chunk is emitted as it came (metadata kept); merged chunks carry only `type` and `text`.
 *
 * A text chunk arriving at exactly the `maxDelayMs` deadline starts the next buffer: the earlier text is flushed
 * without it, whichever of the timer and the chunk the scheduler runs first.
 *
 * ```
 * source:  -a-b-c-------d-|       bufferText({ minChars: 6, maxDelayMs: 5 }), each letter 2 chars
 * result:  -----x---------(y|)    x = a+b+c (6 chars); y = d (flushed on completion)
 * ```
 *
 * @example
 * ```ts
 * provider.stream(request).pipe(bufferText({ minChars: 50, maxDelayMs: 100 })).subscribe(updateUi);
 * ```
 */
export function bufferText(options: BufferTextOptions): OperatorFunction<Chunk, Chunk> {
  const { minChars, maxDelayMs } = options;
  return (source) =>
    new Observable<Chunk>((subscriber) => {
      const scheduler = options.scheduler ?? asyncScheduler;
      let buffered: TextChunk[] = [];
      let length = 0;
      let deadline = Number.POSITIVE_INFINITY;
      // One pending timer at most, never cancelled on a flush: when it fires it flushes a buffer that has reached its
      // deadline, re-arms for a younger buffer's remaining time, or lapses when nothing is buffered. A timer per
      // buffer (schedule + cancel on every size flush) cost more than the rest of the operator.
      let timer: Subscription | undefined;

      const flush = () => {
        deadline = Number.POSITIVE_INFINITY;
        if (buffered.length === 0) return;
        const chunks = buffered;
        buffered = [];
        length = 0;
        subscriber.next(
          chunks.length === 1 ? chunks[0]! : { type: 'text', text: chunks.map((chunk) => chunk.text).join('') },
        );
      };

      const onTimer = () => {
        timer = undefined;
        if (buffered.length === 0) return;
        const remaining = deadline - scheduler.now();
        if (remaining <= 0) flush();
        else timer = scheduler.schedule(onTimer, remaining);
      };

      const upstream = source.subscribe({
        next: (chunk) => {
          if (chunk.type !== 'text') {
            flush();
            subscriber.next(chunk);
            return;
          }
          if (scheduler.now() >= deadline) flush();
          if (buffered.length === 0 && maxDelayMs !== undefined) {
            deadline = scheduler.now() + maxDelayMs;
            // A pending timer fires at or before this deadline (it was set for an older one) and re-arms then.
            timer ??= scheduler.schedule(onTimer, maxDelayMs);
          }
          buffered.push(chunk);
          length += chunk.text.length;
          if (length >= minChars) flush();
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
        timer?.unsubscribe();
        timer = undefined;
        buffered = [];
      };
    });
}
