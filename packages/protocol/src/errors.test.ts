import { LLM_ERROR_KINDS } from '@rxllm/core';
import { describe, expect, it } from 'vitest';
import { AGENT_ERROR_KINDS, isAgentErrorKind, parseErrorBody, parseErrorPayload } from './errors.js';

describe('AGENT_ERROR_KINDS', () => {
  it('is every LLMError kind plus shutdown, slow-consumer, forbidden and budget-exceeded', () => {
    const own = ['shutdown', 'slow-consumer', 'forbidden', 'budget-exceeded'];
    expect(new Set(AGENT_ERROR_KINDS)).toEqual(new Set([...LLM_ERROR_KINDS, ...own]));
    expect(AGENT_ERROR_KINDS).toHaveLength(LLM_ERROR_KINDS.length + own.length);
  });

  it('isAgentErrorKind knows them and nothing else', () => {
    expect(isAgentErrorKind('forbidden')).toBe(true);
    expect(isAgentErrorKind('teapot')).toBe(false);
    expect(isAgentErrorKind('toString')).toBe(false);
    expect(isAgentErrorKind(undefined)).toBe(false);
  });
});

describe('parseErrorBody', () => {
  it('reads the agent error reply, as text or parsed', () => {
    const body = { error: { kind: 'invalid-request', message: 'message: must not be empty' } };
    expect(parseErrorBody(JSON.stringify(body), 400)).toEqual(body.error);
    expect(parseErrorBody(body, 400)).toEqual(body.error);
    expect(parseErrorBody({ error: { kind: 'forbidden', message: 'no' } }, 403)).toEqual({
      kind: 'forbidden',
      message: 'no',
    });
  });

  it('ignores extra fields (the OpenAI-compatible route adds type, param, code)', () => {
    const body = {
      error: { message: 'slow down', type: 'rate_limit_exceeded', param: null, code: 'rate-limit', kind: 'rate-limit' },
    };
    expect(parseErrorBody(JSON.stringify(body), 429)).toEqual({ kind: 'rate-limit', message: 'slow down' });
  });

  it.each([
    [
      'HTML from a proxy',
      '<html>Bad gateway</html>',
      502,
      { kind: 'overloaded', message: 'the agent answered HTTP 502' },
    ],
    ['an empty body', '', 401, { kind: 'auth', message: 'the agent answered HTTP 401' }],
    ['JSON without error', '{"detail":"nope"}', 404, { kind: 'not-found', message: 'the agent answered HTTP 404' }],
    ['a JSON string', '"error"', 400, { kind: 'invalid-request', message: 'the agent answered HTTP 400' }],
    ['null', null, 500, { kind: 'overloaded', message: 'the agent answered HTTP 500' }],
    ['error as a string', { error: 'boom' }, 429, { kind: 'rate-limit', message: 'the agent answered HTTP 429' }],
    [
      'an unknown kind',
      { error: { kind: 'teapot', message: 'short and stout' } },
      418,
      { kind: 'invalid-request', message: 'short and stout' },
    ],
    [
      'an empty message',
      { error: { kind: 'shutdown', message: '' } },
      503,
      { kind: 'shutdown', message: 'the agent answered HTTP 503' },
    ],
    ['no status', 'junk', undefined, { kind: 'unknown', message: 'the agent reported an error without a message' }],
  ])('falls back for %s', (_name, body, status, expected) => {
    expect(parseErrorBody(body, status)).toEqual(expected);
  });

  it('does not parse a body over 1 MiB', () => {
    const message = 'x'.repeat(1024 * 1024);
    expect(parseErrorBody(JSON.stringify({ error: { kind: 'unknown', message } }), 500)).toEqual({
      kind: 'overloaded',
      message: 'the agent answered HTTP 500',
    });
  });
});

describe('parseErrorPayload', () => {
  it('reads an error event payload, or falls back', () => {
    expect(parseErrorPayload({ kind: 'timeout', message: 'idle' })).toEqual({ kind: 'timeout', message: 'idle' });
    expect(parseErrorPayload({})).toEqual({
      kind: 'unknown',
      message: 'the agent reported an error without a message',
    });
    expect(parseErrorPayload({ kind: 'shutdown', message: 'stopping' }, 503)).toEqual({
      kind: 'shutdown',
      message: 'stopping',
    });
  });
});
