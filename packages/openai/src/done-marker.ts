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
// Long enough to hold `data: [DONE]`; longer lines are payloads and need not be kept.
const KEPT_LINE_BYTES = 16;
const doneLine = /^data: ?\[DONE\]/;

/**
 * Watches a Chat Completions SSE body for its terminator. The SDK's iterator ends the same way at `[DONE]` and at a
 * bare EOF, so the provider reads the bytes on their way to the SDK to tell a finished stream from a cut one. Only
 * the first bytes of each line are kept, so memory stays bounded whatever the server sends.
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
  let line: number[] = [];
  const endLine = () => {
    if (!done && doneLine.test(String.fromCharCode(...line))) done = true;
    line = [];
  };
  const transform = new TransformStream<Uint8Array, Uint8Array>({
    transform(bytes, controller) {
      if (!done) {
        for (const byte of bytes) {
          if (byte === LINE_FEED || byte === CARRIAGE_RETURN) endLine();
          else if (line.length < KEPT_LINE_BYTES) line.push(byte);
        }
      }
      controller.enqueue(bytes);
    },
  });
  return { body: body.pipeThrough(transform), sawDone: () => done };
}
