import { performance } from 'node:perf_hooks';
import { LLMError } from '@rxllm/core';
import { createOpenAI } from '@rxllm/openai';
import { type MockUpstream, mockUpstream } from '@rxllm/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { streamTimeout } from './stream-timeout.js';

// The real openai SDK against the wire-level mock: a timeout must abort the HTTP request, not just stop listening.
const apiKey = 'sk-test-MARKER-timeout-51b2';
let upstream: MockUpstream;

beforeAll(async () => {
  upstream = await mockUpstream();
});
afterAll(async () => {
  await upstream.close();
});
beforeEach(() => upstream.reset());

const request = { messages: [{ role: 'user' as const, content: 'Hi' }] };

async function failureAndClose(options: Parameters<typeof streamTimeout>[0]) {
  const provider = createOpenAI({ apiKey, baseURL: upstream.baseURLs.openai });
  const received: string[] = [];
  let failedAt = Number.NaN;
  const error = await new Promise<unknown>((resolve, reject) => {
    provider
      .stream(request)
      .pipe(streamTimeout(options))
      .subscribe({
        next: (chunk) => {
          if (chunk.type === 'text') received.push(chunk.text);
        },
        error: (caught: unknown) => {
          failedAt = performance.now();
          resolve(caught);
        },
        complete: () => reject(new Error('completed')),
      });
  });
  const [recorded] = await upstream.waitForRequests(1);
  await recorded!.closed;
  return { error, received, closeLatencyMs: (recorded!.closedEarlyAt ?? Number.NaN) - failedAt };
}

describe('streamTimeout against the mock upstream (openai SDK)', () => {
  // The deadline is long enough for the request to reach the mock even on a loaded machine (a shorter one can fire
  // before the SDK has sent anything, and then there is no connection to watch close).
  it('first-chunk timeout aborts a request whose body never starts', { timeout: 20_000 }, async () => {
    upstream.enqueue({ events: [{ type: 'text', text: 'late' }], delivery: { firstByteDelayMs: 15_000 } });
    const { error, closeLatencyMs } = await failureAndClose({ firstChunkMs: 1_000 });
    expect(LLMError.isInstance(error) && error.kind).toBe('timeout');
    expect((error as LLMError).details).toEqual({ clock: 'first-chunk', ms: 1_000 });
    expect((error as LLMError).provider).toBe('unknown');
    console.log(`timeout: mock saw the connection close ${closeLatencyMs.toFixed(1)} ms after the first-chunk timeout`);
    expect(closeLatencyMs).toBeLessThan(200);
  });

  it('idle timeout aborts a stream that stalls after text, naming the provider from the start chunk', {
    timeout: 20_000,
  }, async () => {
    upstream.enqueue({
      events: [
        { type: 'text', text: 'Once' },
        { type: 'text', text: ' upon' },
        { type: 'text', text: ' a time' },
      ],
      delivery: { stallAfterEvents: 2 },
    });
    const { error, received, closeLatencyMs } = await failureAndClose({ firstChunkMs: 5_000, idleMs: 150 });
    expect(received.join('')).toBe('Once upon');
    expect(error).toMatchObject({ kind: 'timeout', provider: 'openai', message: 'No chunk for 150 ms' });
    expect(String((error as Error).message)).not.toContain(apiKey);
    console.log(`timeout: mock saw the connection close ${closeLatencyMs.toFixed(1)} ms after the idle timeout`);
    expect(closeLatencyMs).toBeLessThan(200);
  });
});
