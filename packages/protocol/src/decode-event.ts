import { isAgentErrorKind } from './errors.js';
import { type AgentEvent, isAgentEvent } from './events.js';
import { ProtocolError } from './protocol-error.js';

/** The JSON object of one event's text (an SSE `data:` or a WebSocket frame). */
export function parseEventObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProtocolError('not-json', 'the agent sent an event that is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw unknownShape();
  return value as Record<string, unknown>;
}

function unknownShape(): ProtocolError {
  return new ProtocolError('unknown-shape', 'the agent sent an event of unknown shape');
}

/**
 * The value as an {@link AgentEvent}, or a `ProtocolError`. An error event whose `kind` this module does not know
 * (a newer agent) gets `unknown`, so that its type stays true; its message is kept.
 */
export function toAgentEvent(value: Record<string, unknown>): AgentEvent {
  if (!isAgentEvent(value)) throw unknownShape();
  if (value.type !== 'error' || isAgentErrorKind(value.error.kind)) return value;
  return { ...value, error: { ...value.error, kind: 'unknown' } };
}
