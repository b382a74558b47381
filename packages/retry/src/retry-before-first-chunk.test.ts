import { type Chunk, LLMError } from '@rxllm/core';
import { createChunkTestScheduler } from '@rxllm/testing/marbles';
import { defer, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { retryBeforeFirstChunk, retryDelayMs, withRetry } from './retry-before-first-chunk.js';

const createTestScheduler = () => createChunkTestScheduler({ errors: 'llm-error-fields' });

const values: Record<string, Chunk> = {
  s: { type: 'start', provider: 'openai', model: 'gpt-test' },
  a: { type: 'text', text: 'Once' },
  b: { type: 'text', text: ' upon' },
  u: { type: 'usage', usage: { outputTokens: 2 } },
  f: { type: 'finish', reason: 'stop' },
};
const rateLimited = (retryAfterMs?: number) =>
  new LLMError({ kind: 'rate-limit', provider: 'openai', status: 429, message: 'Rate limit reached', retryAfterMs });
const overloaded = new LLMError({ kind: 'overloaded', provider: 'openai', status: 503, message: 'Overloaded' });
const auth = new LLMError({ kind: 'auth', provider: 'openai', status: 401, message: 'Incorrect API key' });
const dropped = new LLMError({ kind: 'network', provider: 'openai', message: 'connection reset' });

/** Each subscription takes the next of `attempts`, like a provider answering differently per request. */
const sequence = (attempts: Observable<Chunk>[]) => {
  let index = 0;
  return defer(() => attempts[Math.min(index++, attempts.length - 1)]!);
};

describe('retryBeforeFirstChunk', () => {
  it('waits retryAfterMs after a 429, retries once, and shows a single start chunk', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const first = cold('-s#', values, rateLimited(3));
      const second = cold('-s-a-----|', values);
      expectObservable(sequence([first, second]).pipe(retryBeforeFirstChunk())).toBe('--------(sa)--|', values);
      expectSubscriptions(first.subscriptions).toBe('^-!');
      expectSubscriptions(second.subscriptions).toBe('-----^--------!');
    });
  });

  it('never retries after a content chunk: the error follows the text', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-sa----#', values, dropped);
      expectObservable(source.pipe(retryBeforeFirstChunk())).toBe('--(sa)-#', values, dropped);
      expectSubscriptions(source.subscriptions).toBe('^------!');
    });
  });

  it('does not retry an error that is not retryable', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-#', values, auth);
      expectObservable(source.pipe(retryBeforeFirstChunk())).toBe('-#', values, auth);
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  it('gives up after maxRetries and surfaces the last error', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-#', values, overloaded);
      expectObservable(source.pipe(retryBeforeFirstChunk({ maxRetries: 2, backoff: () => 2 }))).toBe(
        '-------#',
        values,
        overloaded,
      );
      expectSubscriptions(source.subscriptions).toBe(['^!', '---^!', '------^!']);
    });
  });

  it('fails fast when retryAfterMs is beyond maxRetryAfterMs, waits when it is exactly the cap', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const tooLong = cold('-#', values, rateLimited(61));
      expectObservable(tooLong.pipe(retryBeforeFirstChunk({ maxRetryAfterMs: 60 }))).toBe(
        '-#',
        values,
        rateLimited(61),
      );
      expectSubscriptions(tooLong.subscriptions).toBe('^!');

      const first = cold('-#', values, rateLimited(60));
      const second = cold('a|', values);
      expectObservable(sequence([first, second]).pipe(retryBeforeFirstChunk({ maxRetryAfterMs: 60 }))).toBe(
        '- 60ms a|',
        values,
      );
      expectSubscriptions(second.subscriptions).toBe('- 60ms ^!');
    });
  });

  it('unsubscribing during the backoff pause stops further attempts', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const first = cold('-#', values, rateLimited(5));
      const second = cold('a|', values);
      expectObservable(sequence([first, second]).pipe(retryBeforeFirstChunk()), '^--!').toBe('---');
      expectSubscriptions(first.subscriptions).toBe('^!');
      expectSubscriptions(second.subscriptions).toBe([]);
    });
  });

  it('releases held lifecycle chunks when a stream completes without content', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-s-u-f|', values).pipe(retryBeforeFirstChunk())).toBe('------(suf|)', values);
    });
  });

  it('uses exponential backoff with negative jitter, capped at 8 s, on the scheduler', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-#', values, overloaded);
      // random() = 0 means no jitter: pauses of 500 ms then 1000 ms.
      expectObservable(source.pipe(retryBeforeFirstChunk({ random: () => 0 }))).toBe('- 1502ms #', values, overloaded);
      expectSubscriptions(source.subscriptions).toBe(['^!', '- 500ms ^!', '- 500ms - 1000ms ^!']);
    });
  });

  it('withRetry wraps a provider', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      const attempts = [cold('-#', values, overloaded), cold('a|', values)];
      const provider = withRetry(
        { name: 'fake', defaultModel: 'm', stream: () => sequence(attempts) },
        { backoff: () => 1 },
      );
      expect(provider.name).toBe('fake');
      expectObservable(provider.stream({ messages: [] })).toBe('--a|', values);
    });
  });
});

describe('retryDelayMs', () => {
  it('follows 0.5 s × 2^n capped at 8 s, minus up to 25 % jitter', () => {
    const noJitter = { random: () => 0 };
    expect([0, 1, 2, 3, 4, 5, 10].map((index) => retryDelayMs(index, overloaded, noJitter))).toEqual([
      500, 1000, 2000, 4000, 8000, 8000, 8000,
    ]);
    expect(retryDelayMs(0, overloaded, { random: () => 0.999999 })).toBeCloseTo(375, 3);
    expect(retryDelayMs(1, overloaded, { random: () => 0.5, jitter: 0.5 })).toBe(750);
  });

  it('prefers retryAfterMs up to the cap and gives up beyond it', () => {
    expect(retryDelayMs(0, rateLimited(1500))).toBe(1500);
    expect(retryDelayMs(0, rateLimited(60_000))).toBe(60_000);
    expect(retryDelayMs(0, rateLimited(60_001))).toBeUndefined();
    expect(retryDelayMs(0, rateLimited(90_000), { maxRetryAfterMs: 120_000 })).toBe(90_000);
  });
});
