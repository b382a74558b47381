import { LLMError } from '@rxllm/core';
import { createChunkTestScheduler } from '@rxllm/testing/marbles';
import { describe, expect, it } from 'vitest';
import { streamTimeout, timeoutError } from './stream-timeout.js';
import { expectedError, values } from './test-values.js';

const createTestScheduler = () => createChunkTestScheduler({ errors: 'llm-error-fields' });

describe('streamTimeout', () => {
  it('switches from the first-chunk clock to the idle clock after the first content chunk', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      // first chunk may take 8, later gaps only 3
      const source = cold('s 6ms a 1ms b 5ms f|', values);
      expectObservable(source.pipe(streamTimeout({ firstChunkMs: 8, idleMs: 3, totalMs: 100 }))).toBe(
        's 6ms a 1ms b 2ms #',
        values,
        expectedError('idle', 3),
      );
    });
  });

  it('the total clock wins when it is the earliest deadline', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      const source = cold('s a a a a a a a a|', values);
      expectObservable(source.pipe(streamTimeout({ firstChunkMs: 8, idleMs: 3, totalMs: 5 }))).toBe(
        's a a a a #',
        values,
        expectedError('total', 5),
      );
    });
  });

  it('fails with a real LLMError instance', () => {
    const errors: unknown[] = [];
    createTestScheduler().run(({ cold, flush }) => {
      cold('-', values)
        .pipe(streamTimeout({ firstChunkMs: 2 }))
        .subscribe({ error: (error) => errors.push(error) });
      flush();
    });
    expect(errors).toHaveLength(1);
    expect(LLMError.isInstance(errors[0])).toBe(true);
    expect(errors[0]).toMatchObject({
      kind: 'timeout',
      retryable: true,
      provider: 'unknown',
      message: 'No first chunk within 2 ms',
    });
    expect(timeoutError('idle', 5, 'gemini')).toMatchObject({ provider: 'gemini', message: 'No chunk for 5 ms' });
  });

  it('fails in real time with the async scheduler too', async () => {
    const { NEVER } = await import('rxjs');
    const error = await new Promise((resolve) =>
      NEVER.pipe(streamTimeout({ firstChunkMs: 20 })).subscribe({ error: resolve }),
    );
    expect(LLMError.isInstance(error) && error.details).toEqual({ clock: 'first-chunk', ms: 20 });
  });
});
