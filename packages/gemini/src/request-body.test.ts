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
            { name: 'weather', description: 'Current weather', parameters: { type: 'object', properties: {} } },
          ],
        },
      ],
    });
  });
});
