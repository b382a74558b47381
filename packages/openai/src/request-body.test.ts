import type { CompletionRequest } from '@rxllm/core';
import { describe, expect, it } from 'vitest';
import { toChatCompletionBody } from './request-body.js';

const base = { model: 'gpt-4.1-mini', maxTokensField: 'max_completion_tokens' as const };

describe('toChatCompletionBody', () => {
  it('maps a plain request with the streaming fields', () => {
    expect(toChatCompletionBody({ messages: [{ role: 'user', content: 'Hi' }] }, base)).toEqual({
      model: 'gpt-4.1-mini',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('joins the system prompt and maps settings, tools, tool calls and tool results', () => {
    const request: CompletionRequest = {
      model: 'gpt-5-mini',
      system: 'Be brief.',
      messages: [
        { role: 'system', content: 'Answer in French.' },
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' }],
        },
        { role: 'tool', content: '{"temp":21}', toolCallId: 'call_1' },
      ],
      temperature: 0.3,
      maxTokens: 500,
      topP: 0.9,
      stop: ['END'],
      tools: [{ name: 'weather', description: 'Current weather', parameters: { type: 'object' } }],
    };
    expect(toChatCompletionBody(request, base)).toEqual({
      model: 'gpt-5-mini',
      messages: [
        { role: 'system', content: 'Be brief.\n\nAnswer in French.' },
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' },
      ],
      temperature: 0.3,
      max_completion_tokens: 500,
      top_p: 0.9,
      stop: ['END'],
      tools: [
        {
          type: 'function',
          function: { name: 'weather', description: 'Current weather', parameters: { type: 'object' } },
        },
      ],
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('uses max_tokens when told to, and defaults under the request', () => {
    const body = toChatCompletionBody(
      { messages: [{ role: 'user', content: 'Hi' }], temperature: 1 },
      { ...base, maxTokensField: 'max_tokens', defaults: { temperature: 0.2, maxTokens: 64, body: { seed: 7 } } },
    );
    expect(body).toMatchObject({ temperature: 1, max_tokens: 64, seed: 7 });
    expect(body).not.toHaveProperty('max_completion_tokens');
  });

  it('merges providerOptions.openai last but keeps streaming with usage on', () => {
    const body = toChatCompletionBody(
      {
        messages: [{ role: 'user', content: 'Hi' }],
        providerOptions: {
          openai: { reasoning_effort: 'low', stream: false, stream_options: { include_obfuscation: false } },
          anthropic: { thinking: {} },
        },
      },
      base,
    );
    expect(body).toMatchObject({
      reasoning_effort: 'low',
      stream: true,
      stream_options: { include_obfuscation: false, include_usage: true },
    });
    expect(body).not.toHaveProperty('thinking');
  });
});
