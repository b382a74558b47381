import type { Chunk } from '@rxllm/core';
import { LLMError } from '@rxllm/core';
import { createChunkTestScheduler } from '@rxllm/testing/marbles';
import { describe, it } from 'vitest';
import { bufferText } from './buffer-text.js';

const createTestScheduler = () => createChunkTestScheduler({ errors: 'llm-error-fields' });

const text = (value: string): Chunk => ({ type: 'text', text: value });
const values: Record<string, Chunk> = {
  a: text('aa'),
  b: text('bb'),
  c: text('cc'),
  d: text('dd'),
  s: { type: 'start', provider: 'openai', model: 'gpt-test' },
  r: { type: 'reasoning', text: 'thinking' },
  f: { type: 'finish', reason: 'stop' },
};
const failure = new LLMError({ kind: 'network', provider: 'openai', message: 'connection reset' });

describe('bufferText', () => {
  it('merges text chunks once minChars is reached and flushes the rest on completion', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-c-d-|', values);
      expectObservable(source.pipe(bufferText({ minChars: 6 }))).toBe('-----x---(y|)', {
        x: text('aabbcc'),
        y: values.d,
      });
      expectSubscriptions(source.subscriptions).toBe('^--------!');
    });
  });

  it('flushes maxDelayMs after the first buffered character', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      const source = cold('a-b-------c---|', values);
      expectObservable(source.pipe(bufferText({ minChars: 100, maxDelayMs: 5 }))).toBe('-----x--------(y|)', {
        x: text('aabb'),
        y: values.c,
      });
    });
  });

  it('a buffer started after a size flush gets its own full maxDelayMs (the older timer re-arms, it does not fire early)', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      // a+b reach minChars at frame 1 (the timer set at frame 0 for frame 10 stays); c starts a buffer at frame 4,
      // whose deadline is frame 14; then a non-text chunk at 20 and the end.
      const source = cold('ab--c---------------f|', values);
      expectObservable(source.pipe(bufferText({ minChars: 4, maxDelayMs: 10 }))).toBe('-x------------y-----f|', {
        x: text('aabb'),
        y: values.c,
        f: values.f,
      });
    });
  });

  it('a text chunk exactly at the deadline starts the next buffer', () => {
    createTestScheduler().run(({ cold, hot, expectObservable }) => {
      // deadline for the buffer started by a at frame 0 is frame 4; b arrives at frame 4
      expectObservable(cold('a---b--|', values).pipe(bufferText({ minChars: 100, maxDelayMs: 4 }))).toBe(
        '----x--(y|)',
        {
          x: values.a,
          y: values.b,
        },
      );
      // same edge with a hot source, whose chunk the scheduler runs before the timer
      expectObservable(hot('a---b--|', values).pipe(bufferText({ minChars: 100, maxDelayMs: 4 }))).toBe('----x--(y|)', {
        x: values.a,
        y: values.b,
      });
    });
  });

  it('flushes before non-text chunks, which pass through in order', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      const source = cold('sa-b-r-c-f---|', values);
      expectObservable(source.pipe(bufferText({ minChars: 100 }))).toBe('s----(xr)(yf)|', {
        s: values.s,
        x: text('aabb'),
        r: values.r,
        y: values.c,
        f: values.f,
      });
    });
  });

  it('flushes buffered text before an error', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      const source = cold('-a-b-#', values, failure);
      expectObservable(source.pipe(bufferText({ minChars: 100, maxDelayMs: 50 }))).toBe(
        '-----(x#)',
        { x: text('aabb') },
        failure,
      );
    });
  });

  it('unsubscribing downstream unsubscribes upstream and cancels the timer', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b----|', values);
      expectObservable(source.pipe(bufferText({ minChars: 100, maxDelayMs: 5 })), '^---!').toBe('----');
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
  });
});
