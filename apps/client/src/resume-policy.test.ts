import { describe, expect, it } from 'vitest';
import { reconnectDelayMs, resolveResumeOptions } from './resume-policy.js';

describe('resume policy', () => {
  it('is off unless asked for, with 5 attempts from 250 ms doubling to 2 s by default', () => {
    expect(resolveResumeOptions(undefined)).toBeUndefined();
    expect(resolveResumeOptions(false)).toBeUndefined();
    const policy = resolveResumeOptions(true)!;
    expect(policy).toEqual({ attempts: 5, initialDelayMs: 250, maxDelayMs: 2000 });
    expect([0, 1, 2, 3, 4].map((failures) => reconnectDelayMs(policy, failures))).toEqual([250, 500, 1000, 2000, 2000]);
  });

  it('takes given values', () => {
    const policy = resolveResumeOptions({ attempts: 2, initialDelayMs: 10, maxDelayMs: 15 })!;
    expect([0, 1, 2].map((failures) => reconnectDelayMs(policy, failures))).toEqual([10, 15, 15]);
    expect(policy.attempts).toBe(2);
  });
});
