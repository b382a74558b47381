import { describe, expect, it } from 'vitest';
import { formatToolCalls, formatUsd } from './dashboard.js';

describe('formatToolCalls', () => {
  it('shows calls, failures when there are any, and the duration percentiles', () => {
    expect(formatToolCalls({ toolCalls: 0, toolCallsFailed: 0, toolMsP50: null, toolMsP95: null })).toBe('0');
    expect(formatToolCalls({ toolCalls: 3, toolCallsFailed: 0, toolMsP50: 4.4, toolMsP95: 12 })).toBe(
      '3 · 4 ms / 12 ms',
    );
    expect(formatToolCalls({ toolCalls: 3, toolCallsFailed: 1, toolMsP50: 0, toolMsP95: 30_000 })).toBe(
      '3 · 1 failed · 0 ms / 30000 ms',
    );
  });
});

describe('formatUsd', () => {
  it('shows fractions of a cent below a dollar and cents above', () => {
    expect(formatUsd(0)).toBe('$0.0000');
    expect(formatUsd(0.00042)).toBe('$0.0004');
    expect(formatUsd(12.5)).toBe('$12.50');
  });
});
