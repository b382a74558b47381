/** What went wrong, in terms a caller can act on. */
export type LLMErrorKind =
  | 'auth'
  | 'rate-limit'
  | 'overloaded'
  | 'invalid-request'
  | 'not-found'
  | 'timeout'
  | 'network'
  | 'content-filter'
  | 'aborted'
  /** The model answered, but not with what was asked for: JSON that does not parse or fails its schema. */
  | 'invalid-output'
  | 'unknown';

export const LLM_ERROR_KINDS: readonly LLMErrorKind[] = [
  'auth',
  'rate-limit',
  'overloaded',
  'invalid-request',
  'not-found',
  'timeout',
  'network',
  'content-filter',
  'aborted',
  'invalid-output',
  'unknown',
];

export interface LLMErrorOptions {
  kind: LLMErrorKind;
  message: string;
  provider: string;
  status?: number;
  /** Defaults by kind: rate-limit, overloaded, timeout and network are retryable. */
  retryable?: boolean;
  retryAfterMs?: number;
  requestId?: string;
  cause?: unknown;
  /**
   * Structured extras, e.g. `{ clock: 'idle' }` for a timeout, `{ truncated: true }`, or the zod `issues` of an
   * `invalid-output`.
   */
  details?: Record<string, unknown>;
}

const marker = Symbol.for('rxllm.LLMError');

const retryableKinds: ReadonlySet<LLMErrorKind> = new Set(['rate-limit', 'overloaded', 'timeout', 'network']);

/**
 * The one error type of rxllm. Every provider failure, timeout and abort surfaces as an `LLMError`.
 * Messages come from vendor error bodies and statuses, never from request headers, so they never hold a key.
 *
 * @example
 * ```ts
 * provider.stream(request).subscribe({
 *   error: (error) => {
 *     if (LLMError.isInstance(error) && error.kind === 'rate-limit') wait(error.retryAfterMs ?? 1000);
 *   },
 * });
 * ```
 */
export class LLMError extends Error {
  override readonly name = 'LLMError';
  readonly kind: LLMErrorKind;
  readonly provider: string;
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly requestId: string | undefined;
  readonly details: Record<string, unknown> | undefined;
  /** Brand read by {@link LLMError.isInstance}. */
  readonly [marker] = true;

  constructor(options: LLMErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = options.kind;
    this.provider = options.provider;
    this.status = options.status;
    this.retryable = options.retryable ?? retryableKinds.has(options.kind);
    this.retryAfterMs = options.retryAfterMs;
    this.requestId = options.requestId;
    this.details = options.details;
  }

  /** True for an `LLMError` from any copy of `@rxllm/core` (instanceof fails across duplicated packages). */
  static isInstance(value: unknown): value is LLMError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }

  /** A plain object safe to send to a client: no cause, no stack. */
  toJSON(): { kind: LLMErrorKind; message: string; provider: string; status?: number; retryAfterMs?: number } {
    return {
      kind: this.kind,
      message: this.message,
      provider: this.provider,
      ...(this.status === undefined ? {} : { status: this.status }),
      ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
    };
  }
}

/**
 * The error kind for an HTTP status: 401/403 auth, 404 not-found, 408 timeout, 429 rate-limit,
 * 400/409/413/422 invalid-request, 5xx (and Anthropic's 529) overloaded.
 */
export function kindFromStatus(status: number): LLMErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not-found';
  if (status === 408) return 'timeout';
  if (status === 429) return 'rate-limit';
  if (status >= 500) return 'overloaded';
  if (status >= 400) return 'invalid-request';
  return 'unknown';
}

type HeaderSource = Headers | Record<string, string | string[] | null | undefined> | undefined | null;

function readHeader(headers: HeaderSource, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | null | undefined>;
  const value = record[name] ?? record[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : (value ?? undefined);
}

/**
 * Milliseconds to wait before retrying, from `retry-after-ms` (float ms), else `retry-after` (seconds or an HTTP
 * date). `now` is injectable for tests.
 */
export function retryAfterMsFromHeaders(headers: HeaderSource, now: number = Date.now()): number | undefined {
  const milliseconds = readHeader(headers, 'retry-after-ms');
  if (milliseconds !== undefined) {
    const value = Number.parseFloat(milliseconds);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const retryAfter = readHeader(headers, 'retry-after');
  if (retryAfter === undefined) return undefined;
  const seconds = Number(retryAfter);
  if (retryAfter.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(retryAfter);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/** The request id a vendor put in its response headers, if any. */
export function requestIdFromHeaders(headers: HeaderSource): string | undefined {
  return (
    readHeader(headers, 'x-request-id') ?? readHeader(headers, 'request-id') ?? readHeader(headers, 'x-goog-request-id')
  );
}

/** True for the errors `fetch` and SDKs throw when their AbortSignal fires. */
export function isAbortError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const name = (error as { name?: unknown }).name;
  return name === 'AbortError' || name === 'APIUserAbortError' || (error as { code?: unknown }).code === 'ABORT_ERR';
}

/** An `LLMError` for a stream that closed without its terminal event: never a silent success. */
export function truncatedStreamError(provider: string, terminal: string): LLMError {
  return new LLMError({
    kind: 'network',
    provider,
    message: `${provider} stream ended without its terminal event (${terminal}): the response is incomplete`,
    details: { truncated: true },
  });
}

/** Removes every occurrence of the given secrets from a text (for messages that might echo configuration). */
export function redactSecrets(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let result = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) result = result.split(secret).join('[redacted]');
  }
  return result;
}
