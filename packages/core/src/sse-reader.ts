import { createParser } from 'eventsource-parser';
import { LLMError } from './errors.js';

/**
 * Longest event a {@link createSseReader} buffers by default, in characters (8 MiB): far above any vendor's stream
 * event, low enough that a server that never ends its event cannot grow the process without bound.
 */
export const MAX_SSE_EVENT_CHARS = 8 * 1024 * 1024;

/** One Server-Sent Event: its `event:` name (undefined when the server sent none) and its `data:` lines joined. */
export interface SseEvent {
  event: string | undefined;
  data: string;
}

/** The events of one response body, read as it arrives. */
export interface SseReader {
  /** Parses one network read; returns the events it completed, in order. */
  feed(bytes: Uint8Array): SseEvent[];
  /**
   * The body has ended. Returns the event the server closed on after a complete last line but without the blank line
   * that ends an event (or with a final CR that could not yet be told from a CRLF); a cut line is dropped.
   */
  end(): SseEvent[];
  /** Set once an event has outgrown the limit: the stream has failed after the events returned so far. */
  readonly error: LLMError | undefined;
}

export interface SseReaderOptions {
  /** Provider name for the size error. */
  provider: string;
  /** Longest event buffered while incomplete, in characters; default {@link MAX_SSE_EVENT_CHARS}. */
  maxEventChars?: number;
}

/**
 * Splits an SSE response body into events with `eventsource-parser` (CR, LF and CRLF line ends, comments, multi-line
 * data, UTF-8 characters split across reads), synchronously per read, so a provider can map every event of a read
 * without an `await` per event. An event that grows past `maxEventChars` while incomplete sets
 * {@link SseReader.error} (a `network` error) instead of growing the buffer; the reader then returns nothing more.
 *
 * @example
 * ```ts
 * const events = createSseReader({ provider: 'openai' });
 * for await (const bytes of response.body) {
 *   for (const { event, data } of events.feed(bytes)) handle(event, JSON.parse(data));
 *   if (events.error) throw events.error;
 * }
 * events.end();
 * ```
 */
export function createSseReader(options: SseReaderOptions): SseReader {
  const maxEventChars = options.maxEventChars ?? MAX_SSE_EVENT_CHARS;
  const decoder = new TextDecoder();
  let parsed: SseEvent[] = [];
  let error: LLMError | undefined;
  const parser = createParser({
    maxBufferSize: maxEventChars,
    onEvent: ({ event, data }) => {
      parsed.push({ event, data });
    },
    onError: (parseError) => {
      if (parseError.type !== 'max-buffer-size-exceeded') return;
      error ??= new LLMError({
        kind: 'network',
        provider: options.provider,
        message: `${options.provider} sent an event longer than ${maxEventChars} characters`,
      });
    },
  });
  const take = () => {
    const events = parsed;
    parsed = [];
    return events;
  };
  return {
    get error() {
      return error;
    },
    feed(bytes) {
      if (error) return [];
      parser.feed(decoder.decode(bytes, { stream: true }));
      return take();
    },
    end() {
      if (error) return [];
      parser.feed(decoder.decode());
      // A blank line: dispatches an event whose last line was complete (`data: [DONE]\n`, then the body ended).
      parser.feed('\n');
      return take();
    },
  };
}

/** Where {@link readEventBatches} gets the events of each read: a {@link SseReader}, or a provider's view of one. */
export interface EventSplitter<E> {
  feed(bytes: Uint8Array): E[];
  end(): E[];
  readonly error: Error | undefined;
}

/**
 * Reads a response body to its end and yields, per network read, the items `map` made of the events that read
 * completed: one batch per read (for `fromAbortableBatches`). When `map` throws, the items of the events before it
 * are yielded first and then the error is thrown; so is the splitter's own `error` (an event over its limit).
 *
 * @example
 * ```ts
 * const body = response.body!;
 * yield* readEventBatches(body, createSseReader({ provider: 'vendor' }), ({ data }) => toChunks(JSON.parse(data)));
 * ```
 */
export async function* readEventBatches<E, T>(
  body: ReadableStream<Uint8Array>,
  events: EventSplitter<E>,
  map: (event: E) => Iterable<T>,
): AsyncGenerator<T[]> {
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    const batch: T[] = [];
    let failed = false;
    let failure: unknown;
    try {
      for (const event of done ? events.end() : events.feed(value)) for (const item of map(event)) batch.push(item);
    } catch (error) {
      failed = true;
      failure = error;
    }
    if (batch.length > 0) yield batch;
    if (failed) throw failure;
    if (events.error) throw events.error;
    if (done) return;
  }
}
