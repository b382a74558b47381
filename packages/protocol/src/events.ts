import type { Chunk, StartChunk, ToolLoopChunk } from '@rxllm/core';
import type { ErrorPayload } from './errors.js';

/** Per-stream numbers the agent measured, sent in the `done` event. */
export interface StreamMetrics {
  /** Milliseconds from the request to the first content chunk; `null` when none came. */
  ttftMs: number | null;
  /** Content chunks (text, reasoning, tool-call). */
  chunks: number;
  /** Characters of text and reasoning (UTF-16 code units). */
  chars: number;
  durationMs: number;
  /**
   * What the stream cost in US dollars at the agent's price table (every step of a tool loop); `null` when the model
   * has no price. Absent when the agent does not price streams.
   */
  costUsd?: number | null;
  /** Set when the vendor reported no usage (a stream cut short): the cost is estimated from what was streamed. */
  costEstimated?: true;
}

/** The first event of a stream: the core `start` chunk, plus the agent's `streamId` to resume or cancel it with. */
export interface StartEvent extends StartChunk {
  streamId?: string;
  /**
   * The agent's response cache, when it is on: `hit` (replayed, no upstream request), `miss` (asked upstream, kept if
   * it finishes cleanly) or `bypass` (the request said `Cache-Control: no-cache` or `no-store`). A tool loop's first
   * step says it.
   */
  cache?: 'hit' | 'miss' | 'bypass';
}

/**
 * The answer's JSON object so far, for a request with a `responseFormat`: `complete: false` while it streams in (a
 * deep partial that never loses a field an earlier one had), then once `complete: true`, checked against the
 * request's schema, after the last content and before `done`.
 */
export interface ObjectEvent {
  type: 'object';
  object: unknown;
  complete: boolean;
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

/**
 * One event a client receives, the same objects over SSE (`data:`) and WebSocket (one per text frame): a core
 * `Chunk` (the `start` chunk also carries `streamId`), the tool loop's chunks when the agent runs tools (`step-start`,
 * `tool-call-ready`, `tool-approval-request`, `tool-result`, `step-finish`: core's `ToolLoopChunk`), `object` events
 * when a JSON answer was asked for, then exactly one `done` or `error`. A stream with tool steps has one `start`;
 * `usage` and `finish` come once per step.
 *
 * @example
 * ```ts
 * const event: AgentEvent = { type: 'text', text: 'Hi' };
 * if (event.type === 'text') process.stdout.write(event.text);
 * ```
 */
export type AgentEvent = StartEvent | Exclude<Chunk, StartChunk> | ToolLoopChunk | ObjectEvent | DoneEvent | ErrorEvent;

/** The `type` of an {@link AgentEvent}, which is also its SSE `event:` name. */
export type AgentEventType = AgentEvent['type'];

/** An event with its sequence number in its stream (1, 2, 3, …): the SSE `id:` and the WebSocket frame's `id`. */
export interface NumberedEvent {
  id: number;
  event: AgentEvent;
}

/**
 * A decoded event with its sequence number when the agent sent one: `undefined` for an SSE event without `id:`,
 * `0` for a WebSocket rejection (a bad message on the socket, a refused resume), which is not part of any stream.
 */
export interface ReceivedEvent {
  id: number | undefined;
  event: AgentEvent;
}

// A record, so that the compiler fails here when a type is added to or removed from AgentEvent.
const eventTypeSet: Record<AgentEventType, true> = {
  start: true,
  text: true,
  reasoning: true,
  'tool-call': true,
  usage: true,
  finish: true,
  failover: true,
  'step-start': true,
  'tool-call-ready': true,
  'tool-approval-request': true,
  'tool-result': true,
  'step-finish': true,
  object: true,
  done: true,
  error: true,
};

/**
 * Every {@link AgentEventType}, in stream order.
 *
 * @example
 * ```ts
 * AGENT_EVENT_TYPES.includes('done'); // true
 * ```
 */
export const AGENT_EVENT_TYPES: readonly AgentEventType[] = Object.keys(eventTypeSet) as AgentEventType[];

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null;
const isString = (value: unknown): value is string => typeof value === 'string';
const isOptionalString = (value: unknown) => value === undefined || isString(value);
const isStep = (value: unknown) => typeof value === 'number' && Number.isInteger(value) && value >= 1;

const fieldChecks: Record<AgentEventType, (event: Fields) => boolean> = {
  start: (event) =>
    isString(event.provider) && isString(event.model) && isOptionalString(event.id) && isOptionalString(event.streamId),
  text: (event) => isString(event.text),
  reasoning: (event) => isString(event.text),
  'tool-call': (event) =>
    typeof event.index === 'number' &&
    isString(event.argumentsDelta) &&
    isOptionalString(event.id) &&
    isOptionalString(event.name),
  usage: (event) => isObject(event.usage),
  finish: (event) => isString(event.reason) && isOptionalString(event.rawReason),
  failover: (event) =>
    isObject(event.from) &&
    isObject(event.to) &&
    isString(event.to.provider) &&
    isObject(event.reason) &&
    isString(event.mode),
  'step-start': (event) => isStep(event.step),
  'tool-call-ready': (event) =>
    isStep(event.step) &&
    typeof event.index === 'number' &&
    isString(event.id) &&
    isString(event.name) &&
    isString(event.arguments),
  'tool-approval-request': (event) => isStep(event.step) && isString(event.toolCallId) && isString(event.name),
  'tool-result': (event) =>
    isStep(event.step) &&
    isString(event.toolCallId) &&
    isString(event.name) &&
    typeof event.durationMs === 'number' &&
    (event.error === undefined || (isObject(event.error) && isString(event.error.kind))),
  'step-finish': (event) => isStep(event.step) && isString(event.reason) && typeof event.toolCalls === 'number',
  object: (event) => Object.hasOwn(event, 'object') && typeof event.complete === 'boolean',
  done: (event) => isObject(event.metrics),
  error: (event) => isObject(event.error) && isString(event.error.kind) && isString(event.error.message),
};

/**
 * True when a parsed JSON value is an {@link AgentEvent}: an object of a known `type` with that type's required
 * fields (text for `text`, metrics for `done`, `{kind, message}` for `error`, …). Extra fields are allowed.
 *
 * @example
 * ```ts
 * isAgentEvent({ type: 'text', text: 'Hi' }); // true
 * isAgentEvent({ type: 'text' }); // false
 * isAgentEvent({ type: 'tool-results' }); // false: not an event type
 * ```
 */
export function isAgentEvent(value: unknown): value is AgentEvent {
  if (!isObject(value) || !isString(value.type) || !Object.hasOwn(eventTypeSet, value.type)) return false;
  return fieldChecks[value.type as AgentEventType](value);
}

/**
 * True for the event that ends a stream: `done` or `error`.
 *
 * @example
 * ```ts
 * for await (const { event } of readAgentEvents(response.body!)) {
 *   if (isTerminalEvent(event)) break;
 * }
 * ```
 */
export function isTerminalEvent(event: AgentEvent): event is DoneEvent | ErrorEvent {
  return event.type === 'done' || event.type === 'error';
}
