import { LLMError } from '@rxllm/core';
import type { AgentErrorKind, ErrorPayload } from '@rxllm/protocol';

export type { AgentErrorKind, ErrorPayload } from '@rxllm/protocol';

/**
 * An error the agent answers with: a kind, a client-safe message, and optionally an HTTP status and headers.
 *
 * @example
 * ```ts
 * throw new HttpError({ kind: 'invalid-request', message: 'message: must not be empty' });
 * ```
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly kind: AgentErrorKind;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly param: string | undefined;

  constructor(options: {
    kind: AgentErrorKind;
    message: string;
    status?: number;
    headers?: Record<string, string>;
    param?: string;
  }) {
    super(options.message);
    this.kind = options.kind;
    this.status = options.status ?? statusForKind(options.kind);
    this.headers = options.headers ?? {};
    this.param = options.param;
  }
}

const statusByKind: Record<AgentErrorKind, number> = {
  'invalid-request': 400,
  'content-filter': 400,
  // A page on a foreign Origin (or a rebound DNS name): refused before any work starts.
  forbidden: 403,
  // The client's credentials are fine when the *upstream* rejects ours: that is a server configuration fault.
  auth: 502,
  'not-found': 404,
  'rate-limit': 429,
  // As OpenAI answers a spent quota (`insufficient_quota`); the reply also says not to retry (`x-should-retry`).
  'budget-exceeded': 429,
  timeout: 504,
  overloaded: 503,
  network: 502,
  'invalid-output': 502,
  unknown: 500,
  aborted: 499,
  shutdown: 503,
  'slow-consumer': 503,
};

/**
 * The HTTP status for an error kind, for errors that come from the provider pipeline.
 * Upstream `auth` failures answer 502 (the agent's own key is misconfigured), not 401.
 *
 * @example
 * ```ts
 * statusForKind('rate-limit'); // 429
 * ```
 */
export function statusForKind(kind: AgentErrorKind): number {
  return statusByKind[kind] ?? 500;
}

/**
 * Normalises anything thrown in the pipeline to an {@link HttpError}: `LLMError`s keep their kind (and a 429's
 * `Retry-After`); anything else becomes `unknown` with a generic message so internals never leak.
 *
 * @example
 * ```ts
 * const failure = toHttpError(error); // failure.status, failure.headers['Retry-After']
 * ```
 */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (LLMError.isInstance(error)) {
    const headers: Record<string, string> = {};
    if (error.kind === 'rate-limit') {
      headers['Retry-After'] = String(Math.max(1, Math.ceil((error.retryAfterMs ?? 1000) / 1000)));
    }
    return new HttpError({ kind: error.kind, message: error.message, headers });
  }
  return new HttpError({ kind: 'unknown', message: 'internal error' });
}

/** The body every agent error response carries. */
export function errorBody(error: HttpError): { error: ErrorPayload } {
  return { error: { kind: error.kind, message: error.message } };
}
