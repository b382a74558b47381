/**
 * A response body that reports whether the server sent the stream's `data: [DONE]` line.
 *
 * @example
 * ```ts
 * const { body, sawDone } = watchDoneMarker(response.body);
 * ```
 */
export interface DoneMarkerWatch {
  /** The same bytes, passed through unchanged. */
  body: ReadableStream<Uint8Array>;
  /** True once a complete `data: [DONE]` line has passed through. */
  sawDone(): boolean;
}

const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const SPACE = 0x20;
const OPEN_BRACKET = 0x5b;
// The line start that marks the end: `data: [DONE]`, the space optional (`data:[DONE]`), anything after it up to
// the line end. The same rule as the SDK's `data.startsWith('[DONE]')` once the SSE parser drops one leading space.
const MARKER = new TextEncoder().encode('data: [DONE]');
const MARKER_AFTER_COLON = 5;
// Searched without its `[`: JSON is full of `[`, and a needle starting with it stops the native search far more often.
const DONE_TEXT = Buffer.from('DONE]');
const NOT_THE_MARKER = -1;

/** One byte more of a line start: how much of {@link MARKER} it now matches, or {@link NOT_THE_MARKER}. */
function advance(matched: number, byte: number | undefined): number {
  if (matched === MARKER_AFTER_COLON) {
    if (byte === SPACE) return MARKER_AFTER_COLON + 1;
    if (byte === OPEN_BRACKET) return MARKER_AFTER_COLON + 2;
    return NOT_THE_MARKER;
  }
  return byte === MARKER[matched] ? matched + 1 : NOT_THE_MARKER;
}

const isLineEnd = (byte: number | undefined) => byte === LINE_FEED || byte === CARRIAGE_RETURN;

/** The first CR or LF at or after `from`, or -1 (two native searches instead of a loop over every byte). */
function lineEndFrom(bytes: Buffer, from: number): number {
  const lineFeed = bytes.indexOf(LINE_FEED, from);
  const carriageReturn = bytes.indexOf(CARRIAGE_RETURN, from);
  if (lineFeed < 0) return carriageReturn;
  return carriageReturn < 0 ? lineFeed : Math.min(lineFeed, carriageReturn);
}

/** Whether the `[` at `index` starts `[DONE]` after `data:` or `data: ` at the start of a line (after `firstLineEnd`). */
function markerLineAt(bytes: Uint8Array, index: number, firstLineEnd: number): boolean {
  if (bytes[index] !== OPEN_BRACKET) return false;
  let colon = index - 1;
  if (bytes[colon] === SPACE) colon -= 1;
  const lineStart = colon - 4;
  if (lineStart <= firstLineEnd || !isLineEnd(bytes[lineStart - 1])) return false;
  for (let offset = 0; offset < MARKER_AFTER_COLON; offset += 1) {
    if (bytes[lineStart + offset] !== MARKER[offset]) return false;
  }
  return true;
}

/**
 * Watches a Chat Completions SSE body for its terminator. The SDK's iterator ends the same way at `[DONE]` and at a
 * bare EOF, so the provider reads the bytes on their way to the SDK to tell a finished stream from a cut one.
 *
 * The bytes pass through a pull-based stream (one `read()` per read, no `TransformStream` queues) and are searched
 * natively: per read, a few `indexOf` calls whatever its size, and a JavaScript look at no more than the first 12
 * bytes of the line that continues from the previous read and of the one that continues into the next. The state
 * kept between reads is three numbers, so memory stays bounded whatever the server sends. A marker split across
 * reads, CRLF line ends and `data:[DONE]` without the space are recognised; `[DONE]` inside a payload and a marker
 * line the body ends without a line end are not. Anything after the marker line is passed through and ignored, as
 * the SDK does.
 *
 * @example
 * ```ts
 * const watch = watchDoneMarker(response.body);
 * const stream = Stream.fromSSEResponse(new Response(watch.body, response), new AbortController());
 * for await (const event of stream) handle(event);
 * if (!watch.sawDone()) throw truncatedStreamError('openai', 'data: [DONE]');
 * ```
 */
export function watchDoneMarker(body: ReadableStream<Uint8Array>): DoneMarkerWatch {
  let done = false;
  // The marker has been matched at a line start; the line still has to end.
  let awaitingLineEnd = false;
  // How much of MARKER the start of the line that is still open at the end of the last read matches.
  let openLine = 0;

  const scan = (read: Uint8Array) => {
    // A view, not a copy: `Buffer`'s searches are memchr-fast; `Uint8Array#indexOf` compares element by element.
    const bytes = Buffer.isBuffer(read) ? read : Buffer.from(read.buffer, read.byteOffset, read.byteLength);
    if (awaitingLineEnd) {
      done = lineEndFrom(bytes, 0) >= 0;
      return;
    }
    const firstLineEnd = lineEndFrom(bytes, 0);
    const firstLineStop = firstLineEnd < 0 ? bytes.byteLength : firstLineEnd;
    let matched = openLine;
    for (let index = 0; matched >= 0 && matched < MARKER.byteLength && index < firstLineStop; index += 1) {
      matched = advance(matched, bytes[index]);
    }
    if (matched === MARKER.byteLength) {
      done = firstLineEnd >= 0;
      awaitingLineEnd = !done;
      return;
    }
    if (firstLineEnd < 0) {
      openLine = matched;
      return;
    }
    for (let at = bytes.indexOf(DONE_TEXT, firstLineEnd); at >= 0; at = bytes.indexOf(DONE_TEXT, at + 1)) {
      if (markerLineAt(bytes, at - 1, firstLineEnd)) {
        done = lineEndFrom(bytes, at + DONE_TEXT.byteLength) >= 0;
        awaitingLineEnd = !done;
        return;
      }
    }
    const lastLineStart = Math.max(bytes.lastIndexOf(LINE_FEED), bytes.lastIndexOf(CARRIAGE_RETURN)) + 1;
    matched = 0;
    for (
      let index = lastLineStart;
      matched >= 0 && matched < MARKER.byteLength && index < bytes.byteLength;
      index += 1
    ) {
      matched = advance(matched, bytes[index]);
    }
    // A whole marker here would have been found by the search above, so `matched` is a proper prefix or none.
    openLine = matched;
  };

  const reader = body.getReader();
  const watched = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done: ended, value } = await reader.read();
        if (ended) {
          controller.close();
          return;
        }
        if (!done) scan(value);
        controller.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
  return { body: watched, sawDone: () => done };
}
