import { LLMError } from '@rxllm/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_TOKENS, toMessageCreateParams } from './request-body.js';

describe('toMessageCreateParams', () => {
  it('builds a minimal streaming body with the default model and max_tokens', () => {
    expect(toMessageCreateParams({ messages: [{ role: 'user', content: 'Hi' }] }, { model: 'claude-default' })).toEqual(
      {
        model: 'claude-default',
        max_tokens: DEFAULT_MAX_TOKENS,
        messages: [{ role: 'user', content: 'Hi' }],
        stream: true,
      },
    );
  });

  it('maps system prompts, sampling settings, stop sequences and tools', () => {
    const body = toMessageCreateParams(
      {
        model: 'claude-opus-5-5',
        system: 'Be brief.',
        messages: [
          { role: 'system', content: 'Answer in French.' },
          { role: 'user', content: 'Weather?' },
        ],
        temperature: 0.3,
        topP: 0.9,
        maxTokens: 500,
        stop: ['###'],
        tools: [
          {
            name: 'weather',
            description: 'Current weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          },
        ],
      },
      { model: 'unused' },
    );
    expect(body).toEqual({
      model: 'claude-opus-5-5',
      max_tokens: 500,
      system: 'Be brief.\n\nAnswer in French.',
      messages: [{ role: 'user', content: 'Weather?' }],
      temperature: 0.3,
      top_p: 0.9,
      stop_sequences: ['###'],
      tools: [
        {
          name: 'weather',
          description: 'Current weather',
          input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      ],
      stream: true,
    });
  });

  it('sends assistant tool calls as tool_use blocks and merges consecutive tool results into one user message', () => {
    const body = toMessageCreateParams(
      {
        messages: [
          { role: 'user', content: 'Weather and time in Paris?' },
          {
            role: 'assistant',
            content: 'Let me check.',
            toolCalls: [
              { id: 'toolu_1', name: 'weather', arguments: '{"city":"Paris"}' },
              { id: 'toolu_2', name: 'time', arguments: '' },
            ],
          },
          { role: 'tool', toolCallId: 'toolu_1', content: '18°C' },
          { role: 'tool', toolCallId: 'toolu_2', content: '14:00' },
          { role: 'assistant', content: 'It is 18°C at 14:00.' },
          { role: 'tool', toolCallId: 'toolu_3', content: 'late result' },
        ],
      },
      { model: 'm' },
    );
    expect(body.messages).toEqual([
      { role: 'user', content: 'Weather and time in Paris?' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me check.' },
          { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'toolu_2', name: 'time', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: '18°C' },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: '14:00' },
        ],
      },
      { role: 'assistant', content: 'It is 18°C at 14:00.' },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_3', content: 'late result' }] },
    ]);
  });

  it('omits the text block of an assistant turn that only calls tools', () => {
    const body = toMessageCreateParams(
      { messages: [{ role: 'assistant', content: '', toolCalls: [{ id: 't', name: 'n', arguments: '{}' }] }] },
      { model: 'm' },
    );
    expect(body.messages).toEqual([
      { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'n', input: {} }] },
    ]);
  });

  it('rejects tool-call arguments that are not JSON with an invalid-request LLMError', () => {
    const build = () =>
      toMessageCreateParams(
        {
          messages: [{ role: 'assistant', content: '', toolCalls: [{ id: 't', name: 'lookup', arguments: '{oops' }] }],
        },
        { model: 'm', provider: 'anthropic' },
      );
    expect(build).toThrow(LLMError);
    expect(build).toThrow(/"lookup" are not valid JSON/);
    try {
      build();
    } catch (error) {
      expect(error).toMatchObject({ kind: 'invalid-request', provider: 'anthropic', retryable: false });
    }
  });

  it('applies provider defaults under the request, and providerOptions.anthropic over everything but stream', () => {
    const body = toMessageCreateParams(
      {
        messages: [{ role: 'user', content: 'Think.' }],
        temperature: 1,
        providerOptions: {
          anthropic: { thinking: { type: 'enabled', budget_tokens: 2048 }, stream: false },
          openai: { ignored: true },
        },
      },
      {
        model: 'm',
        defaults: {
          maxTokens: 8000,
          temperature: 0.2,
          topP: 0.5,
          stop: ['END'],
          body: { metadata: { user_id: 'u1' } },
        },
      },
    );
    expect(body).toEqual({
      model: 'm',
      max_tokens: 8000,
      messages: [{ role: 'user', content: 'Think.' }],
      temperature: 1,
      top_p: 0.5,
      stop_sequences: ['END'],
      metadata: { user_id: 'u1' },
      thinking: { type: 'enabled', budget_tokens: 2048 },
      stream: true,
    });
  });
});
