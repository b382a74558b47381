import { LLMError } from '@rxllm/core';
import { finish, start, text, toolCall } from '@rxllm/testing';
import { createChunkTestScheduler } from '@rxllm/testing/marbles';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { elements } from './elements.js';
import { invalidOutputIssues } from './invalid-output.js';
import { pieces, run } from './test-helpers.js';

const idea = z.object({ title: z.string(), score: z.number() });
const ideas = [
  { title: 'Rivers', score: 3 },
  { title: 'Tea [green]', score: 5 },
  { title: 'Maps', score: 1 },
];

describe('elements', () => {
  it('emits each element once, as soon as it is complete (marbles)', () => {
    createChunkTestScheduler({ errors: 'llm-error-fields' }).run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-c-d-|', {
        a: text('[{"title":"Rivers","score":3},{"ti'),
        b: text('tle":"Tea [green]","score":5'),
        c: text('},{"title":"Maps","score":1}'),
        d: text(']'),
      });
      expectObservable(source.pipe(elements(idea))).toBe('-x---(yz)|', { x: ideas[0], y: ideas[1], z: ideas[2] });
      expectSubscriptions(source.subscriptions).toBe('^--------!');
    });
  });

  it('gives the same elements whatever the chunking, fenced and with prose around', () => {
    const body = `Sure! Here you go:\n\`\`\`json\n${JSON.stringify(ideas, null, 2)}\n\`\`\`\nEnjoy {them}.`;
    for (const size of [1, 3, 7, 50]) {
      const { values, completed } = run([start(), ...pieces(body, size).map(text), finish()], elements(idea));
      expect(values).toEqual(ideas);
      expect(completed).toBe(true);
    }
  });

  it('reads the array under a key of the root object (OpenAI strict schemas want an object root)', () => {
    const body = JSON.stringify({ note: ['not', 'these'], items: ideas, more: [{ title: 'x', score: 0 }] });
    const { values } = run(
      pieces(body, 4).map((piece) => toolCall(piece)),
      elements(idea, { key: 'items' }),
    );
    expect(values).toEqual(ideas);
  });

  it('an element that fails its schema is invalid-output with its index and the zod issues', () => {
    const { values, error } = run(
      [start({ provider: 'anthropic' }), text('[{"title":"a","score":1},{"title":"b"},{"title":"c","score":3}]')],
      elements(idea),
    );
    expect(values).toEqual([{ title: 'a', score: 1 }]);
    expect(LLMError.isInstance(error) && error.kind).toBe('invalid-output');
    expect((error as LLMError).details).toMatchObject({ reason: 'schema', index: 1 });
    expect(invalidOutputIssues(error)).toEqual([expect.objectContaining({ path: ['score'] })]);
  });

  it('a stream that ends before the array closes keeps the elements emitted and errors', () => {
    const { values, error } = run([text('[{"title":"a","score":1},{"title":"b"')], elements(idea));
    expect(values).toEqual([{ title: 'a', score: 1 }]);
    expect((error as LLMError).details).toMatchObject({ reason: 'incomplete' });
  });

  it('an object with no array at the key is invalid-output', () => {
    const { error } = run([text('{"items":{"title":"a"}}')], elements(idea, { key: 'items' }));
    expect((error as LLMError).details).toMatchObject({ reason: 'schema' });
    expect((error as LLMError).message).toContain('"items"');
  });

  it('unsubscribing downstream unsubscribes upstream', () => {
    createChunkTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-|', { a: text('[{"title":"a","score":1},'), b: text('{"title":"b","score":2}]') });
      expectObservable(source.pipe(elements(idea)), '^--!').toBe('-x-', { x: { title: 'a', score: 1 } });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });
});
