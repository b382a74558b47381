/**
 * Throws a `RangeError` unless `ttlMs` is a positive number: a cache whose entries expire at once is a mistake,
 * better reported when the cache is set up than as a cache that never hits.
 *
 * @example
 * ```ts
 * assertTtlMs(60_000); // fine
 * assertTtlMs(0); // RangeError: ttlMs must be a positive number of milliseconds, got 0
 * ```
 */
export function assertTtlMs(ttlMs: number): void {
  if (!(ttlMs > 0)) throw new RangeError(`ttlMs must be a positive number of milliseconds, got ${ttlMs}`);
}
