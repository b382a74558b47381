import type { CompletionRequest } from '@rxllm/core';
import { describe, expect, it } from 'vitest';
import { toGeminiRequestBody } from './request-body.js';

describe('toGeminiRequestBody', () => {
  it('maps roles, system, settings, tools and provider options', () => {
    const body = toGeminiRequestBody('gemini', {
      system: 'Be brief.',
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'weather', arguments: '{"city":"Paris"}' }] },
        { role: 'tool', toolCallId: 'c1', content: '{"celsius":21}' },
      ],
      temperature: 0.2,
      maxTokens: 50,
      stop: ['END'],
      tools: [{ name: 'weather', description: 'Current weather', parameters: { type: 'object', properties: {} } }],
      providerOptions: { gemini: { generationConfig: { thinkingConfig: { includeThoughts: true } } } },
    });
    expect(body).toEqual({
      contents: [
        { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
        { role: 'model', parts: [{ functionCall: { name: 'weather', args: { city: 'Paris' } } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'weather', response: { celsius: 21 } } }] },
      ],
      systemInstruction: { role: 'system', parts: [{ text: 'Be brief.' }] },
      generationConfig: {
        temperature: 0.2,
        maxOutputTokens: 50,
        stopSequences: ['END'],
        thinkingConfig: { includeThoughts: true },
      },
      tools: [
        {
          functionDeclarations: [
            {
              name: 'weather',
              description: 'Current weather',
              parametersJsonSchema: { type: 'object', properties: {} },
            },
          ],
        },
      ],
    });
  });

  const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
  const tools = [{ name: 'weather', parameters: { type: 'object' } }];

  it('maps content parts: text, base64 and data-URL bytes to inlineData, URLs to fileData', () => {
    const body = toGeminiRequestBody('gemini', {
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Describe' },
            { type: 'image', source: { type: 'base64', data: PNG, mediaType: 'image/png' } },
            { type: 'image', source: { type: 'url', url: `data:image/png;base64,${PNG}` } },
            {
              type: 'image',
              detail: 'low',
              source: { type: 'url', url: 'https://example.com/a.jpg', mediaType: 'image/jpeg' },
            },
            {
              type: 'file',
              filename: 'a.pdf',
              source: { type: 'base64', data: 'JVBERi0=', mediaType: 'application/pdf' },
            },
          ],
        },
      ],
    });
    expect(body.contents).toEqual([
      {
        role: 'user',
        parts: [
          { text: 'Describe' },
          { inlineData: { mimeType: 'image/png', data: PNG } },
          { inlineData: { mimeType: 'image/png', data: PNG } },
          { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/a.jpg' } },
          { inlineData: { mimeType: 'application/pdf', data: 'JVBERi0=' } },
        ],
      },
    ]);
  });

  it('throws an invalid-request error for a URL part without a media type', () => {
    const request: CompletionRequest = {
      messages: [{ role: 'user', content: [{ type: 'file', source: { type: 'url', url: 'https://example.com/a' } }] }],
    };
    expect(() => toGeminiRequestBody('gemini', request)).toThrowError(
      expect.objectContaining({ kind: 'invalid-request', provider: 'gemini' }),
    );
  });

  it('maps responseFormat with a schema to responseMimeType + responseJsonSchema, and the seed', () => {
    const schema = { type: 'object', properties: { n: { type: 'integer' } } };
    const body = toGeminiRequestBody('gemini', {
      messages: [{ role: 'user', content: 'n?' }],
      temperature: 0,
      responseFormat: { type: 'json', schema, name: 'n', strict: true },
      seed: 42,
    });
    expect(body.generationConfig).toEqual({
      temperature: 0,
      responseMimeType: 'application/json',
      responseJsonSchema: schema,
      seed: 42,
    });
  });

  it('maps responseFormat without a schema to responseMimeType only', () => {
    const body = toGeminiRequestBody('gemini', { messages: [], responseFormat: { type: 'json' } });
    expect(body.generationConfig).toEqual({ responseMimeType: 'application/json' });
  });

  it.each([
    ['auto', { mode: 'AUTO' }],
    ['none', { mode: 'NONE' }],
    ['required', { mode: 'ANY' }],
    [
      { type: 'tool', name: 'weather' },
      { mode: 'ANY', allowedFunctionNames: ['weather'] },
    ],
  ] as const)('maps toolChoice %j to toolConfig.functionCallingConfig', (toolChoice, functionCallingConfig) => {
    const body = toGeminiRequestBody('gemini', { messages: [], tools, toolChoice });
    expect(body.toolConfig).toEqual({ functionCallingConfig });
  });

  it('leaves parallelToolCalls and user out (Gemini has no such fields)', () => {
    const body = toGeminiRequestBody('gemini', {
      messages: [{ role: 'user', content: 'Hi' }],
      tools,
      parallelToolCalls: false,
      user: 'user-1',
    });
    expect(Object.keys(body).sort()).toEqual(['contents', 'tools']);
    expect(JSON.stringify(body)).not.toContain('user-1');
  });

  it('lets providerOptions override the mapped fields', () => {
    const body = toGeminiRequestBody('gemini', {
      messages: [],
      responseFormat: { type: 'json' },
      toolChoice: 'none',
      providerOptions: {
        gemini: {
          generationConfig: { responseMimeType: 'text/plain' },
          toolConfig: { functionCallingConfig: { mode: 'AUTO' } },
        },
      },
    });
    expect(body.generationConfig).toEqual({ responseMimeType: 'text/plain' });
    expect(body.toolConfig).toEqual({ functionCallingConfig: { mode: 'AUTO' } });
  });
});
