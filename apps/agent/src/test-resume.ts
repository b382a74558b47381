import { type ParsedEvent, postJson, readSse } from './test-helpers.js';

/** A slow scripted stream: `count` text events `w0 `, `w1 `, … `eventDelayMs` apart. */
export function slowScript(count: number, eventDelayMs = 10) {
  const texts = Array.from({ length: count }, (_, index) => `w${index} `);
  return {
    texts,
    text: texts.join(''),
    script: { events: texts.map((text) => ({ type: 'text' as const, text })), delivery: { eventDelayMs } },
  };
}

/** The concatenated `text` of SSE events. */
export function textOf(events: readonly ParsedEvent[]): string {
  return events
    .filter((event) => event.event === 'text')
    .map((event) => (event.data as { text: string }).text)
    .join('');
}

/** The numeric ids of SSE events. */
export function idsOf(events: readonly ParsedEvent[]): number[] {
  return events.map((event) => Number(event.id));
}

/** `from`, `from + 1`, …, `to`. */
export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}

/**
 * Starts a generation with `POST /chat`, reads `count` events, then cuts the connection (as a reload would).
 * Returns the stream id and the events read.
 */
export async function startAndCut(
  url: string,
  body: unknown,
  count: number,
  headers: Record<string, string> = {},
): Promise<{ streamId: string; events: ParsedEvent[] }> {
  const controller = new AbortController();
  const response = await postJson(`${url}/chat`, body, headers, controller.signal);
  const streamId = response.headers.get('x-stream-id') ?? '';
  const events = await readSse(response, (_event, all) => all.length >= count);
  controller.abort();
  return { streamId, events };
}

/** `GET /chat/:streamId` with optional `Last-Event-ID`, read to the end. */
export async function resume(
  url: string,
  streamId: string,
  options: { lastEventId?: number; after?: number; headers?: Record<string, string> } = {},
): Promise<{ status: number; events: ParsedEvent[]; body: unknown }> {
  const query = options.after === undefined ? '' : `?after=${options.after}`;
  const response = await fetch(`${url}/chat/${streamId}${query}`, {
    headers: {
      ...(options.lastEventId === undefined ? {} : { 'Last-Event-ID': String(options.lastEventId) }),
      ...options.headers,
    },
  });
  if (!(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    return { status: response.status, events: [], body: await response.json() };
  }
  return { status: response.status, events: await readSse(response), body: undefined };
}
