import type { Chunk } from '@rxllm/core';
import { LLMError } from '@rxllm/core';
import { createChunkTestScheduler } from '@rxllm/testing/marbles';
import { describe, expect, it } from 'vitest';
import { bufferChunks } from './buffer-chunks.js';

const createTestScheduler = () => createChunkTestScheduler({ errors: 'llm-error-fields' });

const a: Chunk = { type: 'text', text: 'a' };
const b: Chunk = { type: 'text', text: 'b' };
const c: Chunk = { type: 'text', text: 'c' };
const d: Chunk = { type: 'usage', usage: { outputTokens: 3 } };
const values = { a, b, c, d };
const failure = new LLMError({ kind: 'network', provider: 'openai', message: 'connection reset' });

describe('bufferChunks', () => {
  it('emits arrays of count and flushes the remainder on completion', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-c-d-|', values);
      expectObservable(source.pipe(bufferChunks(3))).toBe('-----x---(y|)', { x: [a, b, c], y: [d] });
      expectSubscriptions(source.subscriptions).toBe('^--------!');
    });
  });

  it('flushes the partial array before the error', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      const source = cold('-a-b-c-d-#', values, failure);
      expectObservable(source.pipe(bufferChunks({ count: 3 }))).toBe(
        '-----x---(y#)',
        { x: [a, b, c], y: [d] },
        failure,
      );
    });
  });

  it('emits nothing extra for an empty stream or an exact multiple', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold<Chunk>('--|').pipe(bufferChunks(2))).toBe('--|');
      expectObservable(cold('-a-b|', values).pipe(bufferChunks(2))).toBe('---x|', { x: [a, b] });
    });
  });

  it('unsubscribing downstream unsubscribes upstream and drops the partial array', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-c-|', values);
      expectObservable(source.pipe(bufferChunks(2)), '^---!').toBe('---x', { x: [a, b] });
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
  });

  it('rejects a count that is not a positive integer', () => {
    expect(() => bufferChunks(0)).toThrow(RangeError);
    expect(() => bufferChunks(1.5)).toThrow(RangeError);
  });
});
