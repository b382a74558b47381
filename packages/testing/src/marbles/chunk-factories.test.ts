import { map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { chunkValues, finish, reasoning, start, text, toolCall, usage } from './chunk-factories.js';
import { createChunkTestScheduler } from './create-chunk-test-scheduler.js';

describe('chunk factories', () => {
  it('build the core chunk shapes', () => {
    expect(start()).toEqual({ type: 'start', provider: 'test', model: 'test-model' });
    expect(start({ provider: 'openai', id: 'x' })).toEqual({
      type: 'start',
      provider: 'openai',
      model: 'test-model',
      id: 'x',
    });
    expect(text('Hi')).toEqual({ type: 'text', text: 'Hi' });
    expect(reasoning('hmm')).toEqual({ type: 'reasoning', text: 'hmm' });
    expect(toolCall('{"a":', { id: 'c1', name: 'f' })).toEqual({
      type: 'tool-call',
      index: 0,
      id: 'c1',
      name: 'f',
      argumentsDelta: '{"a":',
    });
    expect(usage({ inputTokens: 10, outputTokens: 3 })).toEqual({
      type: 'usage',
      usage: { inputTokens: 10, outputTokens: 3, totalTokens: 13 },
    });
    expect(usage({ outputTokens: 3 })).toEqual({ type: 'usage', usage: { outputTokens: 3 } });
    expect(finish()).toStrictEqual({ type: 'finish', reason: 'stop' });
    expect(finish('length', 'max_tokens')).toEqual({ type: 'finish', reason: 'length', rawReason: 'max_tokens' });
  });

  it('chunkValues names values a, b, c… in order and refuses more letters than it has', () => {
    const values = chunkValues(start(), text('Hi'), finish());
    expect(values).toEqual({ a: start(), b: text('Hi'), c: finish() });
    expect(() => chunkValues(...Array.from({ length: 53 }, () => text('x')))).toThrow(RangeError);
  });
});

describe('createChunkTestScheduler', () => {
  it('runs marbles in virtual time', () => {
    createChunkTestScheduler().run(({ cold, expectObservable }) => {
      const input = chunkValues(text('hi'), text('there'), finish());
      const upper = (chunk: (typeof input)[string]) => (chunk.type === 'text' ? text(chunk.text.toUpperCase()) : chunk);
      const output = chunkValues(text('HI'), text('THERE'), finish());
      expectObservable(cold('a 10ms b-c|', input).pipe(map(upper))).toBe('a 10ms b-c|', output);
    });
  });

  it('fails the test when the marbles differ (its assertion is vitest toEqual)', () => {
    expect(() =>
      createChunkTestScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('a|', chunkValues(text('a')))).toBe('a|', chunkValues(text('b')));
      }),
    ).toThrow();
  });
});
