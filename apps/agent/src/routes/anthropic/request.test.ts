import { describe, expect, it } from 'vitest';
import { HttpError } from '../../http/errors.js';
import { messagesParser } from './request.js';

const parse = messagesParser({
  maxMessages: 10,
  maxMessageChars: 1000,
  maxContentParts: 4,
  maxAttachmentBytes: 1024 * 1024,
});
const base = { model: 'claude-sonnet-4-5', max_tokens: 100 };
// A 1×1 PNG.
const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

function failure(raw: unknown): HttpError {
  try {
    parse(raw);
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('parsed without an error');
}

describe('messagesParser', () => {
  it('maps system blocks (a cache breakpoint makes them a system message), sampling, stop sequences and metadata', () => {
    const request = parse({
      ...base,
      system: [
        { type: 'text', text: 'Be brief.' },
        { type: 'text', text: 'Be kind.', cache_control: { type: 'ephemeral' } },
      ],
      messages: [{ role: 'user', content: 'Hi' }],
      temperature: 0.5,
      top_p: 0.9,
      stop_sequences: ['END'],
      metadata: { user_id: 'user-1' },
      top_k: 5,
      stream: true,
    });
    expect(request).toEqual({
      model: 'claude-sonnet-4-5',
      messages: [
        { role: 'system', content: 'Be brief.\n\nBe kind.', cacheControl: { type: 'ephemeral' } },
        { role: 'user', content: 'Hi' },
      ],
      options: {
        maxTokens: 100,
        temperature: 0.5,
        topP: 0.9,
        stop: ['END'],
        user: 'user-1',
      },
      stream: true,
      thinking: undefined,
    });
  });

  it('maps tool_use and tool_result (is_error too) to assistant tool calls and tool messages with the name', () => {
    const request = parse({
      ...base,
      messages: [
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'hmm', signature: 'sig' },
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } },
            { type: 'tool_use', id: 'toolu_2', name: 'clock', input: {} },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: '21 °C' }] },
            { type: 'tool_result', tool_use_id: 'toolu_2', content: 'no clock', is_error: true },
            { type: 'text', text: 'And tomorrow?' },
          ],
        },
      ],
      tools: [{ name: 'weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
    });
    expect(request.messages).toEqual([
      { role: 'user', content: 'Weather?' },
      {
        role: 'assistant',
        content: 'Checking.',
        toolCalls: [
          { id: 'toolu_1', name: 'weather', arguments: '{"city":"Paris"}' },
          { id: 'toolu_2', name: 'clock', arguments: '{}' },
        ],
      },
      { role: 'tool', toolCallId: 'toolu_1', content: '21 °C', name: 'weather' },
      { role: 'tool', toolCallId: 'toolu_2', content: 'Error: no clock', name: 'clock' },
      { role: 'user', content: 'And tomorrow?' },
    ]);
    expect(request.options).toMatchObject({
      tools: [{ name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
      toolChoice: 'required',
      parallelToolCalls: false,
    });
  });

  it('maps image and document blocks to content parts, and tool_choice tool/none/auto', () => {
    const request = parse({
      ...base,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
            { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'notes' }, title: 'N' },
          ],
        },
      ],
      tools: [{ name: 'weather', input_schema: { type: 'object' } }],
      tool_choice: { type: 'tool', name: 'weather' },
    });
    expect(request.messages[0]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'What is this?' },
        { type: 'image', source: { type: 'base64', data: png, mediaType: 'image/png' } },
        { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
        { type: 'text', text: 'N\n\nnotes' },
      ],
    });
    expect(request.options.toolChoice).toEqual({ type: 'tool', name: 'weather' });
    const messages = [{ role: 'user', content: 'Hi' }];
    expect(parse({ ...base, messages, tool_choice: { type: 'none' } }).options.toolChoice).toBe('none');
    expect(parse({ ...base, messages, tool_choice: { type: 'auto' } }).options.toolChoice).toBe('auto');
  });

  it('keeps thinking for the route, and output_config.format as a JSON response format', () => {
    const request = parse({
      ...base,
      messages: [{ role: 'user', content: 'Hi' }],
      thinking: { type: 'enabled', budget_tokens: 2000 },
      output_config: { format: { type: 'json_schema', schema: { type: 'object', properties: {} } } },
    });
    expect(request.thinking).toEqual({ type: 'enabled', budget_tokens: 2000 });
    expect(request.options.responseFormat).toEqual({ type: 'json', schema: { type: 'object', properties: {} } });
  });

  it.each([
    [{ model: 'm', messages: [{ role: 'user', content: 'Hi' }] }, 'max_tokens: Field required'],
    [{ max_tokens: 5, messages: [{ role: 'user', content: 'Hi' }] }, 'model: Field required'],
    [{ ...base, max_tokens: 0, messages: [{ role: 'user', content: 'Hi' }] }, 'max_tokens: must be at least 1'],
    [{ ...base }, 'messages: is required'],
    [{ ...base, messages: [{ role: 'tool', content: 'x' }] }, 'role must be user or assistant'],
    [{ ...base, messages: [{ role: 'user', content: '   ' }] }, 'messages: need a non-empty user message'],
    [{ ...base, messages: [{ role: 'user', content: [{ type: 'audio' }] }] }, 'messages.0.content'],
    [{ ...base, messages: [{ role: 'user', content: 'Hi' }], temperature: 2 }, 'temperature: must be between 0 and 1'],
    [
      { ...base, messages: [{ role: 'user', content: 'Hi' }], tools: [{ type: 'web_search_20250305', name: 'web' }] },
      'tools.0',
    ],
    [
      {
        ...base,
        messages: [{ role: 'user', content: 'Hi' }],
        tools: [{ name: 'a', input_schema: { type: 'objekt' } }],
      },
      'tools.0.input_schema',
    ],
    [{ ...base, messages: [{ role: 'user', content: 'Hi' }], tool_choice: { type: 'any' } }, 'needs tools'],
    [
      {
        ...base,
        messages: [{ role: 'user', content: 'Hi' }],
        tools: [{ name: 'a', input_schema: { type: 'object' } }],
        tool_choice: { type: 'tool', name: 'b' },
      },
      'tool_choice.name: "b" is not in tools',
    ],
    [
      { ...base, messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'nope' }] }] },
      'messages.0.content.0.tool_use_id: "nope" answers no tool_use',
    ],
    [
      {
        ...base,
        messages: [
          {
            role: 'user',
            content: [{ type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: png } }],
          },
        ],
      },
      'says image/jpeg but the bytes are image/png',
    ],
    [{ ...base, messages: [{ role: 'user', content: 'x'.repeat(1001) }] }, 'at most 1000 characters'],
  ])('refuses %j with a 400 that says "%s"', (raw, message) => {
    const error = failure(raw);
    expect(error.status).toBe(400);
    expect(error.kind).toBe('invalid-request');
    expect(error.message).toContain(message);
  });
});
