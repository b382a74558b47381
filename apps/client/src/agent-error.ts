import { kindFromStatus, LLM_ERROR_KINDS, LLMError, type LLMErrorKind } from '@rxllm/core';
import { ProtocolError, parseErrorPayload } from '@rxllm/protocol';

/** The `provider` field of errors raised by the client: the failure is the agent's (or the way to it). */
export const CLIENT_PROVIDER = 'agent';

/** Connection errors that mean "nothing is listening there", as opposed to a request that failed midway. */
const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
]);

function asLLMErrorKind(kind: unknown, fallback: LLMErrorKind): LLMErrorKind {
  return typeof kind === 'string' && (LLM_ERROR_KINDS as readonly string[]).includes(kind)
    ? (kind as LLMErrorKind)
    : fallback;
}

/**
 * The `LLMError` for an error the agent reported, either as an HTTP status with `{error:{kind,message}}` or as an
 * `error` event mid-stream (read with `parseErrorPayload`, so junk falls back to the status). Agent-only kinds
 * (`shutdown`, `slow-consumer`, `forbidden`) keep their name in `details.agentKind`.
 *
 * @example
 * ```ts
 * const error = agentError({ kind: 'rate-limit', message: 'slow down' }, 429);
 * error.kind; // 'rate-limit'
 * ```
 */
export function agentError(reported: unknown, status?: number, retryAfterMs?: number): LLMError {
  const { kind, message } = parseErrorPayload(reported, status);
  return new LLMError({
    kind: asLLMErrorKind(kind, status === undefined ? 'unknown' : kindFromStatus(status)),
    provider: CLIENT_PROVIDER,
    message,
    ...(status === undefined ? {} : { status }),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    details: { agentKind: kind },
  });
}

/**
 * The `LLMError` (`unknown`) for bytes from the agent that are not its protocol (a `ProtocolError` of the decoders),
 * or `undefined` for any other error.
 *
 * @example
 * ```ts
 * try { decodeWebSocketFrame(text); } catch (error) { throw protocolError(error) ?? error; }
 * ```
 */
export function protocolError(error: unknown): LLMError | undefined {
  if (!ProtocolError.isInstance(error)) return undefined;
  return new LLMError({ kind: 'unknown', provider: CLIENT_PROVIDER, message: error.message, cause: error });
}

function errorCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const nested = (current as { errors?: unknown[] }).errors;
    if (Array.isArray(nested) && nested.length > 0) {
      current = nested[0];
      continue;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * The `LLMError` for a connection failure. `details.unreachable` is true when nothing answered at all (refused,
 * unknown host), which the CLI reports with its own exit code.
 *
 * @example
 * ```ts
 * try { await fetch(url); } catch (cause) { throw connectionError(cause, url); }
 * ```
 */
export function connectionError(cause: unknown, url: string): LLMError {
  const code = errorCode(cause);
  const unreachable = code !== undefined && unreachableCodes.has(code);
  return new LLMError({
    kind: 'network',
    provider: CLIENT_PROVIDER,
    message: unreachable
      ? `cannot reach the agent at ${url} (${code}); is it running? (start it with \`pnpm start\`)`
      : `connection to the agent at ${url} failed${code ? ` (${code})` : ''}`,
    cause,
    details: { unreachable, ...(code ? { code } : {}) },
  });
}

/** True for the `LLMError` of an agent that could not be reached at all. */
export function isUnreachable(error: unknown): boolean {
  return LLMError.isInstance(error) && error.details?.unreachable === true;
}

/** The kind to show a person: the agent's own kind name when it has one (`shutdown`), else the `LLMError` kind. */
export function displayKind(error: LLMError): string {
  const agentKind = error.details?.agentKind;
  return typeof agentKind === 'string' ? agentKind : error.kind;
}

/** The `LLMError` for a request the person cancelled (Ctrl-C, an aborted signal). */
export function abortedError(): LLMError {
  return new LLMError({ kind: 'aborted', provider: CLIENT_PROVIDER, message: 'the request was cancelled' });
}

/** The `LLMError` for a stream that closed before its `done` or `error` event. */
export function truncatedError(transport: string): LLMError {
  return new LLMError({
    kind: 'network',
    provider: CLIENT_PROVIDER,
    message: `the agent's ${transport} stream ended before its done event: the reply is incomplete`,
    details: { truncated: true },
  });
}
