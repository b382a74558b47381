import { LLMError } from '@rxllm/core';
import { finish, start, text, toolCall } from '@rxllm/testing';
import { createChunkTestScheduler } from '@rxllm/testing/marbles';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { completeObject } from './complete-object.js';
import { run } from './test-helpers.js';

const city = z.object({ name: z.string(), population: z.number() });

describe('completeObject', () => {
  it('emits the one validated object at the end (marbles)', () => {
    createChunkTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-s-a-b-f-|', {
        s: start(),
        a: text('```json\n{"name":"Lyon",'),
        b: text('"population":522250}\n```'),
        f: finish(),
      });
      expectObservable(source.pipe(completeObject(city))).toBe('---------(o|)', {
        o: { name: 'Lyon', population: 522250 },
      });
      expectSubscriptions(source.subscriptions).toBe('^--------!');
    });
  });

  it('reads a tool call when the text holds no JSON', () => {
    const { values } = run(
      [text('Calling the tool.'), toolCall('{"name":"Oslo","population":709037}', { id: 't', name: 'json' })],
      completeObject(city),
    );
    expect(values).toEqual([{ name: 'Oslo', population: 709037 }]);
  });

  it('fails with invalid-output and the zod issues, or passes upstream errors through', () => {
    const { error } = run([start({ provider: 'openai' }), text('{"name":"Lyon"}')], completeObject(city));
    expect(LLMError.isInstance(error) && error.kind).toBe('invalid-output');
    expect((error as LLMError).details).toMatchObject({
      reason: 'schema',
      issues: [expect.objectContaining({ path: ['population'] })],
    });
    const failure = new LLMError({ kind: 'timeout', provider: 'openai', message: 'idle' });
    expect(run([text('{"name"')], completeObject(city), failure).error).toBe(failure);
  });

  it('source: text ignores tool calls', () => {
    const { error } = run([toolCall('{"name":"Oslo","population":1}')], completeObject(city, { source: 'text' }));
    expect((error as LLMError).details).toMatchObject({ reason: 'no-json' });
  });
});
