import { LLMError } from '@rxllm/core';
import { createChunkTestScheduler } from '@rxllm/testing/marbles';
import { describe, it } from 'vitest';
import { firstChunkTimeout } from './first-chunk-timeout.js';
import { expectedError, values } from './test-values.js';

const createTestScheduler = () => createChunkTestScheduler({ errors: 'llm-error-fields' });

describe('firstChunkTimeout', () => {
  it('passes a stream whose first content chunk arrives in time, then never fires again', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('s 3ms a 20ms b f|', values);
      expectObservable(source.pipe(firstChunkTimeout(5))).toBe('s 3ms a 20ms b f|', values);
      expectSubscriptions(source.subscriptions).toBe('^ 26ms !');
    });
  });

  it('fails with the first-chunk clock and unsubscribes upstream; start chunks do not count', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('s 9ms a|', values);
      expectObservable(source.pipe(firstChunkTimeout(5))).toBe('s 4ms #', values, expectedError('first-chunk', 5));
      expectSubscriptions(source.subscriptions).toBe('^ 4ms !');
    });
  });

  it('treats a chunk at exactly the deadline as late', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('5ms a|', values);
      expectObservable(source.pipe(firstChunkTimeout(5))).toBe(
        '5ms #',
        values,
        expectedError('first-chunk', 5, 'unknown'),
      );
      expectSubscriptions(source.subscriptions).toBe('^ 4ms !');
    });
  });

  it('accepts a chunk one frame before the deadline', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      const source = cold('4ms a|', values);
      expectObservable(source.pipe(firstChunkTimeout(5))).toBe('4ms a|', values);
    });
  });

  it('holds for a hot source whose chunk was scheduled before the timer (order-independent edge)', () => {
    createTestScheduler().run(({ hot, expectObservable }) => {
      const source = hot('5ms a|', values);
      expectObservable(source.pipe(firstChunkTimeout(5))).toBe(
        '5ms #',
        values,
        expectedError('first-chunk', 5, 'unknown'),
      );
    });
  });

  it('names the provider from the option when no start chunk was seen', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      const source = cold('-', values);
      expectObservable(source.pipe(firstChunkTimeout(3, { provider: 'anthropic' }))).toBe(
        '3ms #',
        values,
        expectedError('first-chunk', 3, 'anthropic'),
      );
    });
  });

  it('passes upstream errors and completion through unchanged', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      const upstreamError = new LLMError({ kind: 'rate-limit', provider: 'openai', message: 'slow down' });
      expectObservable(cold('s-#', values, upstreamError).pipe(firstChunkTimeout(5))).toBe(
        's-#',
        values,
        upstreamError,
      );
      expectObservable(cold('s-|', values).pipe(firstChunkTimeout(5))).toBe('s-|', values);
    });
  });

  it('unsubscribing downstream unsubscribes upstream and cancels the timer', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('s 9ms a|', values);
      expectObservable(source.pipe(firstChunkTimeout(5)), '^ 2ms !').toBe('s', values);
      expectSubscriptions(source.subscriptions).toBe('^ 2ms !');
    });
  });
});
