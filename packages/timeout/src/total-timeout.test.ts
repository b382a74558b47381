import { createChunkTestScheduler } from '@rxllm/testing/marbles';
import { describe, it } from 'vitest';
import { expectedError, values } from './test-values.js';
import { totalTimeout } from './total-timeout.js';

const createTestScheduler = () => createChunkTestScheduler({ errors: 'llm-error-fields' });

describe('totalTimeout', () => {
  it('fails a stream that keeps streaming past the total deadline', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('s a a a a a a a a a|', values);
      expectObservable(source.pipe(totalTimeout(6))).toBe('s a a a a a #', values, expectedError('total', 6));
      expectSubscriptions(source.subscriptions).toBe('^ 5ms !');
    });
  });

  it('completing at exactly the deadline is late; one frame earlier completes', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a 4ms |', values).pipe(totalTimeout(6))).toBe('a 4ms |', values);
      expectObservable(cold('a 5ms |', values).pipe(totalTimeout(6))).toBe(
        'a 5ms #',
        values,
        expectedError('total', 6, 'unknown'),
      );
    });
  });
});
