import { type CompletionRequest, type ContentPart, type FilePart, type ImagePart, LLMError } from '@rxllm/core';
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

/** Real leading bytes (the mock compares them with the media type): a 1×1 PNG and a tiny PDF. */
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const PDF = 'JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PD4+CmVuZG9iagp0cmFpbGVyCjw8Pj4KJSVFT0YK';
const weather = { name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } };

/** The content of the one user message built from these parts. */
const contentOf = (parts: ContentPart[]) =>
  toMessageCreateParams({ messages: [{ role: 'user', content: parts }] }, { model: 'm' }).messages[0]?.content;

/** The invalid-request error building the body throws (or fails the test). */
function buildError(request: CompletionRequest): LLMError {
  try {
    toMessageCreateParams(request, { model: 'm', provider: 'anthropic' });
  } catch (error) {
    expect(error).toBeInstanceOf(LLMError);
    expect(error).toMatchObject({ kind: 'invalid-request', provider: 'anthropic', retryable: false });
    return error as LLMError;
  }
  throw new Error('expected the body to be refused');
}

describe('toMessageCreateParams: content parts', () => {
  it('maps text, base64 and URL images to text and image blocks, in order, leaving empty text out', () => {
    expect(
      contentOf([
        { type: 'text', text: 'Compare' },
        { type: 'image', source: { type: 'base64', data: PNG, mediaType: 'image/png' }, detail: 'high' },
        { type: 'text', text: '' },
        { type: 'image', source: { type: 'url', url: 'https://example.com/cat.webp', mediaType: 'image/webp' } },
      ]),
    ).toEqual([
      { type: 'text', text: 'Compare' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.webp' } },
    ]);
  });

  it('sends a data: URL image as inline base64, with the media type in lower case and without parameters', () => {
    expect(
      contentOf([{ type: 'image', source: { type: 'url', url: `data:IMAGE/PNG;name=a.png;base64,${PNG}` } }]),
    ).toEqual([{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } }]);
  });

  it('maps files to document blocks: base64 PDF, PDF by URL, text/plain as text, filename as title', () => {
    const text = 'Grüße, 世界';
    const utf8 = Buffer.from(text, 'utf8').toString('base64');
    const latin1 = Buffer.from('Grüße', 'latin1').toString('base64');
    expect(
      contentOf([
        { type: 'file', source: { type: 'base64', data: PDF, mediaType: 'application/pdf' }, filename: 'report.pdf' },
        { type: 'file', source: { type: 'url', url: 'https://example.com/paper.pdf' } },
        { type: 'file', source: { type: 'url', url: `data:application/pdf;base64,${PDF}` } },
        { type: 'file', source: { type: 'base64', data: utf8, mediaType: 'text/plain' }, filename: 'notes.txt' },
        { type: 'file', source: { type: 'base64', data: latin1, mediaType: 'text/plain; charset=ISO-8859-1' } },
      ]),
    ).toEqual([
      {
        type: 'document',
        source: { type: 'base64', media_type: 'application/pdf', data: PDF },
        title: 'report.pdf',
      },
      { type: 'document', source: { type: 'url', url: 'https://example.com/paper.pdf' } },
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: PDF } },
      { type: 'document', source: { type: 'text', media_type: 'text/plain', data: text }, title: 'notes.txt' },
      { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'Grüße' } },
    ]);
  });

  it('keeps string user content a string, and sends a part list with no content left as an empty string', () => {
    expect(contentOf([{ type: 'text', text: '' }])).toBe('');
    expect(
      toMessageCreateParams({ messages: [{ role: 'user', content: 'Hi' }] }, { model: 'm' }).messages[0]?.content,
    ).toBe('Hi');
  });

  const unsupported: Array<[string, ImagePart | FilePart, RegExp]> = [
    [
      'an SVG image',
      { type: 'image', source: { type: 'base64', data: 'PHN2Zz4=', mediaType: 'image/svg+xml' } },
      /anthropic cannot take an image part \(base64, image\/svg\+xml\): .*image\/jpeg, image\/png/,
    ],
    [
      'an image URL of a type Anthropic does not take',
      { type: 'image', source: { type: 'url', url: 'https://example.com/a.tiff', mediaType: 'image/tiff' } },
      /cannot take an image part \(url, image\/tiff\)/,
    ],
    [
      'an image by a non-http URL',
      { type: 'image', source: { type: 'url', url: 'file:///etc/cat.png' } },
      /by http\(s\) URL/,
    ],
    [
      'a data: URL that is not base64',
      { type: 'image', source: { type: 'url', url: 'data:image/png,rawbytes' } },
      /cannot take an image part \(url\)/,
    ],
    [
      'a CSV file',
      { type: 'file', source: { type: 'base64', data: 'YSxiCg==', mediaType: 'text/csv' } },
      /cannot take a file part \(base64, text\/csv\): .*PDF/,
    ],
    [
      'a text file by URL',
      { type: 'file', source: { type: 'url', url: 'https://example.com/a.txt', mediaType: 'text/plain' } },
      /only PDF documents by URL/,
    ],
    [
      'a text/plain file that is not UTF-8',
      { type: 'file', source: { type: 'base64', data: '/w==', mediaType: 'text/plain' } },
      /not base64 text/,
    ],
  ];

  it.each(unsupported)('refuses %s with an invalid-request error that quotes no data', (_name, part, expected) => {
    const error = buildError({ messages: [{ role: 'user', content: [part] }] });
    expect(error.message).toMatch(expected);
    if (part.source.type === 'base64') expect(error.message).not.toContain(part.source.data);
    if (part.source.type === 'url') expect(error.message).not.toContain(part.source.url);
  });

  it('refuses a part of an unknown type', () => {
    const part = { type: 'audio', data: 'AAAA' } as unknown as ContentPart;
    expect(buildError({ messages: [{ role: 'user', content: [part] }] }).message).toBe(
      'anthropic cannot take a part of type "audio"',
    );
  });
});

describe('toMessageCreateParams: tool choice, response format, user, seed', () => {
  const ask: CompletionRequest = { messages: [{ role: 'user', content: 'Weather in Paris?' }], tools: [weather] };
  const fields = (request: Partial<CompletionRequest>) => {
    const {
      model: _model,
      max_tokens: _max,
      messages: _messages,
      stream: _stream,
      ...rest
    } = toMessageCreateParams({ ...ask, ...request }, { model: 'm' });
    return rest;
  };

  it('maps each toolChoice form, required as any', () => {
    expect(fields({ toolChoice: 'auto' }).tool_choice).toEqual({ type: 'auto' });
    expect(fields({ toolChoice: 'none' }).tool_choice).toEqual({ type: 'none' });
    expect(fields({ toolChoice: 'required' }).tool_choice).toEqual({ type: 'any' });
    expect(fields({ toolChoice: { type: 'tool', name: 'weather' } }).tool_choice).toEqual({
      type: 'tool',
      name: 'weather',
    });
    expect(fields({}).tool_choice).toBeUndefined();
  });

  it('maps parallelToolCalls: false to disable_parallel_tool_use, on auto when no toolChoice is set', () => {
    expect(fields({ parallelToolCalls: false }).tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
    expect(fields({ parallelToolCalls: false, toolChoice: 'required' }).tool_choice).toEqual({
      type: 'any',
      disable_parallel_tool_use: true,
    });
    expect(fields({ parallelToolCalls: false, toolChoice: { type: 'tool', name: 'weather' } }).tool_choice).toEqual({
      type: 'tool',
      name: 'weather',
      disable_parallel_tool_use: true,
    });
    expect(fields({ parallelToolCalls: false, toolChoice: 'none' }).tool_choice).toEqual({ type: 'none' });
    expect(fields({ parallelToolCalls: true }).tool_choice).toBeUndefined();
  });

  it('sends no tool_choice without tools, and refuses one that needs a tool the request lacks', () => {
    expect(fields({ tools: undefined, toolChoice: 'auto', parallelToolCalls: false }).tool_choice).toBeUndefined();
    expect(buildError({ ...ask, tools: undefined, toolChoice: 'required' }).message).toMatch(/needs tools/);
    expect(buildError({ ...ask, toolChoice: { type: 'tool', name: 'clock' } }).message).toMatch(/"clock"/);
  });

  it('sends a responseFormat with a schema as output_config.format, merged with other output_config fields', () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    expect(fields({ responseFormat: { type: 'json', schema, name: 'weather_answer', strict: false } })).toEqual({
      tools: [{ name: 'weather', input_schema: weather.parameters }],
      output_config: { format: { type: 'json_schema', schema } },
    });
    expect(
      fields({
        responseFormat: { type: 'json', schema },
        providerOptions: { anthropic: { output_config: { effort: 'low' } } },
      }).output_config,
    ).toEqual({ effort: 'low', format: { type: 'json_schema', schema } });
  });

  it('sends a responseFormat without a schema as one forced call of a json_response tool taking any object', () => {
    expect(fields({ responseFormat: { type: 'json' } })).toEqual({
      tools: [
        { name: 'weather', input_schema: weather.parameters },
        { name: 'json_response', description: expect.stringMatching(/JSON object/), input_schema: { type: 'object' } },
      ],
      tool_choice: { type: 'tool', name: 'json_response', disable_parallel_tool_use: true },
    });
    expect(
      fields({ tools: undefined, responseFormat: { type: 'json', name: 'answer', description: 'The answer.' } }),
    ).toEqual({
      tools: [{ name: 'answer', description: 'The answer.', input_schema: { type: 'object' } }],
      tool_choice: { type: 'tool', name: 'answer', disable_parallel_tool_use: true },
    });
  });

  it('refuses a schemaless responseFormat with a toolChoice or a tool of the same name', () => {
    expect(buildError({ ...ask, responseFormat: { type: 'json' }, toolChoice: 'auto' }).message).toMatch(
      /cannot be combined with toolChoice/,
    );
    expect(buildError({ ...ask, responseFormat: { type: 'json', name: 'weather' } }).message).toMatch(
      /a tool named "weather"/,
    );
  });

  it('sends user as metadata.user_id (over defaults.body, under providerOptions) and never sends seed', () => {
    expect(fields({ user: 'user-42', seed: 7 })).toEqual({
      tools: [{ name: 'weather', input_schema: weather.parameters }],
      metadata: { user_id: 'user-42' },
    });
    const body = toMessageCreateParams(
      { ...ask, user: 'user-42' },
      { model: 'm', defaults: { body: { metadata: { user_id: 'default-user' } } } },
    );
    expect(body.metadata).toEqual({ user_id: 'user-42' });
    expect(
      fields({ user: 'user-42', providerOptions: { anthropic: { metadata: { user_id: 'override' } } } }).metadata,
    ).toEqual({ user_id: 'override' });
  });
});

describe('toMessageCreateParams: prompt caching', () => {
  const ephemeral = { type: 'ephemeral' as const };
  it('puts cacheControl on the system prompt, a part, a message end, a tool result and a tool', () => {
    const body = toMessageCreateParams(
      {
        messages: [
          { role: 'system', content: 'A long policy.', cacheControl: { type: 'ephemeral', ttl: '1h' } },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'A long document.', cacheControl: ephemeral },
              { type: 'text', text: 'The question.' },
            ],
          },
          { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'lookup', arguments: '{}' }] },
          { role: 'tool', toolCallId: 'c1', content: 'found', cacheControl: ephemeral },
          { role: 'assistant', content: 'Answer.', cacheControl: ephemeral },
          { role: 'user', content: 'More?' },
        ],
        tools: [{ name: 'lookup', parameters: { type: 'object' }, cacheControl: ephemeral }],
      },
      { model: 'claude' },
    );
    expect(body.system).toEqual([
      { type: 'text', text: 'A long policy.', cache_control: { type: 'ephemeral', ttl: '1h' } },
    ]);
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'A long document.', cache_control: ephemeral },
          { type: 'text', text: 'The question.' },
        ],
      },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'c1', name: 'lookup', input: {} }] },
      {
        role: 'user',
        content: [{ type: 'tool_result', tool_use_id: 'c1', content: 'found', cache_control: ephemeral }],
      },
      { role: 'assistant', content: [{ type: 'text', text: 'Answer.', cache_control: ephemeral }] },
      { role: 'user', content: 'More?' },
    ]);
    expect(body.tools).toEqual([{ name: 'lookup', input_schema: { type: 'object' }, cache_control: ephemeral }]);
  });

  it('without cacheControl the body is as before: a string system prompt, string contents', () => {
    const body = toMessageCreateParams(
      {
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
        ],
      },
      { model: 'claude' },
    );
    expect(body.system).toBe('Be brief.');
    expect(body.messages).toEqual([{ role: 'user', content: 'Hi' }]);
  });
});
