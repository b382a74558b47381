import {
  isAbortError,
  kindFromStatus,
  LLMError,
  type LLMErrorKind,
  type LLMErrorOptions,
  redactSecrets,
  requestIdFromHeaders,
  retryAfterMsFromHeaders,
} from '@rxllm/core';

/** Error codes with which Azure OpenAI and OpenAI reject a request for its content (HTTP 400). */
const contentFilterCodes: ReadonlySet<string> = new Set(['content_filter', 'content_policy_violation']);

/** In-stream errors carry no HTTP status: their `type`/`code` tells the kind. */
const kindsByErrorType: Readonly<Record<string, LLMErrorKind>> = {
  rate_limit_exceeded: 'rate-limit',
  rate_limit_error: 'rate-limit',
  insufficient_quota: 'rate-limit',
  tokens: 'rate-limit',
  requests: 'rate-limit',
  server_error: 'overloaded',
  api_error: 'overloaded',
  overloaded_error: 'overloaded',
  service_unavailable: 'overloaded',
  invalid_request_error: 'invalid-request',
  // Responses API `error` / `response.failed` codes.
  context_length_exceeded: 'invalid-request',
  invalid_prompt: 'invalid-request',
  vector_store_timeout: 'timeout',
  invalid_api_key: 'auth',
  authentication_error: 'auth',
  permission_error: 'auth',
  not_found_error: 'not-found',
  model_not_found: 'not-found',
  content_filter: 'content-filter',
  content_policy_violation: 'content-filter',
};

interface VendorErrorBody {
  message?: unknown;
  type?: unknown;
  code?: unknown;
  status?: unknown;
}

/** The parts of the SDK's `APIError` we read, checked structurally so a second copy of `openai` works too. */
interface ApiErrorLike {
  status?: number;
  error?: unknown;
  headers?: Headers;
  requestID?: string | null;
}

/**
 * Who failed, and which secrets to keep out of the message.
 *
 * @example
 * ```ts
 * const options: ToLLMErrorOptions = { provider: 'openai', secrets: [process.env.OPENAI_API_KEY] };
 * ```
 */
export interface ToLLMErrorOptions {
  /** Provider name for the error (`openai`, `ollama`, …). */
  provider: string;
  /** Secrets that must never appear in the message (the API key). */
  secrets?: ReadonlyArray<string | undefined>;
}

const stringOf = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : typeof value === 'number' ? String(value) : undefined;

function sdkErrorName(error: object): string | undefined {
  const name = (error as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' ? name : undefined;
}

function isApiError(error: unknown): error is ApiErrorLike & Error {
  if (!(error instanceof Error)) return false;
  return 'error' in error && 'headers' in error && 'status' in error;
}

function bodyOf(error: ApiErrorLike): VendorErrorBody | undefined {
  if (typeof error.error === 'string') return { message: error.error };
  return typeof error.error === 'object' && error.error !== null ? (error.error as VendorErrorBody) : undefined;
}

function kindOfBody(body: VendorErrorBody | undefined): LLMErrorKind | undefined {
  for (const key of [stringOf(body?.code), stringOf(body?.type)]) {
    if (key !== undefined && Object.hasOwn(kindsByErrorType, key)) return kindsByErrorType[key];
  }
  const status = Number(body?.status ?? body?.code);
  return Number.isInteger(status) && status >= 400 && status < 600 ? kindFromStatus(status) : undefined;
}

const MAX_PLAIN_MESSAGE_LENGTH = 300;

/**
 * A non-JSON error body (a proxy's HTML page, a plain-text 502) reaches us only inside the SDK's message, as
 * `<status> <body>`; keep a bounded piece of it rather than nothing.
 */
function plainBodyMessage(error: ApiErrorLike & Error): string | undefined {
  if (error.error !== undefined || typeof error.status !== 'number') return undefined;
  const text = error.message.replace(/^\d{3} /, '').trim();
  if (text === '' || text === 'status code (no body)') return undefined;
  return text.length > MAX_PLAIN_MESSAGE_LENGTH ? `${text.slice(0, MAX_PLAIN_MESSAGE_LENGTH)}…` : text;
}

/** Network failures while reading a body: undici's `TypeError: terminated` and socket error codes in the cause chain. */
function isNetworkFailure(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth += 1) {
    const { code, message, name } = current as { code?: unknown; message?: unknown; name?: unknown };
    if (typeof code === 'string' && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(code)) return true;
    if (name === 'TypeError' && (message === 'terminated' || message === 'fetch failed')) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Turns anything the `openai` SDK (or the network under it) throws into an {@link LLMError}: HTTP errors by status
 * (a 400 with code `content_filter` / `content_policy_violation` is `content-filter`), in-stream `{"error":…}` events
 * by their `type`/`code`, connection failures and dropped sockets as `network`, SDK timeouts as `timeout`, aborts as
 * `aborted`. The message comes from the vendor's error body and status, never from headers, with secrets redacted.
 *
 * @example
 * ```ts
 * try {
 *   await client.chat.completions.create(body);
 * } catch (error) {
 *   throw toLLMError(error, { provider: 'openai', secrets: [apiKey] });
 * }
 * ```
 */
export function toLLMError(error: unknown, options: ToLLMErrorOptions): LLMError {
  if (LLMError.isInstance(error)) return error;
  const { provider } = options;
  const secrets = options.secrets ?? [];
  const make = (kind: LLMErrorKind, message: string, extra: Partial<LLMErrorOptions> = {}) =>
    new LLMError({ kind, provider, message: redactSecrets(message, secrets), cause: error, ...extra });

  const name = typeof error === 'object' && error !== null ? sdkErrorName(error) : undefined;
  if (name === 'APIUserAbortError' || isAbortError(error)) return make('aborted', `${provider} request was aborted`);
  if (name === 'APIConnectionTimeoutError') return make('timeout', `${provider} request timed out`);
  if (name === 'APIConnectionError') return make('network', `${provider} connection failed`);

  if (isApiError(error)) {
    const body = bodyOf(error);
    const vendorMessage = stringOf(body?.message) ?? plainBodyMessage(error);
    const requestId = error.requestID ?? requestIdFromHeaders(error.headers);
    const ids = requestId ? { requestId } : {};
    if (typeof error.status === 'number') {
      const code = stringOf(body?.code);
      const kind = code !== undefined && contentFilterCodes.has(code) ? 'content-filter' : kindFromStatus(error.status);
      const retryAfterMs =
        kind === 'rate-limit' || kind === 'overloaded' ? retryAfterMsFromHeaders(error.headers) : undefined;
      return make(kind, `${provider} returned HTTP ${error.status}: ${vendorMessage ?? 'no error message'}`, {
        status: error.status,
        ...ids,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
    }
    // A 200 stream that carried an `{"error":…}` event.
    return make(kindOfBody(body) ?? 'unknown', `${provider} stream error: ${vendorMessage ?? 'no error message'}`, {
      ...ids,
      details: { inStream: true, ...(stringOf(body?.type) ? { type: stringOf(body?.type) } : {}) },
    });
  }

  if (isNetworkFailure(error)) return make('network', `${provider} connection dropped while streaming`);
  if (error instanceof SyntaxError) return make('unknown', `${provider} sent an event that is not valid JSON`);
  return make('unknown', `${provider} request failed: ${error instanceof Error ? error.message : String(error)}`);
}
