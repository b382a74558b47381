import { describe, expect, it } from 'vitest';
import { chunkValues, finish, reasoning, start, text, toolCall, usage } from './chunk-factories.js';

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
