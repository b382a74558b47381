import { createParser } from 'eventsource-parser';
import { parseEventObject, toAgentEvent } from './decode-event.js';
import type { NumberedEvent, ReceivedEvent } from './events.js';
import { toJsonLine } from './json-line.js';
import { ProtocolError } from './protocol-error.js';

/**
 * One SSE event of the agent: `id: <n>\nevent: <type>\ndata: <one-line JSON>\n\n`.
 *
 * @example
 * ```ts
 * encodeSseEvent({ id: 2, event: { type: 'text', text: 'Hi' } });
 * // 'id: 2\nevent: text\ndata: {"type":"text","text":"Hi"}\n\n'
 * ```
 */
export function encodeSseEvent({ id, event }: NumberedEvent): string {
  return `id: ${id}\nevent: ${event.type}\ndata: ${toJsonLine(event)}\n\n`;
}

/** One Server-Sent Event as read off the wire: its `id:` and `event:` (undefined when absent), its `data:`. */
export interface SseMessage {
  id: string | undefined;
  event: string | undefined;
  data: string;
}

export interface ReadSseOptions {
  /** Longest event buffered while incomplete, in characters; default 1 MiB. A longer one is a `too-large` error. */
  maxEventChars?: number;
}

/** Default {@link ReadSseOptions.maxEventChars}: far above any event the agent sends. */
export const MAX_EVENT_CHARS = 1024 * 1024;

/**
 * Reads a `text/event-stream` body as its events, in order, with `eventsource-parser` (CR, LF and CRLF line ends,
 * comments such as `: ping`, UTF-8 characters split across reads). Leaving the loop early (break, an error, an
 * aborted fetch) cancels the body, which closes the connection. An event over `maxEventChars` throws a
 * {@link ProtocolError} (`too-large`) after the events before it; a failing read throws its own error.
 *
 * @example
 * ```ts
 * const response = await fetch('http://localhost:8080/stats/stream');
 * for await (const message of readServerSentEvents(response.body!)) console.log(message.data);
 * ```
 */
export async function* readServerSentEvents(
  body: ReadableStream<Uint8Array>,
  options: ReadSseOptions = {},
): AsyncGenerator<SseMessage> {
  const maxEventChars = options.maxEventChars ?? MAX_EVENT_CHARS;
  const pending: SseMessage[] = [];
  let failure: ProtocolError | undefined;
  const parser = createParser({
    maxBufferSize: maxEventChars,
    onEvent: ({ id, event, data }) => pending.push({ id, event, data }),
    onError: (error) => {
      if (error.type !== 'max-buffer-size-exceeded') return;
      failure ??= new ProtocolError('too-large', `an SSE event from the agent exceeded ${maxEventChars} characters`);
    },
  });
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let finished = false;
  try {
    while (true) {
      const { done, value } = await reader.read();
      parser.feed(done ? decoder.decode() : decoder.decode(value, { stream: true }));
      yield* pending.splice(0);
      if (failure) throw failure;
      if (done) {
        finished = true;
        return;
      }
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

/**
 * The {@link ReceivedEvent} of one SSE message: its `data:` as an `AgentEvent` and its numeric `id:`. Throws a
 * {@link ProtocolError} for data that is not JSON or not an event.
 *
 * @example
 * ```ts
 * decodeSseEvent({ id: '2', data: '{"type":"text","text":"Hi"}' });
 * // { id: 2, event: { type: 'text', text: 'Hi' } }
 * ```
 */
export function decodeSseEvent(message: Pick<SseMessage, 'id' | 'data'>): ReceivedEvent {
  const id = message.id !== undefined && /^\d+$/.test(message.id) ? Number(message.id) : undefined;
  return { id, event: toAgentEvent(parseEventObject(message.data)) };
}

/**
 * Reads the agent's chat stream (`POST /chat`, `GET /chat/:streamId`) as its events with their ids: the decoder the
 * CLI and the page both use. Throws a {@link ProtocolError} at the first event that is not the protocol's, after
 * the ones before it; the caller decides what a body that ends without `done` means.
 *
 * @example
 * ```ts
 * const response = await fetch('http://localhost:8080/chat', {
 *   method: 'POST',
 *   headers: { 'content-type': 'application/json' },
 *   body: JSON.stringify({ message: 'Hi' }),
 * });
 * for await (const { id, event } of readAgentEvents(response.body!)) {
 *   if (event.type === 'text') console.log(id, event.text);
 * }
 * ```
 */
export async function* readAgentEvents(
  body: ReadableStream<Uint8Array>,
  options: ReadSseOptions = {},
): AsyncGenerator<ReceivedEvent> {
  for await (const message of readServerSentEvents(body, options)) yield decodeSseEvent(message);
}
