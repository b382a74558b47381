import { type Chunk, type CompletionRequest, LLMError, type Provider } from '@rxllm/core';
import { createChunkTestScheduler } from '@rxllm/testing/marbles';
import type { Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { fallback, withFallback } from './fallback.js';

const createTestScheduler = () => createChunkTestScheduler({ errors: 'llm-error-fields' });

const values: Record<string, Chunk> = {
  s: { type: 'start', provider: 'openai', model: 'gpt-test' },
  t: { type: 'start', provider: 'anthropic', model: 'claude-test' },
  a: { type: 'text', text: 'Once' },
  b: { type: 'text', text: 'Hello' },
};
const overloaded = (provider: string) =>
  new LLMError({ kind: 'overloaded', provider, status: 529, message: `${provider} is overloaded` });
const auth = new LLMError({ kind: 'auth', provider: 'openai', status: 401, message: 'Incorrect API key' });
const dropped = new LLMError({ kind: 'network', provider: 'openai', message: 'connection reset' });

describe('fallback', () => {
  it('moves to the next source on a retryable failure before content; only its start chunk shows', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const primary = cold('s#', values, overloaded('openai'));
      const secondary = cold('-t-b-----|', values);
      expectObservable(primary.pipe(fallback([secondary]))).toBe('----(tb)--|', values);
      expectSubscriptions(primary.subscriptions).toBe('^!');
      expectSubscriptions(secondary.subscriptions).toBe('-^--------!');
    });
  });

  it('tries each alternative in order and surfaces the last failure', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const first = cold('-#', values, overloaded('openai'));
      const second = cold('-#', values, overloaded('anthropic'));
      const third = cold('-#', values, overloaded('gemini'));
      expectObservable(first.pipe(fallback([second, third]))).toBe('---#', values, overloaded('gemini'));
      expectSubscriptions(second.subscriptions).toBe('-^!');
      expectSubscriptions(third.subscriptions).toBe('--^!');
    });
  });

  it('does not fall back on a non-retryable error or after content', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const secondary = cold('b|', values);
      expectObservable(cold('-#', values, auth).pipe(fallback([secondary]))).toBe('-#', values, auth);
      expectObservable(cold('-a-#', values, dropped).pipe(fallback([secondary]))).toBe('-a-#', values, dropped);
      expectSubscriptions(secondary.subscriptions).toBe([]);
    });
  });

  it('unsubscribing downstream unsubscribes whichever source is running', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const primary = cold('-#', values, overloaded('openai'));
      const secondary = cold('----b|', values);
      expectObservable(primary.pipe(fallback([secondary])), '^--!').toBe('---');
      expectSubscriptions(secondary.subscriptions).toBe('-^-!');
    });
  });

  it('withFallback asks each provider with its own model', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      const requests: Array<[string, string | undefined]> = [];
      const fake = (name: string, stream: Observable<Chunk>): Provider => ({
        name,
        defaultModel: `${name}-default`,
        stream: (request: CompletionRequest) => {
          requests.push([name, request.model]);
          return stream;
        },
      });
      const provider = withFallback([
        fake('openai', cold('-#', values, overloaded('openai'))),
        { provider: fake('anthropic', cold('b|', values)), model: 'claude-test' },
      ]);
      expect(provider.name).toBe('openai');
      expectObservable(provider.stream({ messages: [{ role: 'user', content: 'Hi' }] })).toBe('-b|', values);
      expect(requests).toEqual([
        ['openai', undefined],
        ['anthropic', 'claude-test'],
      ]);
    });
    expect(() => withFallback([])).toThrow(RangeError);
  });
});
