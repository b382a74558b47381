import { describe, expect, it } from 'vitest';
import { toGeminiOutputConfig, toGeminiToolConfig } from './gemini-request-options.js';

describe('toGeminiToolConfig', () => {
  it.each([
    ['auto', { functionCallingConfig: { mode: 'AUTO' } }],
    ['none', { functionCallingConfig: { mode: 'NONE' } }],
    ['required', { functionCallingConfig: { mode: 'ANY' } }],
  ] as const)('maps %s', (choice, expected) => {
    expect(toGeminiToolConfig(choice)).toEqual(expected);
  });

  it('maps one named tool to ANY with that name allowed', () => {
    expect(toGeminiToolConfig({ type: 'tool', name: 'weather' })).toEqual({
      functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['weather'] },
    });
  });

  it('sends no tool config without a tool choice', () => {
    expect(toGeminiToolConfig(undefined)).toBeUndefined();
  });
});

describe('toGeminiOutputConfig', () => {
  const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };

  it('asks for JSON constrained by a JSON Schema in responseJsonSchema (not responseSchema)', () => {
    const config = toGeminiOutputConfig({
      messages: [],
      responseFormat: { type: 'json', schema, name: 'city', description: 'a city', strict: true },
    });
    expect(config).toEqual({ responseMimeType: 'application/json', responseJsonSchema: schema });
    expect(config).not.toHaveProperty('responseSchema');
  });

  it('asks for any JSON without a schema', () => {
    expect(toGeminiOutputConfig({ messages: [], responseFormat: { type: 'json' } })).toEqual({
      responseMimeType: 'application/json',
    });
  });

  it('passes the seed, also 0, and is empty for a plain request', () => {
    expect(toGeminiOutputConfig({ messages: [], seed: 0 })).toEqual({ seed: 0 });
    expect(toGeminiOutputConfig({ messages: [], user: 'u-1', parallelToolCalls: false })).toEqual({});
  });
});
