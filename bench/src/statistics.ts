/** Small statistics helpers; every function copies before sorting and returns NaN for no data. */

export function percentile(values: readonly number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  // Nearest-rank on the sorted sample: p99 of 100 values is the 99th, not an interpolation past the data.
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank]!;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

/** Median of each numeric field across repeated runs of the same measurement. */
export function medianOfRuns<TRun extends Record<string, number>>(runs: readonly TRun[]): TRun {
  const first = runs[0];
  if (!first) throw new Error('no runs');
  const result: Record<string, number> = {};
  for (const key of Object.keys(first)) result[key] = median(runs.map((run) => run[key]!));
  return result as TRun;
}

/** Formats a number for the report: thousands separators, a sensible number of decimals, `n/a` for NaN. */
export function formatNumber(value: number | undefined, decimals = 0): string {
  if (value === undefined || !Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** `value.toFixed(decimals)` that survives NaN and the `null` a NaN becomes after a trip through IPC/JSON. */
export function fixed(value: number | null | undefined, decimals: number): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(decimals) : 'n/a';
}
