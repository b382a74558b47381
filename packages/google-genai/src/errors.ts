import {
  isAbortError,
  kindFromStatus,
  LLMError,
  redactSecrets,
  requestIdFromHeaders,
  retryAfterMsFromHeaders,
} from '@rxllm/core';
import type { GoogleErrorDetail } from '@rxllm/gemini-common';
import { isInvalidKeyDetail, retryAfterMsFromDetails } from '@rxllm/gemini-common/internal';

interface GoogleErrorBody {
  error?: { code?: number; message?: string; status?: string; details?: GoogleErrorDetail[] };
}

/**
 * The Google error body inside an `ApiError` message: the JSON itself, or `got status: X. {json}` for in-stream errors.
 *
 * @example
 * ```ts
 * errorBodyFromMessage('got status: UNAVAILABLE. {"error":{"code":503}}'); // { error: { code: 503 } }
 * ```
 */
export function errorBodyFromMessage(message: string): GoogleErrorBody | undefined {
  const start = message.indexOf('{');
  if (start === -1) return undefined;
  try {
    const parsed: unknown = JSON.parse(message.slice(start));
    return typeof parsed === 'object' && parsed !== null ? (parsed as GoogleErrorBody) : undefined;
  } catch {
    return undefined;
  }
}

export interface ToLLMErrorOptions {
  provider: string;
  /** Values to remove from any message (the API key). */
  secrets: ReadonlyArray<string | undefined>;
  /** Our own signal: an abort we did not cause (the SDK `timeout`) is a timeout. */
  signal?: AbortSignal;
  /** Headers of the HTTP response, when the error came with one (for `retry-after` and the request id). */
  responseHeaders?: Headers;
  /** True once the 200 response started streaming: an `ApiError` then is an error inside the stream. */
  streaming?: boolean;
}

interface SdkError {
  name?: string;
  message?: string;
  status?: number;
  cause?: { code?: string; message?: string };
}

/**
 * Maps whatever `@google/genai` throws to an `LLMError`: `ApiError` by status (400 with `API_KEY_INVALID` is auth),
 * retry delays from `retry-after` or the body's `RetryInfo`, aborts, and network and stream failures.
 *
 * @example
 * ```ts
 * catch (error) { throw toLLMError(error, { provider: 'google-genai', secrets: [apiKey] }); }
 * ```
 */
export function toLLMError(error: unknown, options: ToLLMErrorOptions): LLMError {
  const { provider, secrets } = options;
  if (LLMError.isInstance(error)) return error;
  const sdkError = (typeof error === 'object' && error !== null ? error : {}) as SdkError;
  const rawMessage = typeof sdkError.message === 'string' ? sdkError.message : String(error);
  const clean = (text: string) => redactSecrets(text, secrets);

  if (sdkError.name === 'ApiError' && typeof sdkError.status === 'number') {
    const status = sdkError.status;
    const body = errorBodyFromMessage(rawMessage)?.error;
    const details = body?.details;
    const kind = status === 400 && isInvalidKeyDetail(details) ? 'auth' : kindFromStatus(status);
    const headers = options.streaming ? undefined : options.responseHeaders;
    const retryAfterMs = retryAfterMsFromHeaders(headers) ?? retryAfterMsFromDetails(details);
    const requestId = requestIdFromHeaders(headers);
    const where = options.streaming ? 'stream error' : `HTTP ${status}`;
    return new LLMError({
      kind,
      provider,
      status,
      message: clean(`${provider} ${where}${body?.status ? ` ${body.status}` : ''}: ${body?.message ?? rawMessage}`),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      ...(requestId === undefined ? {} : { requestId }),
      ...(options.streaming ? { details: { inStream: true } } : {}),
      cause: error,
    });
  }
  if (isAbortError(error)) {
    const ours = options.signal?.aborted === true;
    return new LLMError({
      kind: ours ? 'aborted' : 'timeout',
      provider,
      message: ours ? `${provider} request was aborted` : `${provider} request timed out (the SDK aborted it)`,
      cause: error,
    });
  }
  if (rawMessage.startsWith('Could not load the default credentials')) {
    // Vertex without a key: google-auth-library found no Application Default Credentials.
    return new LLMError({
      kind: 'auth',
      provider,
      message: clean(`${provider} (Vertex AI): ${rawMessage}`),
      cause: error,
    });
  }
  if (rawMessage.startsWith('Incomplete JSON segment at the end')) {
    return new LLMError({
      kind: 'network',
      provider,
      message: `${provider} stream ended inside an event: the response is incomplete`,
      details: { truncated: true },
      cause: error,
    });
  }
  if (rawMessage.startsWith('exception parsing stream chunk') || sdkError.name === 'SyntaxError') {
    return new LLMError({
      kind: 'unknown',
      provider,
      message: `${provider} sent an event that is not JSON`,
      cause: error,
    });
  }
  if (
    sdkError.name === 'TypeError' ||
    rawMessage === 'terminated' ||
    rawMessage === 'fetch failed' ||
    sdkError.cause?.code
  ) {
    return new LLMError({
      kind: 'network',
      provider,
      message: clean(
        `${provider} network error: ${rawMessage}${sdkError.cause?.code ? ` (${sdkError.cause.code})` : ''}`,
      ),
      cause: error,
    });
  }
  return new LLMError({ kind: 'unknown', provider, message: clean(`${provider}: ${rawMessage}`), cause: error });
}
