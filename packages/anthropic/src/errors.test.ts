import {
  AnthropicError,
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  InternalServerError,
  RateLimitError,
} from '@anthropic-ai/sdk';
import { LLMError } from '@rxllm/core';
import { describe, expect, it } from 'vitest';
import { kindFromErrorType, toLLMError } from './errors.js';

const errorBody = (type: string, message: string) => ({ type: 'error', error: { type, message } });

describe('kindFromErrorType', () => {
  it.each([
    ['overloaded_error', 'overloaded'],
    ['rate_limit_error', 'rate-limit'],
    ['api_error', 'overloaded'],
    ['invalid_request_error', 'invalid-request'],
    ['authentication_error', 'auth'],
    ['permission_error', 'auth'],
    ['not_found_error', 'not-found'],
    ['timeout_error', 'timeout'],
    ['billing_error', 'invalid-request'],
    ['request_too_large', 'invalid-request'],
    ['brand_new_error', 'unknown'],
    [undefined, 'unknown'],
  ] as const)('%s → %s', (type, kind) => {
    expect(kindFromErrorType(type)).toBe(kind);
  });
});

describe('toLLMError', () => {
  it('maps an HTTP error by status, with retry-after, request id and the vendor message', () => {
    const headers = new Headers({ 'retry-after': '3', 'request-id': 'req_123' });
    const error = toLLMError(new RateLimitError(429, errorBody('rate_limit_error', 'Slow down.'), undefined, headers));
    expect(error).toBeInstanceOf(LLMError);
    expect(error).toMatchObject({
      kind: 'rate-limit',
      status: 429,
      retryable: true,
      retryAfterMs: 3000,
      requestId: 'req_123',
      provider: 'anthropic',
      message: 'Anthropic API error 429 (rate_limit_error): Slow down.',
    });
  });

  it('prefers retry-after-ms over retry-after', () => {
    const headers = new Headers({ 'retry-after-ms': '250', 'retry-after': '9' });
    expect(
      toLLMError(new RateLimitError(429, errorBody('rate_limit_error', 'x'), undefined, headers)).retryAfterMs,
    ).toBe(250);
  });

  it('maps 529 to overloaded and in-stream errors by their error type', () => {
    const overloaded = new InternalServerError(
      529,
      errorBody('overloaded_error', 'Overloaded'),
      undefined,
      new Headers(),
    );
    expect(toLLMError(overloaded)).toMatchObject({ kind: 'overloaded', status: 529, retryable: true });
    const inStream = new APIError(
      undefined,
      errorBody('invalid_request_error', 'bad'),
      undefined,
      new Headers(),
      'invalid_request_error',
    );
    expect(toLLMError(inStream)).toMatchObject({
      kind: 'invalid-request',
      status: undefined,
      retryable: false,
      message: 'Anthropic stream error (invalid_request_error): bad',
      details: { type: 'invalid_request_error', inStream: true },
    });
  });

  it('maps connection failures, timeouts and aborts', () => {
    expect(toLLMError(new APIConnectionError({ cause: new Error('ECONNREFUSED') }))).toMatchObject({ kind: 'network' });
    expect(toLLMError(new APIConnectionTimeoutError())).toMatchObject({ kind: 'timeout', retryable: true });
    expect(toLLMError(new APIUserAbortError())).toMatchObject({ kind: 'aborted', retryable: false });
    const terminated = new TypeError('terminated', {
      cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
    });
    expect(toLLMError(terminated)).toMatchObject({ kind: 'network', retryable: true });
  });

  it('passes an LLMError through and maps anything else to unknown', () => {
    const original = new LLMError({ kind: 'timeout', provider: 'x', message: 'm' });
    expect(toLLMError(original)).toBe(original);
    expect(toLLMError(new SyntaxError('Unexpected token'))).toMatchObject({ kind: 'unknown' });
    expect(toLLMError(new AnthropicError('Could not resolve authentication method'))).toMatchObject({ kind: 'auth' });
  });

  it('redacts secrets that a vendor message echoes', () => {
    const key = 'sk-ant-marker-0123456789';
    const error = toLLMError(
      new APIError(401, errorBody('authentication_error', `invalid x-api-key ${key}`), undefined, new Headers()),
      { secrets: [key] },
    );
    expect(error.kind).toBe('auth');
    expect(error.message).not.toContain(key);
    expect(error.message).toContain('[redacted]');
  });
});
