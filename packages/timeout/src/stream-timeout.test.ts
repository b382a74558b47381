import type { Chunk } from '@rxllm/core';
import { LLMError } from '@rxllm/core';
import { describe, expect, it } from 'vitest';
import { firstChunkTimeout } from './first-chunk-timeout.js';
import { idleTimeout } from './idle-timeout.js';
import { streamTimeout, timeoutError } from './stream-timeout.js';
import { createTestScheduler } from './test-marbles.js';
import { totalTimeout } from './total-timeout.js';

const values: Record<string, Chunk> = {
  s: { type: 'start', provider: 'openai', model: 'gpt-test' },
  a: { type: 'text', text: 'Once' },
  b: { type: 'text', text: ' upon' },
  r: { type: 'reasoning', text: 'hmm' },
  u: { type: 'usage', usage: { outputTokens: 2 } },
  f: { type: 'finish', reason: 'stop' },
};

const expectedError = (clock: 'first-chunk' | 'idle' | 'total', ms: number, provider = 'openai') => ({
  kind: 'timeout',
  message: {
    'first-chunk': `No first chunk within ${ms} ms`,
    idle: `No chunk for ${ms} ms`,
    total: `Stream took longer than ${ms} ms`,
  }[clock],
  provider,
  retryable: true,
  details: { clock, ms },
});

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
