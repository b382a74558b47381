import { describe, expect, it } from 'vitest';
import { formatToolCalls } from './dashboard.js';

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
