import { describe, expect, it } from 'vitest';
import {
  kindFromStatus,
  LLM_ERROR_KINDS,
  LLMError,
  redactSecrets,
  requestIdFromHeaders,
  retryAfterMsFromHeaders,
} from './errors.js';

describe('LLMError', () => {
  it('carries what a caller acts on and defaults retryable by kind', () => {
    const error = new LLMError({
      kind: 'rate-limit',
      provider: 'openai',
      message: 'slow down',
      status: 429,
      retryAfterMs: 20,
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('LLMError');
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(20);
    expect(new LLMError({ kind: 'auth', provider: 'openai', message: 'bad key' }).retryable).toBe(false);
    expect(new LLMError({ kind: 'auth', provider: 'x', message: 'm', retryable: true }).retryable).toBe(true);
  });

  it('has an invalid-output kind for answers that are not what was asked for, not retryable by default', () => {
    const issues = [{ code: 'invalid_type', path: ['name'], message: 'expected string' }];
    const error = new LLMError({
      kind: 'invalid-output',
      provider: 'openai',
      message: 'bad object',
      details: { issues },
    });
    expect(LLM_ERROR_KINDS).toContain('invalid-output');
    expect(new Set(LLM_ERROR_KINDS).size).toBe(LLM_ERROR_KINDS.length);
    expect(error.retryable).toBe(false);
    expect(error.details).toEqual({ issues });
    expect(error.toJSON()).toEqual({ kind: 'invalid-output', message: 'bad object', provider: 'openai' });
  });

  it('isInstance recognises errors from another copy of the package', () => {
    const error = new LLMError({ kind: 'network', provider: 'openai', message: 'reset' });
    const foreign = Object.assign(Object.create(Error.prototype), {
      [Symbol.for('rxllm.LLMError')]: true,
      kind: 'network',
    });
    expect(LLMError.isInstance(error)).toBe(true);
    expect(LLMError.isInstance(foreign)).toBe(true);
    expect(LLMError.isInstance(new Error('plain'))).toBe(false);
    expect(LLMError.isInstance(null)).toBe(false);
    expect(LLMError.isInstance({ kind: 'auth' })).toBe(false);
  });

  it('serialises without cause or stack', () => {
    const error = new LLMError({
      kind: 'overloaded',
      provider: 'anthropic',
      message: 'Overloaded',
      status: 529,
      cause: new Error('inner'),
    });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      kind: 'overloaded',
      message: 'Overloaded',
      provider: 'anthropic',
      status: 529,
    });
    expect(error.cause).toBeInstanceOf(Error);
  });
});

describe('kindFromStatus', () => {
  it.each([
    [400, 'invalid-request'],
    [401, 'auth'],
    [403, 'auth'],
    [404, 'not-found'],
    [408, 'timeout'],
    [413, 'invalid-request'],
    [422, 'invalid-request'],
    [429, 'rate-limit'],
    [500, 'overloaded'],
    [503, 'overloaded'],
    [529, 'overloaded'],
  ])('%i → %s', (status, kind) => {
    expect(kindFromStatus(status)).toBe(kind);
  });
});

describe('retryAfterMsFromHeaders', () => {
  it('prefers retry-after-ms, then retry-after seconds, then an HTTP date', () => {
    expect(retryAfterMsFromHeaders(new Headers({ 'retry-after-ms': '20.5', 'retry-after': '9' }))).toBe(20.5);
    expect(retryAfterMsFromHeaders({ 'retry-after': '1.5' })).toBe(1500);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMsFromHeaders({ 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }, now)).toBe(3000);
    expect(retryAfterMsFromHeaders({ 'retry-after': 'soon' })).toBeUndefined();
    expect(retryAfterMsFromHeaders({ 'retry-after-ms': '-1' })).toBeUndefined();
    expect(retryAfterMsFromHeaders(undefined)).toBeUndefined();
  });

  it('reads request ids', () => {
    expect(requestIdFromHeaders(new Headers({ 'x-request-id': 'req_1' }))).toBe('req_1');
    expect(requestIdFromHeaders({ 'request-id': 'req_2' })).toBe('req_2');
  });
});

describe('redactSecrets', () => {
  it('removes every occurrence of each secret', () => {
    expect(redactSecrets('key sk-secret-123 and sk-secret-123', ['sk-secret-123', undefined])).toBe(
      'key [redacted] and [redacted]',
    );
  });
});
