import { type Chunk, LLMError, textDeltas } from '@rxllm/core';
import { createOpenAI } from '@rxllm/openai';
import { type MockUpstream, mockUpstream } from '@rxllm/testing';
import { lastValueFrom, reduce, toArray } from 'rxjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { withRetry } from './retry-before-first-chunk.js';

// The real openai SDK (maxRetries 0 inside @rxllm/openai) against the wire-level mock on 127.0.0.1.
const apiKey = 'sk-test-MARKER-retry-7f3a9c';
let upstream: MockUpstream;

beforeAll(async () => {
  upstream = await mockUpstream();
});
afterAll(async () => {
  await upstream.close();
});
beforeEach(() => upstream.reset());

const request = { messages: [{ role: 'user' as const, content: 'Tell me a story' }] };
const provider = () => withRetry(createOpenAI({ apiKey, baseURL: upstream.baseURLs.openai }), { maxRetries: 2 });

describe('retryBeforeFirstChunk against the mock upstream (openai SDK)', () => {
  it('429 with retry-after-ms, then success: exactly 2 upstream requests and the whole text', async () => {
    upstream.enqueue(
      { httpError: { status: 429, message: 'Rate limit reached', headers: { 'retry-after-ms': '40' } } },
      {
        events: [
          { type: 'text', text: 'Once' },
          { type: 'text', text: ' upon a time' },
        ],
        usage: { inputTokens: 5, outputTokens: 4 },
      },
    );
    const chunks = await lastValueFrom(provider().stream(request).pipe(toArray()));
    const text = chunks
      .filter((chunk): chunk is Extract<Chunk, { type: 'text' }> => chunk.type === 'text')
      .map((chunk) => chunk.text);
    expect(text.join('')).toBe('Once upon a time');
    expect(chunks.filter((chunk) => chunk.type === 'start')).toHaveLength(1);
    expect(chunks.at(-1)).toMatchObject({ type: 'finish', reason: 'stop' });
    expect(upstream.requests).toHaveLength(2);
    const waitedMs = upstream.requests[1]!.receivedAt - upstream.requests[0]!.receivedAt;
    console.log(`mock retry: second request ${waitedMs.toFixed(1)} ms after the first (retry-after-ms: 40)`);
    expect(waitedMs).toBeGreaterThanOrEqual(39);
  });

  it('a failure after the first chunk is not retried: the error follows the text', async () => {
    upstream.enqueue({
      events: [
        { type: 'text', text: 'Once' },
        { type: 'text', text: ' upon' },
        { type: 'text', text: ' a time' },
      ],
      delivery: { dropAfterEvents: 2 },
    });
    const received: string[] = [];
    const error = await new Promise<unknown>((resolve, reject) => {
      provider()
        .stream(request)
        .pipe(textDeltas())
        .subscribe({
          next: (text) => received.push(text),
          error: resolve,
          complete: () => reject(new Error('completed')),
        });
    });
    expect(received.join('')).toBe('Once upon');
    expect(LLMError.isInstance(error) && error.retryable).toBe(true);
    expect(String((error as Error).message)).not.toContain(apiKey);
    // Give a wrongly scheduled retry time to show up before counting requests.
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(upstream.requests).toHaveLength(1);
  });

  it('a retry-after beyond the cap fails fast with the rate-limit error, after one request', async () => {
    upstream.enqueue({ httpError: { status: 429, message: 'Rate limit reached', headers: { 'retry-after': '120' } } });
    const error = await lastValueFrom(
      provider()
        .stream(request)
        .pipe(reduce((count) => count + 1, 0)),
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: 'rate-limit', status: 429, retryAfterMs: 120_000 });
    expect(upstream.requests).toHaveLength(1);
  });
});
