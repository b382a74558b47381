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
});
