import { LLMError } from '@rxllm/core';
import { describe, expect, it } from 'vitest';
import { agentError, connectionError, displayKind, isUnreachable } from './agent-error.js';

describe('agentError', () => {
  it('keeps a known kind, the message, status and Retry-After', () => {
    const error = agentError({ kind: 'rate-limit', message: 'slow down' }, 429, 2000);
    expect(LLMError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ kind: 'rate-limit', message: 'slow down', status: 429, retryAfterMs: 2000 });
    expect(error.retryable).toBe(true);
  });

  it('maps agent-only kinds to the status kind and keeps their name for display', () => {
    const error = agentError({ kind: 'shutdown', message: 'server stopping' }, 503);
    expect(error.kind).toBe('overloaded');
    expect(displayKind(error)).toBe('shutdown');
  });

  it('falls back to the status when the body has no error object', () => {
    const error = agentError(undefined, 400);
    expect(error.kind).toBe('invalid-request');
    expect(error.message).toBe('the agent answered HTTP 400');
  });

  it('is unknown for a mid-stream error without kind', () => {
    expect(agentError({}).kind).toBe('unknown');
  });
});

describe('connectionError', () => {
  it('marks a refused connection as unreachable', () => {
    const cause = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
    });
    const error = connectionError(cause, 'http://127.0.0.1:1');
    expect(error.kind).toBe('network');
    expect(isUnreachable(error)).toBe(true);
    expect(error.message).toContain('cannot reach the agent at http://127.0.0.1:1 (ECONNREFUSED)');
  });

  it('finds the code inside an AggregateError (happy eyeballs)', () => {
    const inner = Object.assign(new Error('x'), { code: 'ECONNREFUSED' });
    const cause = new TypeError('fetch failed', { cause: new AggregateError([inner]) });
    expect(isUnreachable(connectionError(cause, 'http://localhost:1'))).toBe(true);
  });

  it('does not call a reset mid-stream unreachable', () => {
    const error = connectionError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }), 'http://x');
    expect(isUnreachable(error)).toBe(false);
    expect(error.message).toContain('ECONNRESET');
  });
});
