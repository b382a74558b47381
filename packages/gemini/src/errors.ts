import {
  isAbortError,
  kindFromStatus,
  LLMError,
  redactSecrets,
  requestIdFromHeaders,
  retryAfterMsFromHeaders,
} from '@rxllm/core';
import { isInvalidKeyDetail, retryAfterMsFromDetails } from '@rxllm/gemini-common/internal';

export interface ToLLMErrorOptions {
  provider: string;
  /** Values to remove from any message (the API key). */
  secrets: ReadonlyArray<string | undefined>;
  /** Our own signal: an abort we did not cause (the SDK `timeout`) is a timeout. */
  signal?: AbortSignal;
  /** Headers of the HTTP error response, for `retry-after` and the request id (the SDK error drops them). */
  responseHeaders?: Headers;
}

const sdkMessagePrefix = /^\[GoogleGenerativeAI Error\]: /;

interface SdkError {
  name?: string;
  message?: string;
  status?: number;
  statusText?: string;
  errorDetails?: unknown;
  constructor?: { name?: string };
}

/**
 * Maps whatever `@google/generative-ai` throws to an `LLMError`. The SDK's own messages include the request URL;
 * ours keep only the vendor's text, and every message is passed through `redactSecrets`.
 *
 * @example
 * ```ts
 * catch (error) { throw toLLMError(error, { provider: 'gemini', secrets: [apiKey] }); }
 * ```
 */
export function toLLMError(error: unknown, options: ToLLMErrorOptions): LLMError {
  const { provider, secrets } = options;
  if (LLMError.isInstance(error)) return error;
  const sdkError = (typeof error === 'object' && error !== null ? error : {}) as SdkError;
  const className = sdkError.constructor?.name ?? sdkError.name ?? '';
  const rawMessage = (typeof sdkError.message === 'string' ? sdkError.message : String(error)).replace(
    sdkMessagePrefix,
    '',
  );
  const clean = (text: string) => redactSecrets(text, secrets);

  if (typeof sdkError.status === 'number') {
    const status = sdkError.status;
    // "Error fetching from <url>: [429 Too Many Requests] <vendor message> <details JSON>": keep what follows the status.
    const vendorText = rawMessage.includes('] ') ? rawMessage.slice(rawMessage.indexOf('] ') + 2) : rawMessage;
    const kind = status === 400 && isInvalidKeyDetail(sdkError.errorDetails) ? 'auth' : kindFromStatus(status);
    const retryAfterMs =
      retryAfterMsFromHeaders(options.responseHeaders) ?? retryAfterMsFromDetails(sdkError.errorDetails);
    const requestId = requestIdFromHeaders(options.responseHeaders);
    return new LLMError({
      kind,
      provider,
      status,
      message: clean(
        `${provider} HTTP ${status}${sdkError.statusText ? ` ${sdkError.statusText}` : ''}: ${vendorText.trim() || 'no message'}`,
      ),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      ...(requestId === undefined ? {} : { requestId }),
      cause: error,
    });
  }
  if (className === 'GoogleGenerativeAIAbortError' || isAbortError(error)) {
    const ours = options.signal?.aborted === true;
    return new LLMError({
      kind: ours ? 'aborted' : 'timeout',
      provider,
      message: ours ? `${provider} request was aborted` : `${provider} request timed out (the SDK aborted it)`,
      cause: error,
    });
  }
  if (className === 'GoogleGenerativeAIRequestInputError') {
    return new LLMError({
      kind: 'invalid-request',
      provider,
      message: clean(`${provider}: ${rawMessage}`),
      cause: error,
    });
  }
  if (rawMessage.startsWith('Failed to parse stream')) {
    // Bytes left over at EOF that are not a whole `data: …\r\n\r\n` event: a cut-off event or a foreign line
    // (an SSE comment or `event:` field, which this SDK cannot skip).
    return new LLMError({
      kind: 'network',
      provider,
      message: `${provider} stream could not be parsed: it ended inside an event or contained a line other than "data: " (SSE comments are not supported by @google/generative-ai)`,
      details: { truncated: true },
      cause: error,
    });
  }
  if (rawMessage.startsWith('Error parsing JSON response')) {
    return new LLMError({
      kind: 'unknown',
      provider,
      message: `${provider} sent an event that is not JSON`,
      cause: error,
    });
  }
  if (rawMessage.startsWith('Error reading from the stream') || rawMessage.startsWith('Error fetching from')) {
    const causeText = rawMessage.startsWith('Error fetching from')
      ? rawMessage.slice(rawMessage.lastIndexOf(': ') + 2)
      : 'connection lost';
    return new LLMError({
      kind: 'network',
      provider,
      message: clean(`${provider} network error: ${causeText}`),
      cause: error,
    });
  }
  return new LLMError({ kind: 'unknown', provider, message: clean(`${provider}: ${rawMessage}`), cause: error });
}
