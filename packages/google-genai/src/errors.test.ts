import { ApiError } from '@google/genai';
import { HTTP_STATUS_CASES } from '@rxllm/gemini-common/testing';
import { describe, expect, it } from 'vitest';
import { errorBodyFromMessage, toLLMError } from './errors.js';

const options = { provider: 'google-genai', secrets: ['MARKER-KEY-123'] };
const apiError = (status: number, body: unknown) => new ApiError({ status, message: JSON.stringify(body) });

describe('toLLMError', () => {
  it.each(HTTP_STATUS_CASES)('ApiError %i → %s', (status, kind) => {
    expect(toLLMError(apiError(status, { error: { code: status, message: 'boom' } }), options)).toMatchObject({
      kind,
      status,
    });
  });

  it('maps a 400 with API_KEY_INVALID to auth', () => {
    const error = apiError(400, {
      error: { code: 400, message: 'API key not valid.', details: [{ reason: 'API_KEY_INVALID' }] },
    });
    expect(toLLMError(error, options).kind).toBe('auth');
  });

  it('reads retry-after from the captured headers, else RetryInfo', () => {
    const body = {
      error: { code: 429, details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '2s' }] },
    };
    expect(
      toLLMError(apiError(429, body), { ...options, responseHeaders: new Headers({ 'retry-after': '3' }) })
        .retryAfterMs,
    ).toBe(3000);
    expect(toLLMError(apiError(429, body), options).retryAfterMs).toBe(2000);
  });

  it('parses the in-stream form "got status: X. {json}"', () => {
    expect(errorBodyFromMessage('got status: UNAVAILABLE. {"error":{"code":503,"message":"busy"}}')).toEqual({
      error: { code: 503, message: 'busy' },
    });
  });

  it('redacts the key', () => {
    const error = toLLMError(new Error('failed with MARKER-KEY-123'), options);
    expect(error.message).not.toContain('MARKER-KEY-123');
  });

  it('tells our abort from the SDK timeout', () => {
    const abortError = new DOMException('aborted', 'AbortError');
    const aborted = new AbortController();
    aborted.abort();
    expect(toLLMError(abortError, { ...options, signal: aborted.signal }).kind).toBe('aborted');
    expect(toLLMError(abortError, { ...options, signal: new AbortController().signal }).kind).toBe('timeout');
  });

  it('classifies network, truncation and parse failures', () => {
    expect(toLLMError(new TypeError('fetch failed'), options).kind).toBe('network');
    expect(toLLMError(new Error('Incomplete JSON segment at the end'), options)).toMatchObject({
      kind: 'network',
      details: { truncated: true },
    });
    expect(toLLMError(new SyntaxError('Unexpected token'), options).kind).toBe('unknown');
  });
});
