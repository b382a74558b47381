import { textDeltas } from '@rxllm/core';
import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { cannedObject } from './sample-object.js';
import { simulatedProvider } from './simulated-provider.js';

const ask = (schema?: Record<string, unknown>) => ({
  messages: [{ role: 'user' as const, content: 'Weather in Paris' }],
  responseFormat: { type: 'json' as const, ...(schema ? { schema } : {}) },
});

describe('cannedObject', () => {
  it('answers in the shape of the schema', () => {
    const schema = {
      type: 'object',
      properties: {
        city: { type: 'string' },
        temperature: { type: 'number' },
        days: { type: 'integer', minimum: 3 },
        sunny: { type: 'boolean' },
        unit: { enum: ['C', 'F'] },
        tags: { type: 'array', items: { type: 'string' } },
        nested: { type: 'object', properties: { ok: { const: 'yes' } } },
        either: { anyOf: [{ type: 'null' }, { type: 'string' }] },
      },
    };
    expect(JSON.parse(cannedObject(ask(schema)))).toEqual({
      city: 'simulated city',
      temperature: 21.5,
      days: 3,
      sunny: true,
      unit: 'C',
      tags: ['simulated tags', 'simulated tags'],
      nested: { ok: 'yes' },
      either: null,
    });
  });

  it('echoes the prompt without a schema, and stops at a recursion depth', () => {
    expect(JSON.parse(cannedObject(ask()))).toEqual({ message: 'Weather in Paris' });
    const deep: Record<string, unknown> = { type: 'object', properties: {} };
    let cursor = deep;
    for (let depth = 0; depth < 20; depth += 1) {
      const next = { type: 'object', properties: {} };
      (cursor.properties as Record<string, unknown>).child = next;
      cursor = next;
    }
    expect(() => JSON.parse(cannedObject(ask(deep)))).not.toThrow();
  });

  it('the simulated provider streams that JSON when a responseFormat is asked for', async () => {
    const provider = simulatedProvider({ ttftMs: 0, tokensPerSecond: Number.POSITIVE_INFINITY });
    const pieces = await lastValueFrom(
      provider.stream(ask({ type: 'object', properties: { n: { type: 'integer' } } })).pipe(textDeltas(), toArray()),
    );
    expect(JSON.parse(pieces.join(''))).toEqual({ n: 7 });
  });
});
