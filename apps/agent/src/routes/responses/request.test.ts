import { describe, expect, it } from 'vitest';
import { HttpError } from '../../http/errors.js';
import { responsesParser } from './request.js';

const parse = responsesParser({
  maxMessages: 10,
  maxMessageChars: 1000,
  maxContentParts: 4,
  maxAttachmentBytes: 1024 * 1024,
});
// A 1×1 PNG.
const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const weather = { type: 'function', name: 'weather', parameters: { type: 'object', properties: {} }, strict: true };

function failure(raw: unknown): HttpError {
  try {
    parse(raw);
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('parsed without an error');
}

describe('responsesParser', () => {
  it('maps a string input, instructions, sampling, limits, metadata and user into the core request', () => {
    const request = parse({
      model: 'gpt-5-nano',
      input: 'Hi',
      instructions: 'Be brief.',
      temperature: 0.5,
      top_p: 0.9,
      max_output_tokens: 100,
      metadata: { trace: 't' },
      user: 'user-1',
      store: false,
      truncation: 'auto',
      stream: true,
    });
    expect(request).toMatchObject({
      model: 'gpt-5-nano',
      messages: [{ role: 'user', content: 'Hi' }],
      options: { system: 'Be brief.', temperature: 0.5, topP: 0.9, maxTokens: 100, user: 'user-1' },
      stream: true,
      reasoningEffort: undefined,
      echo: { instructions: 'Be brief.', maxOutputTokens: 100, metadata: { trace: 't' }, user: 'user-1' },
    });
  });

  it('maps message items with input_text, input_image (data and https URLs) and input_file parts', () => {
    const request = parse({
      input: [
        { role: 'developer', content: 'Answer in French.' },
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'What are these?' },
            { type: 'input_image', image_url: `data:image/png;base64,${png}`, detail: 'low' },
            { type: 'input_image', image_url: 'https://example.com/cat.png', detail: 'original' },
            { type: 'input_file', file_data: 'data:application/pdf;base64,JVBERi0xLjQK', filename: 'a.pdf' },
          ],
        },
      ],
    });
    expect(request.messages).toEqual([
      { role: 'system', content: 'Answer in French.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What are these?' },
          { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: png }, detail: 'low' },
          { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } },
          {
            type: 'file',
            source: { type: 'base64', mediaType: 'application/pdf', data: 'JVBERi0xLjQK' },
            filename: 'a.pdf',
          },
        ],
      },
    ]);
  });

  it('turns a previous output (message, reasoning, function calls) and function_call_output into core messages', () => {
    const request = parse({
      input: [
        { role: 'user', content: 'Weather in Paris and Köln?' },
        { type: 'reasoning', id: 'rs_1', summary: [] },
        {
          type: 'message',
          id: 'msg_1',
          role: 'assistant',
          status: 'completed',
          content: [{ type: 'output_text', text: 'Checking.', annotations: [] }],
        },
        { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call', id: 'fc_2', call_id: 'call_2', name: 'weather', arguments: '{"city":"Köln"}' },
        { type: 'function_call_output', call_id: 'call_1', output: '21 °C' },
        { type: 'function_call_output', call_id: 'call_2', output: [{ type: 'input_text', text: '18 °C' }] },
      ],
      tools: [weather],
      tool_choice: { type: 'function', name: 'weather' },
      parallel_tool_calls: false,
    });
    expect(request.messages).toEqual([
      { role: 'user', content: 'Weather in Paris and Köln?' },
      {
        role: 'assistant',
        content: 'Checking.',
        toolCalls: [
          { id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' },
          { id: 'call_2', name: 'weather', arguments: '{"city":"Köln"}' },
        ],
      },
      { role: 'tool', toolCallId: 'call_1', name: 'weather', content: '21 °C' },
      { role: 'tool', toolCallId: 'call_2', name: 'weather', content: '18 °C' },
    ]);
    expect(request.options).toMatchObject({
      tools: [{ name: 'weather', parameters: { type: 'object', properties: {} } }],
      toolChoice: { type: 'tool', name: 'weather' },
      parallelToolCalls: false,
    });
  });

  it('maps text.format to the core response format and keeps reasoning.effort for the route', () => {
    const schema = { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] };
    const request = parse({
      input: 'Count',
      text: { format: { type: 'json_schema', name: 'count', schema, strict: true }, verbosity: 'low' },
      reasoning: { effort: 'low', summary: 'auto' },
    });
    expect(request.options.responseFormat).toEqual({ type: 'json', name: 'count', schema, strict: true });
    expect(request.reasoningEffort).toBe('low');
    expect(parse({ input: 'x', text: { format: { type: 'json_object' } } }).options.responseFormat).toEqual({
      type: 'json',
    });
    expect(parse({ input: 'x', text: { format: { type: 'text' } } }).options.responseFormat).toBeUndefined();
  });

  it('refuses server-side state by name: previous_response_id, store, background, conversation, prompt', () => {
    expect(failure({ input: 'x', previous_response_id: 'resp_1' })).toMatchObject({
      status: 400,
      param: 'previous_response_id',
      message: expect.stringContaining('the agent does not store responses'),
    });
    expect(failure({ input: 'x', store: true }).param).toBe('store');
    expect(failure({ input: 'x', background: true }).param).toBe('background');
    expect(failure({ input: 'x', conversation: 'conv_1' }).param).toBe('conversation');
    expect(failure({ input: 'x', prompt: { id: 'pmpt_1' } }).param).toBe('prompt');
    expect(parse({ input: 'x', store: false, background: false, previous_response_id: null }).stream).toBe(false);
  });

  it('names what it cannot take: hosted tools, tool choices, item types, file ids, foreign tool results', () => {
    expect(failure({ input: 'x', tools: [{ type: 'file_search', vector_store_ids: [] }] }).message).toBe(
      'tools.0.type: "file_search" is not supported: only function tools (the agent runs no hosted tools)',
    );
    expect(failure({ input: 'x', tools: [weather], tool_choice: { type: 'web_search_preview' } }).param).toBe(
      'tool_choice.type',
    );
    expect(failure({ input: 'x', tool_choice: 'required' }).message).toBe('tool_choice: required needs tools');
    expect(failure({ input: 'x', tools: [weather], tool_choice: { type: 'function', name: 'nope' } }).message).toBe(
      'tool_choice.name: "nope" is not in tools',
    );
    expect(failure({ input: [{ type: 'computer_call_output', call_id: 'c' }] }).message).toContain(
      'input.0.type: "computer_call_output" is not supported',
    );
    expect(failure({ input: [{ type: 'item_reference', id: 'msg_1' }] }).message).toContain('does not store');
    expect(
      failure({ input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file_1', detail: 'auto' }] }] })
        .message,
    ).toContain('input.0.content.0.image_url: is required');
    expect(failure({ input: [{ type: 'function_call_output', call_id: 'call_9', output: 'x' }] }).message).toBe(
      'input.0.call_id: "call_9" answers no function_call before it',
    );
    expect(
      failure({ input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'data:nope', detail: 'auto' }] }] })
        .message,
    ).toBe('input.0.content.0.image_url: is not a base64 data: URL');
  });

  it('answers bad fields with a 400 whose param names them', () => {
    expect(failure({}).message).toContain('input: is required');
    expect(failure({ input: '  ' }).message).toBe('input: must not be empty');
    expect(failure({ input: [] }).message).toContain('input: must not be empty');
    expect(failure({ input: 'x', temperature: 3 })).toMatchObject({ param: 'temperature' });
    expect(failure({ input: 'x', max_output_tokens: 0 })).toMatchObject({ param: 'max_output_tokens' });
    expect(failure({ input: [{ role: 'user', content: 7 }] }).message).toContain('input.0');
    expect(failure({ input: [{ role: 'assistant', content: 'only me' }] }).message).toBe(
      'input: need a non-empty user message',
    );
    expect(failure({ input: 'x'.repeat(1001) }).message).toBe('input: must be at most 1000 characters');
    expect(failure({ input: 'x', tools: [weather, weather] }).message).toBe(
      'tools.1.name: "weather" is declared twice',
    );
  });
});
