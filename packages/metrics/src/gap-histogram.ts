/**
 * Summary of inter-chunk gaps, in milliseconds. Empty (`count: 0`, no values) until two content chunks arrived.
 *
 * @example
 * ```ts
 * measure((report) => console.log(`p99 gap ${report.gaps.p99 ?? '-'} ms`));
 * ```
 */
export interface GapStats {
  count: number;
  min?: number;
  p50?: number;
  p99?: number;
  max?: number;
}

/**
 * A histogram of durations with buckets of three significant digits (0.1 % relative error): integer
 * milliseconds below 1000 are exact, and it never holds more than ~900 buckets per decade, so memory stays flat
 * however long the stream. `min` and `max` are exact. Percentiles use the nearest-rank rule.
 *
 * @example
 * ```ts
 * const gaps = new GapHistogram();
 * for (const gap of [10, 20, 30]) gaps.record(gap);
 * gaps.stats(); // { count: 3, min: 10, p50: 20, p99: 30, max: 30 }
 * ```
 */
export class GapHistogram {
  private readonly counts = new Map<number, number>();
  /** Bucket keys in ascending order, so a percentile is one walk. */
  private readonly keys: number[] = [];
  private total = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;

  /** Number of buckets in use (bounded by the range of values, not their number). */
  get bucketCount(): number {
    return this.keys.length;
  }

  record(value: number): void {
    const key = value <= 0 ? 0 : Number(value.toPrecision(3));
    const count = this.counts.get(key);
    if (count === undefined) {
      this.keys.splice(this.insertionIndex(key), 0, key);
      this.counts.set(key, 1);
    } else {
      this.counts.set(key, count + 1);
    }
    this.total += 1;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  /** The smallest recorded bucket value at or below which at least `fraction` of the values fall. */
  percentile(fraction: number): number | undefined {
    if (this.total === 0) return undefined;
    const rank = Math.max(1, Math.ceil(fraction * this.total));
    let seen = 0;
    for (const key of this.keys) {
      seen += this.counts.get(key)!;
      if (seen >= rank) return Math.min(Math.max(key, this.min), this.max);
    }
    return this.max;
  }

  stats(): GapStats {
    if (this.total === 0) return { count: 0 };
    return { count: this.total, min: this.min, p50: this.percentile(0.5), p99: this.percentile(0.99), max: this.max };
  }

  private insertionIndex(key: number): number {
    let low = 0;
    let high = this.keys.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.keys[middle]! < key) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
