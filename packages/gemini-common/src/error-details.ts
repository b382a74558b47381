/** One entry of a Google error body's `error.details` (`google.rpc.ErrorInfo`, `google.rpc.RetryInfo`, …). */
export interface GoogleErrorDetail {
  '@type'?: string;
  reason?: string;
  retryDelay?: string;
}

/**
 * Milliseconds from a `google.rpc.RetryInfo` detail's `retryDelay` (a protobuf Duration such as `"34.4s"`).
 *
 * @example
 * ```ts
 * retryAfterMsFromDetails([{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '34.4s' }]); // 34400
 * ```
 */
export function retryAfterMsFromDetails(details: unknown): number | undefined {
  if (!Array.isArray(details)) return undefined;
  for (const detail of details as GoogleErrorDetail[]) {
    if (typeof detail?.retryDelay !== 'string') continue;
    const match = /^(\d+(?:\.\d+)?)s$/.exec(detail.retryDelay.trim());
    if (match) return Math.round(Number(match[1]) * 1000);
  }
  return undefined;
}

/**
 * True when Google's error details say the key is invalid, which it reports as a 400, not a 401.
 *
 * @example
 * ```ts
 * isInvalidKeyDetail([{ reason: 'API_KEY_INVALID' }]); // true
 * ```
 */
export function isInvalidKeyDetail(details: unknown): boolean {
  return (
    Array.isArray(details) && (details as GoogleErrorDetail[]).some((detail) => detail?.reason === 'API_KEY_INVALID')
  );
}
