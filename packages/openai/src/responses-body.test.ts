import type { CompletionRequest } from '@rxllm/core';
import { describe, expect, it } from 'vitest';
import { toResponsesBody } from './responses-body.js';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const body = (request: Partial<CompletionRequest>, defaults?: Parameters<typeof toResponsesBody>[1]['defaults']) =>
  toResponsesBody(
    { messages: [{ role: 'user', content: 'Hi' }], ...request },
    { model: 'gpt-5-mini', ...(defaults ? { defaults } : {}) },
  ) as unknown as Record<string, unknown>;

describe('toResponsesBody', () => {
  it('a minimal request: model, input, stream and store false', () => {
    expect(body({})).toEqual({
      model: 'gpt-5-mini',
      input: [{ role: 'user', content: 'Hi' }],
      stream: true,
      store: false,
    });
  });

  it('joins system prompts into instructions and maps user parts to input_* parts', () => {
    const result = body({
      system: 'One.',
      messages: [
        { role: 'system', content: 'Two.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What?' },
            { type: 'image', source: { type: 'base64', data: PNG, mediaType: 'image/png' }, detail: 'low' },
            { type: 'image', source: { type: 'url', url: 'https://example.com/a.jpg' } },
            { type: 'file', source: { type: 'base64', data: 'JVBERi0=', mediaType: 'application/pdf' } },
            { type: 'file', source: { type: 'url', url: 'https://example.com/a.pdf' }, filename: 'a.pdf' },
          ],
        },
      ],
    });
    expect(result.instructions).toBe('One.\n\nTwo.');
    expect(result.input).toEqual([
      {
        role: 'user',
        content: [
          { type: 'input_text', text: 'What?' },
          { type: 'input_image', image_url: `data:image/png;base64,${PNG}`, detail: 'low' },
          { type: 'input_image', image_url: 'https://example.com/a.jpg', detail: 'auto' },
          { type: 'input_file', file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'file-4.pdf' },
          { type: 'input_file', file_url: 'https://example.com/a.pdf', filename: 'a.pdf' },
        ],
      },
    ]);
  });

  it('assistant text and tool calls become a message and function_call items, tool results function_call_output', () => {
    const result = body({
      messages: [
        { role: 'user', content: 'Go' },
        { role: 'assistant', content: 'Looking.', toolCalls: [{ id: 'call_1', name: 'f', arguments: '{}' }] },
        { role: 'tool', toolCallId: 'call_1', content: '42' },
        { role: 'assistant', content: 'It is 42.' },
      ],
    });
    expect(result.input).toEqual([
      { role: 'user', content: 'Go' },
      { role: 'assistant', content: 'Looking.' },
      { type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{}' },
      { type: 'function_call_output', call_id: 'call_1', output: '42' },
      { role: 'assistant', content: 'It is 42.' },
    ]);
  });

  it('maps tools, a named tool choice, parallel calls, JSON mode and sampling, request over defaults', () => {
    const result = body(
      {
        tools: [{ name: 'f', description: 'F', parameters: { type: 'object' } }],
        toolChoice: { type: 'tool', name: 'f' },
        parallelToolCalls: false,
        responseFormat: { type: 'json' },
        temperature: 0.1,
        user: 'u-1',
        seed: 7,
      },
      { temperature: 0.9, maxTokens: 300, topP: 0.5, body: { service_tier: 'flex' } },
    );
    expect(result).toMatchObject({
      service_tier: 'flex',
      tools: [{ type: 'function', name: 'f', description: 'F', parameters: { type: 'object' }, strict: false }],
      tool_choice: { type: 'function', name: 'f' },
      parallel_tool_calls: false,
      text: { format: { type: 'json_object' } },
      temperature: 0.1,
      max_output_tokens: 300,
      top_p: 0.5,
      user: 'u-1',
    });
    expect(result).not.toHaveProperty('seed');
  });

  it('keeps stream and store false over providerOptions', () => {
    const result = body({
      providerOptions: { openai: { stream: false, store: true, include: ['reasoning.encrypted_content'] } },
    });
    expect(result).toMatchObject({ stream: true, store: false, include: ['reasoning.encrypted_content'] });
  });

  it('refuses stop (the Responses API has none), from the request or the defaults', () => {
    expect(() => body({ stop: ['END'] })).toThrow(/no stop sequences/);
    expect(() => body({}, { stop: ['END'] })).toThrow(/no stop sequences/);
    expect(body({ stop: [] })).not.toHaveProperty('stop');
  });

  it('refuses a required tool choice without tools and a part the server cannot take', () => {
    expect(() => body({ toolChoice: 'required' })).toThrow(/needs tools/);
    expect(() =>
      body({
        messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'ftp://x/y.png' } }] }],
      }),
    ).toThrow(/http\(s\)/);
  });
});
