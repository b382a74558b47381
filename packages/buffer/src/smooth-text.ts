import type { Chunk } from '@rxllm/core';
import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';

/**
 * How `smoothText` cuts text: words (Intl.Segmenter, CJK-aware), lines, a RegExp, or your own `Intl.Segmenter`.
 *
 * @example
 * ```ts
 * const chunking: SmoothTextChunking = /[.!?]\s+/; // sentences
 * ```
 */
export type SmoothTextChunking = 'word' | 'line' | RegExp | Intl.Segmenter;

/**
 * Options of {@link smoothText}.
 *
 * @example
 * ```ts
 * const options: SmoothTextOptions = { delayMs: 20, chunking: new Intl.Segmenter('ja', { granularity: 'word' }) };
 * provider.stream(request).pipe(smoothText(options));
 * ```
 */
export interface SmoothTextOptions {
  /** Pause between two emitted pieces. Default 10 ms. */
  delayMs?: number;
  /** Default `'word'`. */
  chunking?: SmoothTextChunking;
  /**
   * Most characters held back (queued pieces plus the unfinished last piece). When text arrives faster than it
   * can be paced, the oldest pieces are emitted at once, merged, to get back under the bound. Default 2000.
   */
  maxBufferedChars?: number;
  /** Time source; `asyncScheduler` by default, a `TestScheduler` in tests. */
  scheduler?: SchedulerLike;
}

/** Splits text into finished pieces and the unfinished tail, which may still grow with the next chunk. */
type Splitter = (text: string) => { pieces: string[]; rest: string };

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

function segmenterSplitter(segmenter: Intl.Segmenter): Splitter {
  const byWord = segmenter.resolvedOptions().granularity === 'word';
  return (text) => {
    const pieces: string[] = [];
    let current = '';
    let currentHasWord = false;
    for (const segment of segmenter.segment(text)) {
      // A piece is a word plus the spaces and punctuation after it; the next word closes it.
      const startsPiece = byWord ? segment.isWordLike === true && currentHasWord : current !== '';
      if (startsPiece) {
        pieces.push(current);
        current = '';
        currentHasWord = false;
      }
      current += segment.segment;
      if (segment.isWordLike) currentHasWord = true;
    }
    return { pieces, rest: current };
  };
}

function regExpSplitter(pattern: RegExp): Splitter {
  const regExp = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
  return (text) => {
    const pieces: string[] = [];
    let rest = text;
    for (;;) {
      const match = regExp.exec(rest);
      if (!match || match.index + match[0].length === 0) break;
      let end = match.index + match[0].length;
      // Never end a piece between the halves of a surrogate pair.
      if (isHighSurrogate(rest.charCodeAt(end - 1))) end += 1;
      if (end > rest.length) break;
      pieces.push(rest.slice(0, end));
      rest = rest.slice(end);
    }
    return { pieces, rest };
  };
}

function splitterFor(chunking: SmoothTextChunking): Splitter {
  if (chunking === 'word') return segmenterSplitter(new Intl.Segmenter(undefined, { granularity: 'word' }));
  if (chunking === 'line') return regExpSplitter(/\n+/);
  if (chunking instanceof RegExp) return regExpSplitter(chunking);
  return segmenterSplitter(chunking);
}

/** Where to cut an over-long unfinished piece so no grapheme (emoji sequence, accent, surrogate pair) breaks. */
function lastGraphemeBoundary(text: string): number {
  let boundary = 0;
  for (const segment of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text))
    boundary = segment.index;
  return boundary;
}

type Queued = { text: string } | { chunk: Chunk };

/**
 * Re-chunks text into words, lines or segments and emits one piece per `delayMs`, for a steady typing effect
 * whatever the provider's chunk sizes. Words come from `Intl.Segmenter` (granularity `word`), so Chinese and
 * Japanese text is cut between words, not bytes; no piece ever splits a surrogate pair or a grapheme.
 * Non-text chunks keep their place in the order (they are emitted right after the text before them, without a pause).
 * Held text is bounded by `maxBufferedChars`: past it the oldest pieces are emitted at once. Everything still held is
 * emitted on completion and before an error.
 *
 * ```
 * source:  a------|       a = "Once upon a time", smoothText({ delayMs: 2 })
 * result:  w-x-y--(z|)    w = "Once ", x = "upon ", y = "a ", z = "time" (flushed at completion)
 * ```
 *
 * @example
 * ```ts
 * provider.stream(request).pipe(smoothText({ delayMs: 20, chunking: 'word' })).subscribe(render);
 * ```
 */
export function smoothText(options: SmoothTextOptions = {}): OperatorFunction<Chunk, Chunk> {
  const delayMs = options.delayMs ?? 10;
  const maxBufferedChars = options.maxBufferedChars ?? 2000;
  const split = splitterFor(options.chunking ?? 'word');
  return (source) =>
    new Observable<Chunk>((subscriber) => {
      const scheduler = options.scheduler ?? asyncScheduler;
      let queue: Queued[] = [];
      let queuedChars = 0;
      let rest = '';
      let pacer: Subscription | undefined;

      /** Emits the next queued text piece (and any chunks before it); restarts the pause only after text. */
      const emitNext = () => {
        pacer = undefined;
        while (queue.length > 0) {
          const item = queue.shift()!;
          if ('chunk' in item) {
            subscriber.next(item.chunk);
            continue;
          }
          queuedChars -= item.text.length;
          subscriber.next({ type: 'text', text: item.text });
          while (queue.length > 0 && 'chunk' in queue[0]!) subscriber.next((queue.shift() as { chunk: Chunk }).chunk);
          if (delayMs > 0) {
            pacer = scheduler.schedule(emitNext, delayMs);
            return;
          }
        }
      };

      /** Emits queued items at once, merging runs of text, until at most `keepChars` are queued. */
      const drain = (keepChars: number) => {
        let merged = '';
        while (queue.length > 0 && queuedChars > keepChars) {
          const item = queue.shift()!;
          if ('chunk' in item) {
            if (merged) subscriber.next({ type: 'text', text: merged });
            merged = '';
            subscriber.next(item.chunk);
          } else {
            merged += item.text;
            queuedChars -= item.text.length;
          }
        }
        // Chunks queued right behind the drained text belong before the next pause, too.
        while (queue.length > 0 && queuedChars === 0 && 'chunk' in queue[0]!) {
          if (merged) subscriber.next({ type: 'text', text: merged });
          merged = '';
          subscriber.next((queue.shift() as { chunk: Chunk }).chunk);
        }
        if (merged) subscriber.next({ type: 'text', text: merged });
      };

      const enqueueText = (text: string) => {
        if (!text) return;
        queue.push({ text });
        queuedChars += text.length;
      };

      const afterEnqueue = () => {
        if (rest.length > maxBufferedChars) {
          const cut = lastGraphemeBoundary(rest) || rest.length;
          enqueueText(rest.slice(0, cut));
          rest = rest.slice(cut);
        }
        if (queuedChars + rest.length > maxBufferedChars) drain(Math.max(0, maxBufferedChars - rest.length));
        if (!pacer) emitNext();
      };

      const flushAll = () => {
        pacer?.unsubscribe();
        pacer = undefined;
        enqueueText(rest);
        rest = '';
        drain(-1);
      };

      const upstream = source.subscribe({
        next: (chunk) => {
          if (chunk.type === 'text') {
            const result = split(rest + chunk.text);
            for (const piece of result.pieces) enqueueText(piece);
            rest = result.rest;
          } else {
            enqueueText(rest);
            rest = '';
            queue.push({ chunk });
          }
          afterEnqueue();
        },
        error: (error: unknown) => {
          flushAll();
          subscriber.error(error);
        },
        complete: () => {
          flushAll();
          subscriber.complete();
        },
      });

      return () => {
        upstream.unsubscribe();
        pacer?.unsubscribe();
        queue = [];
        rest = '';
      };
    });
}
