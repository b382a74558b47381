import { describe, expect, it } from 'vitest';
import { sparklinePath } from './sparkline.js';

describe('sparklinePath', () => {
  it('scales values to the box, oldest on the left, largest at the top', () => {
    const { line, area } = sparklinePath([0, 5, 10], { width: 100, height: 20 });
    expect(line).toBe('M0,20L50,10L100,0');
    expect(area).toBe('M0,20L50,10L100,0L100,20L0,20Z');
  });

  it('uses the given max and clamps values above it', () => {
    expect(sparklinePath([2, 8], { width: 10, height: 10, max: 4 }).line).toBe('M0,5L10,0');
  });

  it('keeps an all-zero series on the bottom line', () => {
    expect(sparklinePath([0, 0], { width: 10, height: 10 }).line).toBe('M0,10L10,10');
  });

  it('leaves a gap for null values', () => {
    expect(sparklinePath([1, null, 1], { width: 10, height: 10, max: 1 }).line).toBe('M0,0M10,0');
  });

  it('draws nothing without values', () => {
    expect(sparklinePath([], { width: 10, height: 10 })).toEqual({ line: '', area: '' });
  });
});
