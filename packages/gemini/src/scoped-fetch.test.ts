import { describe, expect, it } from 'vitest';
import { withScopedFetch } from './scoped-fetch.js';

describe('withScopedFetch', () => {
  const replacement: typeof fetch = () => Promise.reject(new Error('not used'));

  it('exposes the replacement during the call and restores the original after', () => {
    const original = globalThis.fetch;
    const seen = withScopedFetch(replacement, () => globalThis.fetch);
    expect(seen).toBe(replacement);
    expect(globalThis.fetch).toBe(original);
  });

  it('restores the original when the call throws', () => {
    const original = globalThis.fetch;
    expect(() =>
      withScopedFetch(replacement, () => {
        throw new Error('boom');
      }),
    ).toThrowError('boom');
    expect(globalThis.fetch).toBe(original);
  });
});
