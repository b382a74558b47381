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
 * Most bytes of one network read parsed in one step: a read far larger (a backlog that piled up while the process was
 * busy) is parsed and yielded slice by slice, so the consumer can step aside between slices.
 */
export const SSE_SLICE_BYTES = 16 * 1024;

/** How {@link readEventBatches} cuts a large read into slices. */
export interface ReadEventBatchesOptions {
  /** Most bytes parsed into one batch; default {@link SSE_SLICE_BYTES}. */
  maxSliceBytes?: number;
}

/**
 * The items `map` makes of the events that `bytes` completes (`undefined`: the body has ended), and the error that
 * stopped it (after the items before it), if any.
 */
function mapEvents<E, T>(
  events: EventSplitter<E>,
  bytes: Uint8Array | undefined,
  map: (event: E) => Iterable<T>,
): { batch: T[]; failed: boolean; failure: unknown } {
  const batch: T[] = [];
  try {
    for (const event of bytes === undefined ? events.end() : events.feed(bytes))
      for (const item of map(event)) batch.push(item);
  } catch (failure) {
    return { batch, failed: true, failure };
  }
  return { batch, failed: false, failure: undefined };
}

/**
 * Reads a response body to its end and yields the items `map` made of the events each read completed: one batch per
 * read, or one per slice of `maxSliceBytes` when a read is larger, so that no single step parses megabytes and its
 * consumer ({@link fromAbortableBatches}, which steps aside for the event loop when a run has lasted long enough)
 * never has to wait for a whole backlog. When `map` throws, the items of the events before it are yielded first and
 * then the error is thrown; so is the splitter's own `error` (an event over its limit).
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
  options: ReadEventBatchesOptions = {},
): AsyncGenerator<T[]> {
  const sliceBytes = Math.max(1, options.maxSliceBytes ?? SSE_SLICE_BYTES);
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    const length = done ? 0 : value.byteLength;
    let offset = 0;
    do {
      const slice = done || length <= sliceBytes ? value : value.subarray(offset, offset + sliceBytes);
      offset += sliceBytes;
      const { batch, failed, failure } = mapEvents(events, slice, map);
      if (batch.length > 0) yield batch;
      if (failed) throw failure;
      if (events.error) throw events.error;
    } while (offset < length);
    if (done) return;
  }
}
