import { LLMError } from '@rxllm/core';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  BadRequestError,
  RateLimitError,
} from 'openai';
import { describe, expect, it } from 'vitest';
import { toLLMError } from './errors.js';

const SECRET = 'sk-marker-0123456789abcdef';
const options = { provider: 'openai', secrets: [SECRET] };
const headers = (entries: Record<string, string> = {}) => new Headers({ 'x-request-id': 'req_1', ...entries });

describe('toLLMError', () => {
  it.each([
    [401, 'auth'],
    [403, 'auth'],
    [404, 'not-found'],
    [400, 'invalid-request'],
    [422, 'invalid-request'],
    [429, 'rate-limit'],
    [500, 'overloaded'],
    [503, 'overloaded'],
  ])('maps HTTP %i to %s with status and request id', (status, kind) => {
    const error = toLLMError(APIError.generate(status, { error: { message: 'nope' } }, undefined, headers()), options);
    expect(error).toMatchObject({ kind, status, requestId: 'req_1', provider: 'openai' });
    expect(error.message).toBe(`openai returned HTTP ${status}: nope`);
  });

  it('reads retry-after-ms, then retry-after, on a 429', () => {
    const body = { error: { message: 'slow down', code: 'rate_limit_exceeded' } };
    expect(
      toLLMError(new RateLimitError(429, body.error, undefined, headers({ 'retry-after-ms': '20' })), options),
    ).toMatchObject({ kind: 'rate-limit', retryable: true, retryAfterMs: 20 });
    expect(
      toLLMError(new RateLimitError(429, body.error, undefined, headers({ 'retry-after': '2' })), options),
    ).toMatchObject({ retryAfterMs: 2000 });
  });

  it('maps a 400 with an Azure content_filter code to content-filter', () => {
    const body = {
      message: 'The response was filtered',
      type: null,
      param: 'prompt',
      code: 'content_filter',
      status: 400,
    };
    expect(toLLMError(new BadRequestError(400, body, undefined, headers()), options)).toMatchObject({
      kind: 'content-filter',
      status: 400,
      retryable: false,
    });
    const policy = { message: 'Your request was rejected', code: 'content_policy_violation' };
    expect(toLLMError(new BadRequestError(400, policy, undefined, headers()), options).kind).toBe('content-filter');
  });

  it.each([
    [{ message: 'busy', type: 'server_error' }, 'overloaded'],
    [{ message: 'slow', type: 'requests', code: 'rate_limit_exceeded' }, 'rate-limit'],
    [{ message: 'quota', type: 'insufficient_quota', code: 'insufficient_quota' }, 'rate-limit'],
    [{ message: 'bad', type: 'invalid_request_error' }, 'invalid-request'],
    [{ message: 'tpm', type: 'tokens' }, 'rate-limit'],
    [{ message: 'api', type: 'api_error' }, 'overloaded'],
    [{ message: 'key', type: 'invalid_request_error', code: 'invalid_api_key' }, 'auth'],
    [{ message: 'model', type: 'invalid_request_error', code: 'model_not_found' }, 'not-found'],
    [{ message: 'filtered', code: 'content_filter' }, 'content-filter'],
    [{ message: 'odd', code: 503 }, 'overloaded'],
    [{ message: 'too long', code: 'context_length_exceeded' }, 'invalid-request'],
    [{ message: 'flagged', code: 'invalid_prompt' }, 'invalid-request'],
    [{ message: 'slow store', code: 'vector_store_timeout' }, 'timeout'],
    [{ message: 'who knows' }, 'unknown'],
  ])('maps an in-stream error %j to %s', (body, kind) => {
    const error = toLLMError(new APIError(undefined, body, undefined, headers()), options);
    expect(error).toMatchObject({ kind, status: undefined, details: expect.objectContaining({ inStream: true }) });
    expect(error.message).toBe(`openai stream error: ${body.message}`);
  });

  it('maps connection failures, timeouts, aborts and dropped bodies', () => {
    expect(toLLMError(new APIConnectionError({ message: 'Connection error.' }), options).kind).toBe('network');
    expect(toLLMError(new APIConnectionTimeoutError(), options).kind).toBe('timeout');
    expect(toLLMError(new APIUserAbortError(), options).kind).toBe('aborted');
    const terminated = new TypeError('terminated', {
      cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
    });
    expect(toLLMError(terminated, options)).toMatchObject({ kind: 'network', retryable: true });
    expect(toLLMError(new SyntaxError('Unexpected token'), options).kind).toBe('unknown');
  });

  it('passes an LLMError through unchanged', () => {
    const original = new LLMError({ kind: 'timeout', provider: 'openai', message: 'late' });
    expect(toLLMError(original, options)).toBe(original);
  });

  it('never puts the API key in the message, even when the vendor echoes it', () => {
    const body = { error: { message: `Incorrect API key provided: ${SECRET}.` } };
    const error = toLLMError(APIError.generate(401, body, undefined, headers()), options);
    expect(error.message).not.toContain(SECRET);
    expect(JSON.stringify(error)).not.toContain(SECRET);
    expect(error.message).toContain('[redacted]');
  });
});
