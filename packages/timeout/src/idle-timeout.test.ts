import { createChunkTestScheduler } from '@rxllm/testing/marbles';
import { describe, it } from 'vitest';
import { idleTimeout } from './idle-timeout.js';
import { expectedError, values } from './test-values.js';

const createTestScheduler = () => createChunkTestScheduler({ errors: 'llm-error-fields' });

describe('idleTimeout', () => {
  it('resets on every content chunk (text, reasoning) and fails after a gap', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('s a 2ms r 2ms b 9ms f|', values);
      // a at 1, r at 4, b at 7: the idle deadline after b is 7 + 4 = 11.
      expectObservable(source.pipe(idleTimeout(4))).toBe('s a 2ms r 2ms b 3ms #', values, expectedError('idle', 4));
      expectSubscriptions(source.subscriptions).toBe('^ 10ms !');
    });
  });

  it('does not reset on usage or finish chunks', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      const source = cold('a 2ms u 2ms f|', values);
      expectObservable(source.pipe(idleTimeout(4))).toBe('a 2ms u #', values, expectedError('idle', 4, 'unknown'));
    });
  });

  it('treats a chunk exactly idleMs after the previous one as late, one frame earlier as in time', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a 3ms b|', values).pipe(idleTimeout(4))).toBe(
        'a 3ms #',
        values,
        expectedError('idle', 4, 'unknown'),
      );
      expectObservable(cold('a 2ms b|', values).pipe(idleTimeout(4))).toBe('a 2ms b|', values);
    });
  });

  it('without firstChunkMs also bounds the wait for the first content chunk', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('s 9ms a|', values).pipe(idleTimeout(4))).toBe('s 3ms #', values, expectedError('idle', 4));
    });
  });
});
