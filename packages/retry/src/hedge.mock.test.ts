import { collectText } from '@rxllm/core';
import { createOpenAI } from '@rxllm/openai';
import { type MockUpstream, mockUpstream } from '@rxllm/testing';
import { lastValueFrom } from 'rxjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { withFallback } from './fallback.js';
import { withHedge } from './hedge.js';

// Two providers on the same mock (both OpenAI dialect, told apart by name): the loser's HTTP request must be aborted.
let upstream: MockUpstream;

beforeAll(async () => {
  upstream = await mockUpstream();
});
afterAll(async () => {
  await upstream.close();
});
beforeEach(() => upstream.reset());

const request = { messages: [{ role: 'user' as const, content: 'Hi' }] };
const provider = (name: string) =>
  createOpenAI({ apiKey: `sk-test-${name}`, baseURL: upstream.baseURLs.openai, name, model: `${name}-model` });

describe('hedge and fallback against the mock upstream (openai SDK)', () => {
  it('withHedge: a slow first provider is aborted once the hedge produces content', async () => {
    upstream.enqueue(
      { events: [{ type: 'text', text: 'slow answer' }], delivery: { firstByteDelayMs: 3_000 } },
      { events: [{ type: 'text', text: 'fast answer' }] },
    );
    const subscribedAt = performance.now();
    const text = await lastValueFrom(
      withHedge(provider('primary'), provider('secondary'), { afterMs: 100 }).stream(request).pipe(collectText()),
    );
    const wonAt = performance.now();
    expect(text).toBe('fast answer');
    const [slow, fast] = await upstream.waitForRequests(2);
    await slow!.closed;
    // The hedge starts `afterMs` after subscription, not after the first request reached the server.
    expect(fast!.receivedAt - subscribedAt).toBeGreaterThanOrEqual(99);
    expect(slow!.closedEarlyAt).toBeDefined();
    const closeLatencyMs = slow!.closedEarlyAt! - wonAt;
    console.log(`hedge: loser's connection closed ${closeLatencyMs.toFixed(1)} ms after the winner completed`);
    expect(closeLatencyMs).toBeLessThan(200);
  });

  it('withFallback: a 503 before any content moves on to the next provider', async () => {
    upstream.enqueue(
      { httpError: { status: 503, message: 'Service unavailable' } },
      { events: [{ type: 'text', text: 'from the second' }] },
    );
    const text = await lastValueFrom(
      withFallback([provider('primary'), provider('secondary')])
        .stream(request)
        .pipe(collectText()),
    );
    expect(text).toBe('from the second');
    expect(upstream.requests.map((recorded) => (recorded.body as { model: string }).model)).toEqual([
      'primary-model',
      'secondary-model',
    ]);
  });
});
