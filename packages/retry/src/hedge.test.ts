import { type Chunk, LLMError } from '@rxllm/core';
import { createChunkTestScheduler } from '@rxllm/testing/marbles';
import { describe, expect, it } from 'vitest';
import { hedge, withHedge } from './hedge.js';

const createTestScheduler = () => createChunkTestScheduler({ errors: 'llm-error-fields' });

const values: Record<string, Chunk> = {
  s: { type: 'start', provider: 'openai', model: 'gpt-test' },
  t: { type: 'start', provider: 'anthropic', model: 'claude-test' },
  a: { type: 'text', text: 'from primary' },
  b: { type: 'text', text: 'from hedge' },
  f: { type: 'finish', reason: 'stop' },
};
const overloaded = new LLMError({ kind: 'overloaded', provider: 'openai', status: 503, message: 'Overloaded' });
const auth = new LLMError({ kind: 'auth', provider: 'openai', status: 401, message: 'Incorrect API key' });

describe('hedge', () => {
  it('never starts the hedge when the source produces content in time', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const primary = cold('-s-a----f|', values);
      const secondary = cold('b|', values);
      expectObservable(primary.pipe(hedge(secondary, { afterMs: 5 }))).toBe('---(sa)-f|', values);
      expectSubscriptions(secondary.subscriptions).toBe([]);
    });
  });

  it('starts the hedge after afterMs; the first to produce content wins and the loser is unsubscribed', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const primary = cold('s-------a-|', values);
      const secondary = cold('-tb------|', values);
      expectObservable(primary.pipe(hedge(secondary, { afterMs: 3 }))).toBe('-----(tb)---|', values);
      expectSubscriptions(primary.subscriptions).toBe('^----!');
      expectSubscriptions(secondary.subscriptions).toBe('---^--------!');
    });
  });

  it('keeps the source when it produces content after the hedge started but before the hedge does', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const primary = cold('s---a----f|', values);
      const secondary = cold('-----b|', values);
      expectObservable(primary.pipe(hedge(secondary, { afterMs: 3 }))).toBe('----(sa)-f|', values);
      expectSubscriptions(secondary.subscriptions).toBe('---^!');
    });
  });

  it('content at exactly afterMs wins without starting the hedge (cold and hot sources)', () => {
    createTestScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const secondary = cold('b|', values);
      expectObservable(cold('---a|', values).pipe(hedge(secondary, { afterMs: 3 }))).toBe('---a|', values);
      expectObservable(hot('---a|', values).pipe(hedge(secondary, { afterMs: 3 }))).toBe('---a|', values);
      expectSubscriptions(secondary.subscriptions).toBe([]);
    });
  });

  it('starts the hedge at once when the source fails retryably before afterMs', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const primary = cold('-#', values, overloaded);
      const secondary = cold('-b|', values);
      expectObservable(primary.pipe(hedge(secondary, { afterMs: 5 }))).toBe('--b|', values);
      expectSubscriptions(secondary.subscriptions).toBe('-^-!');
    });
  });

  it('a non-retryable failure ends the stream and unsubscribes the other contender', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const primary = cold('-----#', values, auth);
      const secondary = cold('-----b|', values);
      expectObservable(primary.pipe(hedge(secondary, { afterMs: 2 }))).toBe('-----#', values, auth);
      expectSubscriptions(secondary.subscriptions).toBe('--^--!');
    });
  });

  it('surfaces the last failure when both contenders fail', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      const late = new LLMError({ kind: 'overloaded', provider: 'anthropic', status: 529, message: 'Overloaded' });
      const primary = cold('----#', values, overloaded);
      const secondary = cold('----#', values, late);
      expectObservable(primary.pipe(hedge(secondary, { afterMs: 2 }))).toBe('------#', values, late);
    });
  });

  it('unsubscribing downstream unsubscribes both contenders', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const primary = cold('--------a|', values);
      const secondary = cold('--------b|', values);
      expectObservable(primary.pipe(hedge(secondary, { afterMs: 2 })), '^---!').toBe('----');
      expectSubscriptions(primary.subscriptions).toBe('^---!');
      expectSubscriptions(secondary.subscriptions).toBe('--^-!');
    });
  });

  it('withHedge composes two providers', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      const provider = withHedge(
        { name: 'openai', defaultModel: 'gpt', stream: () => cold('------a|', values) },
        { name: 'anthropic', defaultModel: 'claude', stream: () => cold('b|', values) },
        { afterMs: 2 },
      );
      expect(provider.name).toBe('openai');
      expectObservable(provider.stream({ messages: [] })).toBe('--b|', values);
    });
  });
});
