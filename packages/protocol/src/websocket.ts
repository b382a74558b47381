import type { ToolCallChunk, ToolCallReadyChunk } from '@rxllm/core';
import type { ChatRequestBody } from './chat-request.js';
import { parseEventObject, toAgentEvent } from './decode-event.js';
import type { AgentEvent, AgentEventType, NumberedEvent, ReceivedEvent, StartEvent } from './events.js';
import { toJsonLine } from './json-line.js';
import { ProtocolError } from './protocol-error.js';

/** Client → server: stop the generation this socket is receiving (for everyone, on a resumable agent). */
export interface CancelMessage {
  type: 'cancel';
}

/** Client → server: follow a stored generation (`RESUMABLE_STREAMS=true`) from the event after `after` (default 0). */
export interface ResumeMessage {
  type: 'resume';
  streamId: string;
  after?: number;
}

/**
 * A decision on a `tool-approval-request` of a generation: the body of `POST /chat/:streamId/approve`, and (with
 * `type: 'approve'`) a WebSocket message for the generation the socket receives. `reason` goes to the model with a
 * denial.
 *
 * @example
 * ```ts
 * const decision: ToolApprovalBody = { toolCallId: 'call_1', approved: false, reason: 'not that file' };
 * ```
 */
export interface ToolApprovalBody {
  toolCallId: string;
  approved: boolean;
  reason?: string;
}

/** Client → server: decide on a tool call of the generation this socket is receiving. */
export interface ApproveMessage extends ToolApprovalBody {
  type: 'approve';
}

/**
 * A text frame the client sends on `GET /ws`: a chat body starts one generation (one at a time per socket),
 * `resume` follows a stored one, `cancel` stops the running one, `approve` decides on one of its tool calls.
 *
 * @example
 * ```ts
 * const start: WebSocketClientMessage = { message: 'Hi', provider: 'openai' };
 * const resume: WebSocketClientMessage = { type: 'resume', streamId, after: 12 };
 * const approve: WebSocketClientMessage = { type: 'approve', toolCallId: 'call_1', approved: true };
 * socket.send(JSON.stringify(start));
 * ```
 */
export type WebSocketClientMessage = ChatRequestBody | CancelMessage | ResumeMessage | ApproveMessage;

/** A frame's own fields for an event: the sequence number takes `id`, so an event's own `id` moves aside. */
type Framed<TEvent, TOwnId extends string> = Omit<TEvent, 'id'> & { [Key in TOwnId]?: string } & { id: number };

/**
 * A text frame the server sends on `GET /ws`: an {@link AgentEvent}'s JSON with its sequence number as `id` (`0`
 * for a rejection that belongs to no stream). The `start` event's vendor response id travels as `responseId`, a
 * `tool-call`'s call id as `toolCallId`.
 *
 * @example
 * ```ts
 * const frame: WebSocketFrame = { type: 'start', provider: 'openai', model: 'm', responseId: 'chatcmpl-1', id: 1 };
 * ```
 */
export type WebSocketFrame =
  | Framed<StartEvent, 'responseId'>
  | Framed<ToolCallChunk, 'toolCallId'>
  | Framed<ToolCallReadyChunk, 'toolCallId'>
  | (Exclude<AgentEvent, StartEvent | ToolCallChunk | ToolCallReadyChunk> & { id: number });

/** Where each event type's own `id` goes in a frame. */
const ownIdFields: Partial<Record<AgentEventType, string>> = {
  start: 'responseId',
  'tool-call': 'toolCallId',
  'tool-call-ready': 'toolCallId',
};

const ownIdField = (type: unknown): string | undefined =>
  typeof type === 'string' && Object.hasOwn(ownIdFields, type) ? ownIdFields[type as AgentEventType] : undefined;

/**
 * One WebSocket text frame: the event's JSON with its sequence number as `id`; an event's own `id` (the `start`
 * chunk's vendor response id, a tool call's id, in `tool-call` and `tool-call-ready`) moves to `responseId` / `toolCallId` so the two never clash.
 *
 * @example
 * ```ts
 * encodeWebSocketFrame({ id: 3, event: { type: 'text', text: 'Hi' } }); // '{"type":"text","text":"Hi","id":3}'
 * ```
 */
export function encodeWebSocketFrame({ id, event }: NumberedEvent): string {
  const field = ownIdField(event.type);
  if (field === undefined) return toJsonLine({ ...event, id });
  const { id: ownId, ...rest } = event as AgentEvent & { id?: string };
  return toJsonLine({ ...rest, ...(ownId === undefined ? {} : { [field]: ownId }), id });
}

/**
 * The {@link ReceivedEvent} of one server frame, undoing {@link encodeWebSocketFrame}'s id swap so both transports
 * give the same event objects. A frame without a numeric `id` is taken as a bare event (`id` undefined). Throws a
 * {@link ProtocolError} for a frame that is not JSON or not an event.
 *
 * @example
 * ```ts
 * decodeWebSocketFrame('{"type":"start","provider":"openai","model":"m","responseId":"r1","id":1}');
 * // { id: 1, event: { type: 'start', provider: 'openai', model: 'm', id: 'r1' } }
 * ```
 */
export function decodeWebSocketFrame(text: string): ReceivedEvent {
  const frame = parseEventObject(text);
  const { id, ...fields } = frame;
  if (typeof id !== 'number') return { id: undefined, event: toAgentEvent(frame) };
  if (!Number.isSafeInteger(id) || id < 0) {
    throw new ProtocolError('unknown-shape', 'the agent sent a frame whose id is not a sequence number');
  }
  const field = ownIdField(fields.type);
  if (field === undefined) return { id, event: toAgentEvent(fields) };
  const { [field]: ownId, ...rest } = fields;
  return { id, event: toAgentEvent(typeof ownId === 'string' ? { ...rest, id: ownId } : rest) };
}
