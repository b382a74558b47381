import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { jsonSchemaProblem } from './json-schema.js';

describe('jsonSchemaProblem', () => {
  it('accepts draft-07 (what zod and pydantic emit), 2020-12 and unmarked schemas', () => {
    const fromZod = z.toJSONSchema(z.object({ city: z.string(), days: z.array(z.number()) }), { target: 'draft-7' });
    expect(jsonSchemaProblem(fromZod)).toBeUndefined();
    expect(jsonSchemaProblem(z.toJSONSchema(z.object({ a: z.string() })))).toBeUndefined();
    expect(
      jsonSchemaProblem({ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }),
    ).toBeUndefined();
    // A draft-07 tuple (items as an array) is fine unmarked too.
    expect(jsonSchemaProblem({ type: 'array', items: [{ type: 'string' }, { type: 'number' }] })).toBeUndefined();
  });

  it('names what is wrong', () => {
    expect(jsonSchemaProblem({ type: 'object', properties: { n: { type: 'integr' } } })).toMatch(
      /^is not a valid JSON Schema: properties\/n\/type /,
    );
    expect(jsonSchemaProblem({ type: 'object', required: 'a' })).toMatch(/^is not a valid JSON Schema: required /);
    expect(jsonSchemaProblem([])).toBe('must be a JSON Schema object');
    expect(jsonSchemaProblem('{"type":"object"}')).toBe('must be a JSON Schema object');
    expect(jsonSchemaProblem({ $schema: 'https://example.com/my-meta', type: 'object' })).toContain('is not supported');
    expect(
      jsonSchemaProblem({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'array', items: [{}] }),
    ).toMatch(/^is not a valid JSON Schema: items /);
  });
});
