import { kindFromStatus, type LLMErrorKind } from '@rxllm/core';

/**
 * Error kinds a client of the agent can see: the `LLMError` kinds, plus the agent's own `shutdown` (the server is
 * stopping), `slow-consumer` (the client could not keep up and was dropped), `forbidden` (a refused `Origin` or
 * `Host`, or a model the caller's key may not use) and `budget-exceeded` (the caller's key spent its daily or monthly
 * budget; a stream that crosses it is ended).
 */
export type AgentErrorKind = LLMErrorKind | 'shutdown' | 'slow-consumer' | 'forbidden' | 'budget-exceeded';

/** What a client receives: `{error:{kind,message}}`, as an HTTP error body or inside an `error` event. */
export interface ErrorPayload {
  kind: AgentErrorKind;
  message: string;
}

// A record, so that the compiler fails here when a kind is added to or removed from AgentErrorKind (or LLMErrorKind).
const errorKindSet: Record<AgentErrorKind, true> = {
  auth: true,
  'rate-limit': true,
  overloaded: true,
  'invalid-request': true,
  'not-found': true,
  timeout: true,
  network: true,
  'content-filter': true,
  aborted: true,
  'invalid-output': true,
  unknown: true,
  shutdown: true,
  'slow-consumer': true,
  forbidden: true,
  'budget-exceeded': true,
};

/**
 * Every {@link AgentErrorKind}.
 *
 * @example
 * ```ts
 * AGENT_ERROR_KINDS.includes('slow-consumer'); // true
 * ```
 */
export const AGENT_ERROR_KINDS: readonly AgentErrorKind[] = Object.keys(errorKindSet) as AgentErrorKind[];

/**
 * True for a string that is an {@link AgentErrorKind}.
 *
 * @example
 * ```ts
 * isAgentErrorKind('shutdown'); // true
 * isAgentErrorKind('teapot'); // false
 * ```
 */
export function isAgentErrorKind(value: unknown): value is AgentErrorKind {
  return typeof value === 'string' && Object.hasOwn(errorKindSet, value);
}

/** An error body larger than this is not the agent's: it is not parsed. */
const maxErrorBodyChars = 1024 * 1024;

/**
 * The {@link ErrorPayload} of a reported error object (`body.error` of an HTTP error reply, or `event.error` of an
 * `error` event), tolerant of junk: a missing or unknown `kind` becomes the kind of the HTTP `status` (`unknown`
 * without one), a missing or empty `message` a sentence that names the status.
 *
 * @example
 * ```ts
 * parseErrorPayload({ kind: 'rate-limit', message: 'slow down' }); // { kind: 'rate-limit', message: 'slow down' }
 * parseErrorPayload(undefined, 503); // { kind: 'overloaded', message: 'the agent answered HTTP 503' }
 * ```
 */
export function parseErrorPayload(reported: unknown, status?: number): ErrorPayload {
  const fields = typeof reported === 'object' && reported !== null ? (reported as Record<string, unknown>) : {};
  const kind = isAgentErrorKind(fields.kind) ? fields.kind : status === undefined ? 'unknown' : kindFromStatus(status);
  const message =
    typeof fields.message === 'string' && fields.message !== ''
      ? fields.message
      : status === undefined
        ? 'the agent reported an error without a message'
        : `the agent answered HTTP ${status}`;
  return { kind, message };
}

/**
 * The {@link ErrorPayload} of an HTTP error reply's body `{error:{kind,message}}`, given as its text or already
 * parsed; anything else (not JSON, no `error` object, over 1 MiB) falls back as {@link parseErrorPayload} says.
 *
 * @example
 * ```ts
 * const response = await fetch('http://localhost:8080/chat', { method: 'POST', body: '{}' });
 * if (!response.ok) {
 *   const { kind, message } = parseErrorBody(await response.text(), response.status);
 *   console.error(`${kind}: ${message}`);
 * }
 * parseErrorBody('<html>Bad gateway</html>', 502); // { kind: 'overloaded', message: 'the agent answered HTTP 502' }
 * ```
 */
export function parseErrorBody(body: unknown, status?: number): ErrorPayload {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = body.length <= maxErrorBodyChars ? JSON.parse(body) : undefined;
    } catch {
      value = undefined;
    }
  }
  const reported = typeof value === 'object' && value !== null ? (value as { error?: unknown }).error : undefined;
  return parseErrorPayload(reported, status);
}
