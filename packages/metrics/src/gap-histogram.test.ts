import { describe, expect, it } from 'vitest';
import { GapHistogram } from './gap-histogram.js';

describe('GapHistogram', () => {
  it('is empty until a value is recorded', () => {
    expect(new GapHistogram().stats()).toEqual({ count: 0 });
  });

  it('gives exact nearest-rank percentiles for integer milliseconds', () => {
    const histogram = new GapHistogram();
    for (let value = 100; value >= 1; value -= 1) histogram.record(value);
    expect(histogram.stats()).toEqual({ count: 100, min: 1, p50: 50, p99: 99, max: 100 });
    expect(histogram.percentile(0)).toBe(1);
    expect(histogram.percentile(1)).toBe(100);
  });

  it('keeps three significant digits for large values and exact min/max', () => {
    const histogram = new GapHistogram();
    histogram.record(123_456);
    histogram.record(123_789);
    histogram.record(0.5);
    expect(histogram.stats()).toEqual({ count: 3, min: 0.5, p50: 123_000, p99: 123_789, max: 123_789 });
    expect(histogram.bucketCount).toBe(3);
  });

  it('stays bounded over a million gaps', () => {
    const histogram = new GapHistogram();
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let index = 0; index < 1_000_000; index += 1) histogram.record(0.01 + random() * 100_000);
    const stats = histogram.stats();
    expect(stats.count).toBe(1_000_000);
    // 0.01 ms .. 100 s is 7 decades: at most 900 buckets each, whatever the number of values.
    expect(histogram.bucketCount).toBeLessThanOrEqual(7 * 900);
    expect(stats.p50).toBeGreaterThan(45_000);
    expect(stats.p50).toBeLessThan(55_000);
  });
});
