import type { FinishReason, LLMErrorKind } from '@rxllm/core';

/**
 * `finishReason`s the mock upstream can send after some text, each with the reason both providers must report
 * (no function call in the response).
 *
 * @example
 * ```ts
 * it.each(FINISH_REASON_CASES)('finish reason %s → %s', async (rawReason, reason) => { … });
 * ```
 */
export const FINISH_REASON_CASES: ReadonlyArray<readonly [rawReason: string, reason: FinishReason]> = [
  ['STOP', 'stop'],
  ['MAX_TOKENS', 'length'],
  ['SAFETY', 'content-filter'],
  ['RECITATION', 'content-filter'],
  ['BLOCKLIST', 'content-filter'],
  ['PROHIBITED_CONTENT', 'content-filter'],
  ['SPII', 'content-filter'],
  ['IMAGE_SAFETY', 'content-filter'],
  ['MALFORMED_FUNCTION_CALL', 'error'],
  ['OTHER', 'other'],
  ['LANGUAGE', 'other'],
];

/**
 * HTTP error statuses from Google, each with the `LLMError` kind both providers must report. A 400 whose details
 * say `API_KEY_INVALID` is `auth` instead, and a 429 carries a retry delay: test those on their own.
 *
 * @example
 * ```ts
 * it.each(HTTP_STATUS_CASES)('HTTP %i → %s', (status, kind) => { … });
 * ```
 */
export const HTTP_STATUS_CASES: ReadonlyArray<readonly [status: number, kind: LLMErrorKind]> = [
  [401, 'auth'],
  [403, 'auth'],
  [404, 'not-found'],
  [429, 'rate-limit'],
  [400, 'invalid-request'],
  [500, 'overloaded'],
  [503, 'overloaded'],
];
