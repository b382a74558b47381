import { LLM_ERROR_KINDS, LLMError, type LLMErrorKind } from '@rxllm/core';
import { describe, expect, it } from 'vitest';
import { isBreakerFailure } from './is-breaker-failure.js';

const error = (kind: LLMErrorKind, status?: number) =>
  new LLMError({ kind, provider: 'openai', message: kind, status });

describe('isBreakerFailure', () => {
  it('counts rate-limit, overloaded, timeout and network, and nothing else by kind', () => {
    const counted = LLM_ERROR_KINDS.filter((kind) => isBreakerFailure(error(kind)));
    expect(counted).toEqual(['rate-limit', 'overloaded', 'timeout', 'network']);
  });

  it('counts any LLMError with a 5xx status, and no error that is not an LLMError', () => {
    expect(isBreakerFailure(error('unknown', 502))).toBe(true);
    expect(isBreakerFailure(error('invalid-request', 400))).toBe(false);
    expect(isBreakerFailure(error('auth', 401))).toBe(false);
    expect(isBreakerFailure(new Error('boom'))).toBe(false);
    expect(isBreakerFailure({ kind: 'overloaded' })).toBe(false);
  });
});
