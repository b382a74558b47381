import { HttpError } from '../../http/errors.js';

/** Anthropic's error types (`@anthropic-ai/sdk` `ErrorType`), the ones the agent answers with. */
export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'timeout_error'
  | 'api_error'
  | 'overloaded_error';

const typesByKind: Record<string, AnthropicErrorType> = {
  'invalid-request': 'invalid_request_error',
  'content-filter': 'invalid_request_error',
  forbidden: 'permission_error',
  'budget-exceeded': 'rate_limit_error',
  'not-found': 'not_found_error',
  'rate-limit': 'rate_limit_error',
  timeout: 'timeout_error',
  overloaded: 'overloaded_error',
  shutdown: 'overloaded_error',
};

/** What an error body is built from: an {@link HttpError}, or the `error` payload of an agent `error` event. */
export interface AnthropicErrorSource {
  kind: string;
  message: string;
  status?: number;
}

/**
 * The Anthropic error type of an agent error: by kind, with the statuses that have a type of their own (a 401 of
 * the agent's key is `authentication_error`, a 413 `request_too_large`). An upstream `auth` failure is the agent's
 * misconfiguration (502), so the client sees `api_error`, like every kind without an Anthropic type.
 *
 * @example
 * ```ts
 * anthropicErrorType({ kind: 'rate-limit', message: 'slow down' }); // 'rate_limit_error'
 * ```
 */
export function anthropicErrorType(error: AnthropicErrorSource): AnthropicErrorType {
  if (error.status === 401) return 'authentication_error';
  if (error.status === 413) return 'request_too_large';
  if (error.status === 404) return 'not_found_error';
  return typesByKind[error.kind] ?? 'api_error';
}

/**
 * Anthropic's error shape, `{type:"error", error:{type, message}}`, as an HTTP body and as the data of an
 * `event: error` (the SDK raises the class of the status, or `APIError` mid-stream, with this message).
 *
 * @example
 * ```ts
 * anthropicErrorBody(new HttpError({ kind: 'invalid-request', message: 'max_tokens: Field required' }));
 * // { type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } }
 * ```
 */
export function anthropicErrorBody(error: AnthropicErrorSource) {
  return { type: 'error', error: { type: anthropicErrorType(error), message: error.message } };
}

/**
 * The error with Anthropic's status for its type: `overloaded` answers 529 (`overloaded_error`), as Anthropic does
 * (its SDK retries it like any status ≥ 500); every other error keeps the agent's status.
 *
 * @example
 * ```ts
 * anthropicStatusError(new HttpError({ kind: 'overloaded', message: 'busy' })).status; // 529
 * ```
 */
export function anthropicStatusError(error: HttpError): HttpError {
  if (error.kind !== 'overloaded' || error.status === 529) return error;
  return new HttpError({ kind: error.kind, message: error.message, status: 529, headers: error.headers });
}
