import type { Chunk } from '@rxllm/core';
import { LLMError } from '@rxllm/core';
import { finish, reasoning, start, text, toolCall } from '@rxllm/testing';
import { createChunkTestScheduler } from '@rxllm/testing/marbles';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { invalidOutputIssues } from './invalid-output.js';
import { type ObjectEvent, partialObjects } from './partial-objects.js';
import { pieces, run } from './test-helpers.js';

const recipe = z.object({ title: z.string(), serves: z.number(), steps: z.array(z.string()) });
type Recipe = z.output<typeof recipe>;
const recipeJson = JSON.stringify({ title: 'Pasta', serves: 4, steps: ['boil', 'drain', 'serve'] });
const upstreamFailure = new LLMError({ kind: 'network', provider: 'openai', message: 'connection reset' });

function textStream(body: string, size: number, provider = 'openai'): Chunk[] {
  return [start({ provider }), ...pieces(body, size).map(text), finish('stop')];
}

function objectsOf(events: ObjectEvent<Recipe>[]): unknown[] {
  return events.map((event) => event.object);
}

describe('partialObjects', () => {
  it('emits deep partials as the JSON grows, then the validated object (marbles)', () => {
    createChunkTestScheduler({ errors: 'llm-error-fields' }).run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-s-a-b-c-f-|', {
        s: start(),
        a: text('{"title":"Pa'),
        b: text('sta","serves"'),
        c: text(':4,"steps":[]}'),
        f: finish('stop'),
      });
      expectObservable(source.pipe(partialObjects(recipe))).toBe('---p-o-q---(r|)', {
        p: { type: 'partial', object: { title: 'Pa' } },
        o: { type: 'partial', object: { title: 'Pasta' } },
        q: { type: 'partial', object: { title: 'Pasta', serves: 4, steps: [] } },
        r: { type: 'complete', object: { title: 'Pasta', serves: 4, steps: [] } },
      });
      expectSubscriptions(source.subscriptions).toBe('^----------!');
    });
  });

  it('unsubscribing downstream unsubscribes upstream', () => {
    createChunkTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-c-|', { a: text('{"title":"P'), b: text('a'), c: text('"}') });
      expectObservable(source.pipe(partialObjects(recipe)), '^--!').toBe('-p-', {
        p: { type: 'partial', object: { title: 'P' } },
      });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('passes an upstream error through unchanged, after the partials already read', () => {
    const { values, error } = run([text('{"title":"Pa')], partialObjects(recipe), upstreamFailure);
    expect(objectsOf(values)).toEqual([{ title: 'Pa' }]);
    expect(error).toBe(upstreamFailure);
  });

  it('never loses a field an earlier partial had, whatever the chunk size', () => {
    for (const size of [1, 2, 3, 5, 8, 13]) {
      const { values, completed } = run(textStream(recipeJson, size), partialObjects(recipe));
      expect(completed).toBe(true);
      const partials = values.filter((event) => event.type === 'partial').map((event) => event.object);
      for (const [index, partial] of partials.entries()) {
        const next = partials[index + 1] ?? JSON.parse(recipeJson);
        for (const [key, value] of Object.entries(partial)) {
          expect(next).toHaveProperty(key);
          const later = (next as Record<string, unknown>)[key];
          if (typeof value === 'string') expect((later as string).startsWith(value)).toBe(true);
          if (Array.isArray(value)) expect((later as unknown[]).length).toBeGreaterThanOrEqual(value.length);
        }
      }
      // Every emission shows something new: no duplicate consecutive partials.
      for (let index = 1; index < partials.length; index += 1) expect(partials[index]).not.toEqual(partials[index - 1]);
      expect(values.at(-1)).toEqual({ type: 'complete', object: JSON.parse(recipeJson) });
    }
  });

  it('emits nothing for chunks that change nothing visible (usage, reasoning, the inside of a key)', () => {
    const { values } = run(
      [text('{"ti'), reasoning('{"draft":true}'), text('tle":"A'), text('"'), text('}')],
      partialObjects(z.object({ title: z.string() })),
    );
    expect(values).toEqual([
      { type: 'partial', object: {} },
      { type: 'partial', object: { title: 'A' } },
      { type: 'complete', object: { title: 'A' } },
    ]);
  });

  it('applies the schema on the complete object: defaults and transforms show only there', () => {
    const schema = z.object({
      name: z.string().transform((name) => name.toUpperCase()),
      tags: z.array(z.string()).default([]),
    });
    const { values } = run([text('{"name":"ada"}')], partialObjects(schema));
    expect(values).toEqual([
      { type: 'partial', object: { name: 'ada' } },
      { type: 'complete', object: { name: 'ADA', tags: [] } },
    ]);
  });

  describe('vendor framings (ai#3422, ai#5594)', () => {
    const topics = z.object({ topics: z.array(z.string()).max(20) });
    const body = '{\n  "topics": ["rivers", "mountains", "deserts"]\n}';
    const expected = { topics: ['rivers', 'mountains', 'deserts'] };

    it('Gemini 2.5: a ```json fence split across chunks, after thought parts holding a draft object', () => {
      const chunks: Chunk[] = [
        start({ provider: 'gemini' }),
        reasoning('Drafting {"topics": ["x"]} first.'),
        text('``'),
        text('`js'),
        text('on\n'),
        ...pieces(body, 4).map(text),
        text('\n``'),
        text('`\n'),
        finish('stop'),
      ];
      const { values, completed } = run(chunks, partialObjects(topics));
      expect(completed).toBe(true);
      expect(values.at(-1)).toEqual({ type: 'complete', object: expected });
      expect(values.filter((event) => event.type === 'partial').length).toBeGreaterThan(3);
    });

    it('leading prose with brackets before a fenced object, and a sign-off after it', () => {
      const chunks = textStream(
        `Here is the JSON [as requested]:\n\n\`\`\`json\n${body}\n\`\`\`\n\nLet me know {if} you need more.`,
        7,
        'anthropic',
      );
      const { values } = run(chunks, partialObjects(topics));
      expect(values.at(-1)).toEqual({ type: 'complete', object: expected });
    });

    it('Anthropic forced tool: prose text, then the object in tool-input deltas that all arrive at the end', () => {
      const chunks: Chunk[] = [
        start({ provider: 'anthropic' }),
        text("I'll list the topics."),
        toolCall('', { index: 1, id: 'toolu_1', name: 'json' }),
        toolCall(body, { index: 1 }),
        finish('tool-calls'),
      ];
      const { values } = run(chunks, partialObjects(topics));
      expect(values).toEqual([
        { type: 'partial', object: expected },
        { type: 'complete', object: expected },
      ]);
    });

    it('Anthropic fine-grained tool streaming: partials from the argument deltas of the named tool only', () => {
      const chunks: Chunk[] = [
        toolCall('{"city":"Paris"}', { index: 0, id: 'toolu_0', name: 'weather' }),
        toolCall('', { index: 1, id: 'toolu_1', name: 'json' }),
        ...pieces(body, 6).map((piece) => toolCall(piece, { index: 1 })),
        toolCall('{"ignored":true}', { index: 0 }),
      ];
      const { values } = run(chunks, partialObjects(topics, { toolName: 'json' }));
      expect(values.filter((event) => event.type === 'partial').length).toBeGreaterThan(3);
      expect(values.at(-1)).toEqual({ type: 'complete', object: expected });
    });
  });

  describe('invalid-output', () => {
    it('a final object that fails the schema carries the zod issues', () => {
      const { values, error } = run(
        textStream('{"title":"Pasta","serves":"four","steps":[]}', 5),
        partialObjects(recipe),
      );
      expect(values.every((event) => event.type === 'partial')).toBe(true);
      expect(LLMError.isInstance(error) && error.kind).toBe('invalid-output');
      expect((error as LLMError).provider).toBe('openai');
      expect((error as LLMError).retryable).toBe(false);
      expect(invalidOutputIssues(error)).toEqual([expect.objectContaining({ code: 'invalid_type', path: ['serves'] })]);
      expect((error as LLMError).details).toMatchObject({ reason: 'schema', finishReason: 'stop' });
    });

    it('a stream that ends inside the JSON, saying why when the vendor cut it at max tokens', () => {
      const chunks = [start({ provider: 'gemini' }), text('{"title":"Pas'), finish('length')];
      const { values, error } = run(chunks, partialObjects(recipe));
      expect(objectsOf(values)).toEqual([{ title: 'Pas' }]);
      expect((error as LLMError).kind).toBe('invalid-output');
      expect((error as LLMError).details).toEqual({ reason: 'incomplete', finishReason: 'length' });
      expect((error as LLMError).message).toContain('finish reason: length');
    });

    it('a stream with no JSON at all', () => {
      const { values, error } = run(textStream('I cannot help with that.', 4), partialObjects(recipe));
      expect(values).toEqual([]);
      expect((error as LLMError).details).toMatchObject({ reason: 'no-json' });
    });

    it('JSON that cannot continue stops at once and unsubscribes upstream', () => {
      createChunkTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-b-c-|', { a: text('{"title":"A"'), b: text(' "serves"'), c: text(':1}') });
        expectObservable(source.pipe(partialObjects(recipe))).toBe(
          '-p-#',
          { p: { type: 'partial', object: { title: 'A' } } },
          new LLMError({
            kind: 'invalid-output',
            provider: 'unknown',
            message: "the output is not valid JSON: Expected ',' or '}', got '\"' at position 13",
            details: { reason: 'syntax', position: 13 },
          }),
        );
        expectSubscriptions(source.subscriptions).toBe('^--!');
      });
    });
  });
});
