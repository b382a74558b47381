import { LLMError } from '@rxllm/core';
import { describe, expect, it } from 'vitest';
import { toGeminiContents } from './gemini-contents.js';

describe('toGeminiContents', () => {
  it('maps roles, leaves system out and groups consecutive parts of one role into one turn', () => {
    const contents = toGeminiContents('gemini', [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Weather in Paris and Rome?' },
      {
        role: 'assistant',
        content: 'Checking.',
        toolCalls: [
          { id: 'c1', name: 'weather', arguments: '{"city":"Paris"}' },
          { id: 'c2', name: 'weather', arguments: '' },
        ],
      },
      { role: 'tool', toolCallId: 'c1', content: '{"celsius":21}' },
      { role: 'tool', toolCallId: 'c2', content: 'sunny' },
      { role: 'tool', toolCallId: 'c9', name: 'clock', content: '[1,2]' },
      { role: 'user', content: 'Thanks' },
    ]);
    expect(contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather in Paris and Rome?' }] },
      {
        role: 'model',
        parts: [
          { text: 'Checking.' },
          { functionCall: { name: 'weather', args: { city: 'Paris' } } },
          { functionCall: { name: 'weather', args: {} } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'weather', response: { celsius: 21 } } },
          { functionResponse: { name: 'weather', response: { result: 'sunny' } } },
          { functionResponse: { name: 'clock', response: { result: [1, 2] } } },
          { text: 'Thanks' },
        ],
      },
    ]);
  });

  it('names a tool result after its call id when the call is unknown', () => {
    expect(toGeminiContents('gemini', [{ role: 'tool', toolCallId: 'c7', content: '{}' }])).toEqual([
      { role: 'user', parts: [{ functionResponse: { name: 'c7', response: {} } }] },
    ]);
  });

  it('refuses tool-call arguments that are not JSON with an invalid-request LLMError', () => {
    const messages = [
      { role: 'assistant' as const, content: '', toolCalls: [{ id: 'c1', name: 'f', arguments: '{"a":' }] },
    ];
    expect(() => toGeminiContents('google-genai', messages)).toThrowError(LLMError);
    expect(() => toGeminiContents('google-genai', messages)).toThrowError(
      expect.objectContaining({ kind: 'invalid-request', provider: 'google-genai' }),
    );
  });
});
