import { FunctionCallingConfigMode } from '@google/genai';
import type { CompletionRequest } from '@rxllm/core';
import { describe, expect, it } from 'vitest';
import { toGoogleGenAIRequest } from './request-body.js';

describe('toGoogleGenAIRequest', () => {
  it('maps roles, system, settings, tools and provider options', () => {
    const { contents, config } = toGoogleGenAIRequest('google-genai', {
      system: 'Be brief.',
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'weather', arguments: '{"city":"Paris"}' }] },
        { role: 'tool', toolCallId: 'c1', content: 'sunny' },
      ],
      temperature: 0.2,
      maxTokens: 50,
      topP: 0.9,
      stop: ['END'],
      tools: [{ name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
      providerOptions: { 'google-genai': { thinkingConfig: { includeThoughts: true } } },
    });
    expect(contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
      { role: 'model', parts: [{ functionCall: { name: 'weather', args: { city: 'Paris' } } }] },
      { role: 'user', parts: [{ functionResponse: { name: 'weather', response: { result: 'sunny' } } }] },
    ]);
    expect(config).toEqual({
      systemInstruction: 'Be brief.',
      temperature: 0.2,
      maxOutputTokens: 50,
      topP: 0.9,
      stopSequences: ['END'],
      tools: [
        {
          functionDeclarations: [
            { name: 'weather', parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } } } },
          ],
        },
      ],
      thinkingConfig: { includeThoughts: true },
    });
  });

  const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
  const tools = [{ name: 'weather', parameters: { type: 'object' } }];

  it('maps content parts: text, base64 and data-URL bytes to inlineData, URLs to fileData', () => {
    const { contents } = toGoogleGenAIRequest('google-genai', {
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Describe' },
            { type: 'image', source: { type: 'base64', data: PNG, mediaType: 'image/png' } },
            { type: 'image', source: { type: 'url', url: `data:image/png;base64,${PNG}` } },
            { type: 'file', source: { type: 'url', url: 'gs://bucket/a.pdf', mediaType: 'application/pdf' } },
          ],
        },
      ],
    });
    expect(contents).toEqual([
      {
        role: 'user',
        parts: [
          { text: 'Describe' },
          { inlineData: { mimeType: 'image/png', data: PNG } },
          { inlineData: { mimeType: 'image/png', data: PNG } },
          { fileData: { mimeType: 'application/pdf', fileUri: 'gs://bucket/a.pdf' } },
        ],
      },
    ]);
  });

  it('throws an invalid-request error for a URL part without a media type', () => {
    const request: CompletionRequest = {
      messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'https://example.com/a' } }] }],
    };
    expect(() => toGoogleGenAIRequest('google-genai', request)).toThrowError(
      expect.objectContaining({ kind: 'invalid-request', provider: 'google-genai' }),
    );
  });

  it('maps responseFormat (with and without a schema) and the seed into the config', () => {
    const schema = { type: 'object', properties: { n: { type: 'integer' } } };
    const withSchema = toGoogleGenAIRequest('google-genai', {
      messages: [],
      responseFormat: { type: 'json', schema, description: 'a number' },
      seed: 0,
    });
    expect(withSchema.config).toEqual({ responseMimeType: 'application/json', responseJsonSchema: schema, seed: 0 });
    const without = toGoogleGenAIRequest('google-genai', { messages: [], responseFormat: { type: 'json' } });
    expect(without.config).toEqual({ responseMimeType: 'application/json' });
  });

  it.each([
    ['auto', { mode: FunctionCallingConfigMode.AUTO }],
    ['none', { mode: FunctionCallingConfigMode.NONE }],
    ['required', { mode: FunctionCallingConfigMode.ANY }],
    [
      { type: 'tool', name: 'weather' },
      { mode: FunctionCallingConfigMode.ANY, allowedFunctionNames: ['weather'] },
    ],
  ] as const)('maps toolChoice %j to config.toolConfig', (toolChoice, functionCallingConfig) => {
    const { config } = toGoogleGenAIRequest('google-genai', { messages: [], tools, toolChoice });
    expect(config.toolConfig).toEqual({ functionCallingConfig });
  });

  it('leaves parallelToolCalls and user out (Gemini has no such fields)', () => {
    const { config } = toGoogleGenAIRequest('google-genai', {
      messages: [],
      tools,
      parallelToolCalls: false,
      user: 'user-1',
    });
    expect(Object.keys(config)).toEqual(['tools']);
  });
});
