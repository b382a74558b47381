import type { Chunk, LLMErrorKind } from '@rxllm/core';

/** What the agent reports when a stream completes: measured on the server. */
export interface AgentStreamMetrics {
  ttftMs?: number | null;
  chunks?: number;
  chars?: number;
  durationMs?: number;
  [key: string]: unknown;
}

/** Last event of a successful stream. */
export interface AgentDoneEvent {
  type: 'done';
  metrics?: AgentStreamMetrics;
}

/**
 * Last event of a failed stream. `kind` is an `LLMErrorKind` or one of the agent's own kinds
 * (`shutdown`, `slow-consumer`).
 */
export interface AgentErrorEvent {
  type: 'error';
  error: { kind: LLMErrorKind | 'shutdown' | 'slow-consumer' | (string & {}); message: string };
}

/**
 * One event of the agent's chat stream, the same objects over SSE (`data:`) and WebSocket (one per text frame).
 *
 * @example
 * ```ts
 * for await (const event of streamChat({ url: 'http://localhost:8080', prompt: 'Hi' })) {
 *   if (event.type === 'text') process.stdout.write(event.text);
 * }
 * ```
 */
export type AgentEvent = Chunk | AgentDoneEvent | AgentErrorEvent;

const eventTypes = new Set(['start', 'text', 'reasoning', 'tool-call', 'usage', 'finish', 'done', 'error']);

/** True when a parsed JSON value has the shape of an agent event (an object whose `type` is a known event type). */
export function isAgentEvent(value: unknown): value is AgentEvent {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return typeof type === 'string' && eventTypes.has(type);
}
