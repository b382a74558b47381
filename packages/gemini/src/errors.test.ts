import {
  GoogleGenerativeAIAbortError,
  GoogleGenerativeAIError,
  GoogleGenerativeAIFetchError,
} from '@google/generative-ai';
import { HTTP_STATUS_CASES } from '@rxllm/gemini-common/testing';
import { describe, expect, it } from 'vitest';
import { toLLMError } from './errors.js';

const options = { provider: 'gemini', secrets: ['MARKER-KEY-123'] };

describe('toLLMError', () => {
  it.each(HTTP_STATUS_CASES)('HTTP %i → %s', (status, kind) => {
    const error = toLLMError(
      new GoogleGenerativeAIFetchError(`Error fetching from http://x: [${status} S] boom`, status, 'S'),
      options,
    );
    expect(error).toMatchObject({ kind, status, provider: 'gemini' });
    expect(error.message).not.toContain('http://x');
  });

  it('maps a 400 with API_KEY_INVALID to auth', () => {
    const error = toLLMError(
      new GoogleGenerativeAIFetchError(
        'Error fetching from u: [400 Bad Request] API key not valid.',
        400,
        'Bad Request',
        [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' }],
      ),
      options,
    );
    expect(error.kind).toBe('auth');
  });

  it('redacts the key from any message', () => {
    const error = toLLMError(new GoogleGenerativeAIError('something with MARKER-KEY-123 inside'), options);
    expect(error.message).not.toContain('MARKER-KEY-123');
    expect(error.message).toContain('[redacted]');
  });

  it('tells our abort from the SDK timeout', () => {
    const aborted = new AbortController();
    aborted.abort();
    expect(toLLMError(new GoogleGenerativeAIAbortError('x'), { ...options, signal: aborted.signal }).kind).toBe(
      'aborted',
    );
    expect(
      toLLMError(new GoogleGenerativeAIAbortError('x'), { ...options, signal: new AbortController().signal }).kind,
    ).toBe('timeout');
  });

  it('classifies stream read and parse failures', () => {
    expect(toLLMError(new GoogleGenerativeAIError('Error reading from the stream'), options).kind).toBe('network');
    expect(toLLMError(new GoogleGenerativeAIError('Failed to parse stream'), options).kind).toBe('network');
    expect(toLLMError(new GoogleGenerativeAIError('Error fetching from u: fetch failed'), options).kind).toBe(
      'network',
    );
  });
});
