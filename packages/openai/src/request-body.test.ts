import { type CompletionRequest, LLMError } from '@rxllm/core';
import { describe, expect, it } from 'vitest';
import { toChatCompletionBody } from './request-body.js';

const base = { model: 'gpt-4.1-mini', maxTokensField: 'max_completion_tokens' as const };
const hi: CompletionRequest = { messages: [{ role: 'user', content: 'Hi' }] };

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

  it('maps user content parts and leaves other roles as strings', () => {
    const body = toChatCompletionBody(
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is this?' },
              { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' }, detail: 'low' },
            ],
          },
          { role: 'assistant', content: 'A cat.' },
        ],
      },
      base,
    );
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'low' } },
        ],
      },
      { role: 'assistant', content: 'A cat.' },
    ]);
  });

  it('maps responseFormat with a schema to strict json_schema, and without one to json_object', () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    const withSchema = toChatCompletionBody({ ...hi, responseFormat: { type: 'json', schema } }, base);
    expect(withSchema.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'response', schema, strict: true },
    });
    const named = toChatCompletionBody(
      { ...hi, responseFormat: { type: 'json', schema, name: 'city', description: 'A city', strict: false } },
      base,
    );
    expect(named.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'city', description: 'A city', schema, strict: false },
    });
    expect(toChatCompletionBody({ ...hi, responseFormat: { type: 'json' } }, base).response_format).toEqual({
      type: 'json_object',
    });
    expect(toChatCompletionBody(hi, base)).not.toHaveProperty('response_format');
  });

  it('maps each toolChoice form and parallelToolCalls, only with tools', () => {
    const tools = [{ name: 'weather', parameters: { type: 'object' } }];
    const choiceOf = (toolChoice: CompletionRequest['toolChoice']) =>
      toChatCompletionBody({ ...hi, tools, ...(toolChoice === undefined ? {} : { toolChoice }) }, base).tool_choice;
    expect(choiceOf('auto')).toBe('auto');
    expect(choiceOf('none')).toBe('none');
    expect(choiceOf('required')).toBe('required');
    expect(choiceOf({ type: 'tool', name: 'weather' })).toEqual({ type: 'function', function: { name: 'weather' } });
    expect(choiceOf(undefined)).toBeUndefined();
    expect(toChatCompletionBody({ ...hi, tools, parallelToolCalls: false }, base).parallel_tool_calls).toBe(false);

    const noTools = toChatCompletionBody({ ...hi, toolChoice: 'none', parallelToolCalls: false }, base);
    expect(noTools).not.toHaveProperty('tool_choice');
    expect(noTools).not.toHaveProperty('parallel_tool_calls');
    expect(noTools).not.toHaveProperty('tools');
  });

  it('refuses a required or named tool choice without tools, before anything is sent', () => {
    for (const toolChoice of ['required', { type: 'tool', name: 'weather' }] as const) {
      let thrown: unknown;
      try {
        toChatCompletionBody({ ...hi, toolChoice }, { ...base, provider: 'ollama' });
      } catch (error) {
        thrown = error;
      }
      expect(LLMError.isInstance(thrown)).toBe(true);
      expect(thrown).toMatchObject({ kind: 'invalid-request', provider: 'ollama' });
    }
  });

  it('sends seed and user as they are, over defaults.body, under providerOptions', () => {
    const body = toChatCompletionBody(
      { ...hi, seed: 42, user: 'user-7', providerOptions: { openai: { user: 'from-options' } } },
      { ...base, defaults: { body: { seed: 1, user: 'default' } } },
    );
    expect(body).toMatchObject({ seed: 42, user: 'from-options' });
    expect(toChatCompletionBody(hi, { ...base, defaults: { body: { seed: 1 } } }).seed).toBe(1);
    expect(toChatCompletionBody(hi, base)).not.toHaveProperty('seed');
    expect(toChatCompletionBody(hi, base)).not.toHaveProperty('user');
  });

  it('names the provider in part errors and honours the part support', () => {
    const request: CompletionRequest = {
      messages: [
        { role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } }] },
      ],
    };
    expect(() => toChatCompletionBody(request, { ...base, provider: 'ollama', parts: { imageUrls: false } })).toThrow(
      'ollama cannot take an image part (url): ollama takes images inline (base64) only, not by URL',
    );
    expect(() => toChatCompletionBody(request, base)).not.toThrow();
  });
});
