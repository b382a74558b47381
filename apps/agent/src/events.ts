import type { Chunk } from '@rxllm/core';
import type { ErrorPayload } from './http/errors.js';

/** Per-stream numbers sent in the `done` event. */
export interface StreamMetrics {
  /** Milliseconds from the request to the first content chunk; `null` when none came. */
  ttftMs: number | null;
  chunks: number;
  chars: number;
  durationMs: number;
}

/** The terminal event of a successful stream. */
export interface DoneEvent {
  type: 'done';
  metrics: StreamMetrics;
}

/** The terminal event of a failed stream. */
export interface ErrorEvent {
  type: 'error';
  error: ErrorPayload;
}

/** One event a client receives: a core `Chunk` (the `start` chunk also carries `streamId`), then `done` or `error`. */
export type AgentEvent = Chunk | DoneEvent | ErrorEvent;

/** An event with its sequence number in its stream (1, 2, 3, …): the SSE `id:` and the WebSocket frame's `id`. */
export interface NumberedEvent {
  id: number;
  event: AgentEvent;
}

/**
 * `JSON.stringify` that also escapes U+2028 and U+2029, so no line terminator of any kind reaches the wire
 * (JSON already escapes `\n` and `\r`): model output can never start a new SSE field or event.
 *
 * @example
 * ```ts
 * toJsonLine({ text: 'a\u2028b' }); // '{"text":"a\\u2028b"}'
 * ```
 */
export function toJsonLine(value: unknown): string {
  return JSON.stringify(value)
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * One SSE event: `id: <n>\nevent: <type>\ndata: <one-line JSON>\n\n`.
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

/**
 * One WebSocket text frame: the event's JSON with its sequence number as `id`. The `start` chunk's own vendor
 * response id moves to `responseId` so the two never clash.
 *
 * @example
 * ```ts
 * encodeWebSocketFrame({ id: 3, event: { type: 'text', text: 'Hi' } }); // '{"type":"text","text":"Hi","id":3}'
 * ```
 */
export function encodeWebSocketFrame({ id, event }: NumberedEvent): string {
  if (event.type === 'start') {
    const { id: responseId, ...rest } = event;
    return toJsonLine({ ...rest, ...(responseId === undefined ? {} : { responseId }), id });
  }
  return toJsonLine({ ...event, id });
}

/** The UTF-8 size of an encoded event, for the slow-consumer accounting. */
export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
