import {
  AnthropicError,
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from '@anthropic-ai/sdk';
import {
  isAbortError,
  kindFromStatus,
  LLMError,
  type LLMErrorKind,
  redactSecrets,
  requestIdFromHeaders,
  retryAfterMsFromHeaders,
} from '@rxllm/core';

/** Anthropic's `error.type` values and the kind each one means, for errors that carry no HTTP status (in-stream). */
const kindByErrorType: Readonly<Record<string, LLMErrorKind>> = {
  invalid_request_error: 'invalid-request',
  request_too_large: 'invalid-request',
  billing_error: 'invalid-request',
  authentication_error: 'auth',
  permission_error: 'auth',
  not_found_error: 'not-found',
  rate_limit_error: 'rate-limit',
  timeout_error: 'timeout',
  // An `api_error` is Anthropic's 500: a transient server fault, worth a retry like a 5xx.
  api_error: 'overloaded',
  overloaded_error: 'overloaded',
};

/**
 * The `LLMError` kind for an Anthropic error `type` (`overloaded_error` → `overloaded`, `rate_limit_error` →
 * `rate-limit`, `api_error` → `overloaded`, `invalid_request_error` → `invalid-request`, …); `unknown` otherwise.
 *
 * @example
 * ```ts
 * kindFromErrorType('overloaded_error'); // 'overloaded'
 * ```
 */
export function kindFromErrorType(type: string | null | undefined): LLMErrorKind {
  return (type && kindByErrorType[type]) || 'unknown';
}

/**
 * Options of {@link toLLMError}.
 *
 * @example
 * ```ts
 * toLLMError(error, { provider: 'anthropic', secrets: [process.env.ANTHROPIC_API_KEY] });
 * ```
 */
export interface ToLLMErrorOptions {
  /** Provider name put on the error (default `anthropic`). */
  provider?: string;
  /** Values that must never appear in a message (the API key, a bearer token). */
  secrets?: ReadonlyArray<string | null | undefined>;
}

function isSocketFailure(error: unknown): boolean {
  // undici reports a connection that dies while the body is read as `TypeError: terminated`, the socket error as cause.
  if (!(error instanceof Error)) return false;
  if (error.name === 'TypeError' && /terminated|fetch failed|other side closed/i.test(error.message)) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^(ECONN|EPIPE|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|UND_ERR)/.test(code)) return true;
  return error.cause !== undefined && isSocketFailure(error.cause);
}

/**
 * Turns anything the Anthropic SDK (or the socket under it) throws into an {@link LLMError}: HTTP errors by status
 * (with `retryAfterMs` and `requestId` from the response headers), in-stream `event: error`s by their `error.type`,
 * connection failures as `network`, timeouts as `timeout`, aborts as `aborted`. An `LLMError` passes through.
 * The message is built from the vendor's error body, never from request headers, and `secrets` are redacted.
 *
 * @example
 * ```ts
 * try { await client.messages.create(body); } catch (error) { throw toLLMError(error, { secrets: [apiKey] }); }
 * ```
 */
export function toLLMError(error: unknown, options: ToLLMErrorOptions = {}): LLMError {
  const provider = options.provider ?? 'anthropic';
  const secrets = (options.secrets ?? []).filter((secret): secret is string => typeof secret === 'string');
  const clean = (text: string) => redactSecrets(text, secrets);
  if (LLMError.isInstance(error)) return error;

  if (error instanceof APIUserAbortError || isAbortError(error)) {
    return new LLMError({ kind: 'aborted', provider, message: 'the request was aborted', cause: error });
  }
  if (error instanceof APIConnectionTimeoutError) {
    return new LLMError({ kind: 'timeout', provider, message: 'Anthropic request timed out', cause: error });
  }
  if (error instanceof APIConnectionError) {
    const reason = error.cause instanceof Error ? `: ${clean(error.cause.message)}` : '';
    return new LLMError({
      kind: 'network',
      provider,
      message: `connection to Anthropic failed${reason}`,
      cause: error,
    });
  }
  if (error instanceof APIError) {
    const type = error.type ?? undefined;
    const status = error.status;
    const kind = status === undefined ? kindFromErrorType(type) : kindFromStatus(status);
    const vendorMessage = error.apiMessage ?? undefined;
    const where = status === undefined ? 'Anthropic stream error' : `Anthropic API error ${status}`;
    const message = `${where}${type ? ` (${type})` : ''}${vendorMessage ? `: ${vendorMessage}` : ''}`;
    return new LLMError({
      kind,
      provider,
      message: clean(message),
      status,
      retryAfterMs: retryAfterMsFromHeaders(error.headers),
      requestId: error.requestID ?? requestIdFromHeaders(error.headers),
      cause: error,
      details: {
        ...(type === undefined ? {} : { type }),
        ...(error.errorCode ? { errorCode: error.errorCode } : {}),
        ...(status === undefined ? { inStream: true } : {}),
      },
    });
  }
  if (isSocketFailure(error)) {
    const text = error instanceof Error ? error.message : String(error);
    return new LLMError({
      kind: 'network',
      provider,
      message: `connection to Anthropic was lost: ${clean(text)}`,
      cause: error,
    });
  }
  const text = error instanceof Error ? error.message : String(error);
  const kind: LLMErrorKind =
    error instanceof AnthropicError && /credential|api key|auth/i.test(text) ? 'auth' : 'unknown';
  return new LLMError({ kind, provider, message: clean(`Anthropic request failed: ${text}`), cause: error });
}
