import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** Largest single event accepted; a bigger one means a broken or hostile server. */
const maxEventBytes = 1024 * 1024;

/**
 * Reads a `text/event-stream` response body as its events, in order, decoding UTF-8 across chunk boundaries.
 * Cancelling the iteration (break, or an abort of the fetch's signal) cancels the body, which closes the connection.
 *
 * @example
 * ```ts
 * const response = await fetch('/stats/stream');
 * for await (const message of readServerSentEvents(response.body!)) console.log(JSON.parse(message.data));
 * ```
 */
export async function* readServerSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<EventSourceMessage> {
  const pending: EventSourceMessage[] = [];
  let failure: Error | undefined;
  const parser = createParser({
    maxBufferSize: maxEventBytes,
    onEvent: (message) => pending.push(message),
    onError: (error) => {
      if (error.type === 'max-buffer-size-exceeded') failure ??= new Error('an event from the server exceeded 1 MiB');
    },
  });
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let finished = false;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        parser.feed(decoder.decode());
        yield* pending.splice(0);
        return;
      }
      parser.feed(decoder.decode(value, { stream: true }));
      if (failure) throw failure;
      yield* pending.splice(0);
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
