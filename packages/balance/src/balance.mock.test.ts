import { type Chunk, textDeltas } from '@rxllm/core';
import { createOpenAI } from '@rxllm/openai';
import { type MockUpstream, mockUpstream } from '@rxllm/testing';
import { lastValueFrom, reduce, toArray } from 'rxjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { balance } from './balance.js';

// Two deployments of one model: the real openai SDK (maxRetries 0 inside @rxllm/openai) against two wire-level
// mocks on 127.0.0.1. Deployment `a` is unwell; `b` answers.
const apiKey = 'sk-test-MARKER-balance-41c2e8';
let upstreamA: MockUpstream;
let upstreamB: MockUpstream;

beforeAll(async () => {
  upstreamA = await mockUpstream({ defaultScript: { httpError: { status: 500, message: 'The server had an error' } } });
  upstreamB = await mockUpstream({ defaultScript: { events: [{ type: 'text', text: 'Hello from b' }] } });
});
afterAll(async () => {
  await Promise.all([upstreamA.close(), upstreamB.close()]);
});
beforeEach(() => {
  upstreamA.reset();
  upstreamB.reset();
});

const request = { messages: [{ role: 'user' as const, content: 'Hi' }] };
const requests = 10;
// `random: () => 0` always prefers `a` while its breaker admits requests, so the counts below are exact.
const provider = () =>
  balance(
    [
      { id: 'a', provider: createOpenAI({ apiKey, baseURL: upstreamA.baseURLs.openai }), model: 'gpt-a' },
      { id: 'b', provider: createOpenAI({ apiKey, baseURL: upstreamB.baseURLs.openai }), model: 'gpt-b' },
    ],
    { random: () => 0 },
  );

async function sendSequentially(balanced: ReturnType<typeof balance>): Promise<string[]> {
  const texts: string[] = [];
  for (let index = 0; index < requests; index += 1) {
    texts.push(
      await lastValueFrom(
        balanced.stream(request).pipe(
          textDeltas(),
          reduce((all, text) => all + text, ''),
        ),
      ),
    );
  }
  return texts;
}

describe('balance against two mock upstreams (openai SDK)', () => {
  it('500s open a’s breaker after 3 failures; every request is still answered, the rest go straight to b', async () => {
    const balanced = provider();
    const texts = await sendSequentially(balanced);
    expect(texts).toEqual(Array.from({ length: requests }, () => 'Hello from b'));
    expect(upstreamA.requests).toHaveLength(3);
    expect(upstreamB.requests).toHaveLength(requests);
    expect(upstreamA.requests.map((recorded) => (recorded.body as { model?: string }).model)).toEqual([
      'gpt-a',
      'gpt-a',
      'gpt-a',
    ]);
    expect(new Set(upstreamB.requests.map((recorded) => (recorded.body as { model?: string }).model))).toEqual(
      new Set(['gpt-b']),
    );
    expect(balanced.stats()).toEqual([
      { id: 'a', state: 'open', inFlight: 0, ttftMs: undefined, requests: 3, failures: 3 },
      expect.objectContaining({ id: 'b', state: 'closed', inFlight: 0, requests, failures: 0 }),
    ]);
  });

  it('a 429 with retry-after-ms opens a’s breaker after one request', async () => {
    upstreamA.enqueue({
      httpError: { status: 429, message: 'Rate limit reached', headers: { 'retry-after-ms': '60000' } },
    });
    const balanced = provider();
    const chunks: Chunk[] = await lastValueFrom(balanced.stream(request).pipe(toArray()));
    expect(chunks.filter((chunk) => chunk.type === 'start')).toHaveLength(1);
    expect(chunks.at(-1)).toMatchObject({ type: 'finish', reason: 'stop' });
    const texts = await sendSequentially(balanced);
    expect(texts.every((text) => text === 'Hello from b')).toBe(true);
    expect(upstreamA.requests).toHaveLength(1);
    expect(upstreamB.requests).toHaveLength(requests + 1);
    expect(balanced.stats()[0]).toMatchObject({ state: 'open', failures: 1 });
  });
});
