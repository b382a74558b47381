import { describe, expect, it } from 'vitest';
import { openaiRequestProblem } from './openai-request-shape.js';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const PDF = 'JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PD4+CmVuZG9iagp0cmFpbGVyCjw8Pj4KJSVFT0YK';
const weather = {
  type: 'function',
  function: { name: 'weather', description: 'Current weather', parameters: { type: 'object', properties: {} } },
};

/** A user message whose content is the given parts, in an otherwise ordinary streaming body. */
const withParts = (...parts: unknown[]) => ({
  model: 'gpt-4.1-mini',
  messages: [{ role: 'user', content: parts }],
  stream: true,
});
const withBody = (fields: Record<string, unknown>) => ({
  model: 'gpt-4.1-mini',
  messages: [{ role: 'user', content: 'Answer in JSON please' }],
  ...fields,
});

describe('openaiRequestProblem accepts', () => {
  it('ordinary bodies, and leaves what is not a JSON object alone', () => {
    expect(
      openaiRequestProblem({
        model: 'gpt-4.1-mini',
        messages: [{ role: 'user', content: 'Hi' }],
        stream: true,
        stream_options: { include_usage: true },
        temperature: 0.3,
        some_future_field: { anything: true },
      }),
    ).toBeUndefined();
    expect(openaiRequestProblem({ stream: true })).toBeUndefined();
    expect(openaiRequestProblem('not json')).toBeUndefined();
    expect(openaiRequestProblem(undefined)).toBeUndefined();
  });

  it('every user part in its documented shape', () => {
    const body = withParts(
      { type: 'text', text: 'What is in these?' },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}`, detail: 'low' } },
      { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
      { type: 'file', file: { file_data: `data:application/pdf;base64,${PDF}`, filename: 'doc.pdf' } },
      { type: 'file', file: { file_id: 'file-abc123' } },
      { type: 'input_audio', input_audio: { data: 'UklGRiQAAABXQVZF', format: 'wav' } },
    );
    expect(openaiRequestProblem(body)).toBeUndefined();
  });

  it('a whole conversation with tools, tool calls and every field the mapper sets', () => {
    const body = {
      model: 'gpt-4.1-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'Use tools.' }] },
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' },
        { role: 'assistant', content: [{ type: 'refusal', refusal: 'No.' }] },
      ],
      tools: [weather],
      tool_choice: { type: 'function', function: { name: 'weather' } },
      parallel_tool_calls: false,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'response', description: 'A reply', schema: { type: 'object' }, strict: true },
      },
      seed: 7,
      user: 'user-42',
    };
    expect(openaiRequestProblem(body)).toBeUndefined();
  });

  it('each tool_choice form and JSON mode when a message says JSON', () => {
    for (const tool_choice of ['auto', 'none', 'required', { type: 'function', function: { name: 'weather' } }]) {
      expect(openaiRequestProblem(withBody({ tools: [weather], tool_choice }))).toBeUndefined();
    }
    expect(openaiRequestProblem(withBody({ response_format: { type: 'json_object' } }))).toBeUndefined();
    expect(openaiRequestProblem(withBody({ response_format: { type: 'text' }, seed: null }))).toBeUndefined();
  });
});

describe('openaiRequestProblem refuses what a sloppy mapper sends', () => {
  const cases: ReadonlyArray<[string, unknown, string | RegExp]> = [
    [
      "core's image part as it is",
      withParts({ type: 'image', source: { type: 'base64', data: PNG, mediaType: 'image/png' } }),
      "messages.0.content.0.type: Invalid discriminator value. Expected 'text' | 'image_url' | 'input_audio' | 'file'",
    ],
    [
      'image_url as a bare string',
      withParts({ type: 'image_url', image_url: 'https://example.com/cat.jpg' }),
      'messages.0.content.0.image_url: expected object, received string',
    ],
    [
      'raw base64 as the image URL',
      withParts({ type: 'image_url', image_url: { url: PNG } }),
      'messages.0.content.0.image_url.url: expected an http(s) URL or a data:image/...;base64, URL',
    ],
    [
      'a data URL without its media type',
      withParts({ type: 'image_url', image_url: { url: `data:;base64,${PNG}` } }),
      /^messages\.0\.content\.0\.image_url\.url: expected data:<media type>;base64,<data>/,
    ],
    [
      'a data URL prefixed twice',
      withParts({ type: 'image_url', image_url: { url: `data:image/png;base64,data:image/png;base64,${PNG}` } }),
      'messages.0.content.0.image_url.url: the data after "base64," is not base64',
    ],
    [
      'a PDF sent as an image',
      withParts({ type: 'image_url', image_url: { url: `data:application/pdf;base64,${PDF}` } }),
      /^messages\.0\.content\.0\.image_url\.url: media type application\/pdf is not one of image\/png/,
    ],
    [
      'the media type beside the URL',
      withParts({ type: 'image_url', image_url: { url: 'https://example.com/a.png', media_type: 'image/png' } }),
      'messages.0.content.0.image_url: Unrecognized key: "media_type"',
    ],
    [
      'an unknown detail',
      withParts({ type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'medium' } }),
      'messages.0.content.0.image_url.detail: Invalid option: expected one of "auto"|"low"|"high"',
    ],
    [
      'file data without the data: prefix',
      withParts({ type: 'file', file: { file_data: PDF, filename: 'doc.pdf' } }),
      /^messages\.0\.content\.0\.file\.file_data: expected data:<media type>;base64,<data>/,
    ],
    [
      'file data without a filename',
      withParts({ type: 'file', file: { file_data: `data:application/pdf;base64,${PDF}` } }),
      'messages.0.content.0.file.filename: required with file_data',
    ],
    [
      'a file by URL',
      withParts({ type: 'file', file: { url: 'https://example.com/doc.pdf', filename: 'doc.pdf' } }),
      'messages.0.content.0.file: Unrecognized key: "url"',
    ],
    [
      'file fields not nested under file',
      withParts({ type: 'file', file_data: `data:application/pdf;base64,${PDF}`, filename: 'doc.pdf' }),
      'messages.0.content.0.file: expected object, received undefined',
    ],
    [
      'a text part with content instead of text',
      withParts({ type: 'text', content: 'hi' }),
      'messages.0.content.0.text: expected string, received undefined',
    ],
    ['an empty part list', withParts(), 'messages.0.content: Too small: expected array to have >=1 items'],
    [
      'content that is neither',
      withBody({ messages: [{ role: 'user', content: 5 }] }),
      'messages.0.content: expected string or array',
    ],
    [
      'null content without tool calls',
      withBody({ messages: [{ role: 'assistant', content: null }] }),
      'messages.0.content: required unless tool_calls is given',
    ],
    [
      'tool call arguments as an object',
      withBody({
        messages: [
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'c', type: 'function', function: { name: 'w', arguments: {} } }],
          },
        ],
      }),
      'messages.0.tool_calls.0.function.arguments: expected string, received object',
    ],
    [
      'an unknown role',
      withBody({ messages: [{ role: 'model', content: 'Hi' }] }),
      /^messages\.0\.role: Invalid discriminator value\. Expected 'system' \| 'developer' \| 'user'/,
    ],
    [
      'the schema beside json_schema',
      withBody({ response_format: { type: 'json_schema', schema: { type: 'object' } } }),
      'response_format.json_schema: expected object, received undefined',
    ],
    [
      'json_schema without a name',
      withBody({ response_format: { type: 'json_schema', json_schema: { schema: { type: 'object' } } } }),
      'response_format.json_schema.name: expected string, received undefined',
    ],
    [
      'a schema name with spaces',
      withBody({ response_format: { type: 'json_schema', json_schema: { name: 'my reply', schema: {} } } }),
      'response_format.json_schema.name: expected 1-64 of a-z, A-Z, 0-9, _ and -',
    ],
    [
      "core's responseFormat as it is",
      withBody({ response_format: { type: 'json' } }),
      /^response_format\.type: Invalid discriminator value\. Expected 'text' \| 'json_object' \| 'json_schema'$/,
    ],
    [
      'JSON mode without the word JSON in any message',
      { model: 'm', messages: [{ role: 'user', content: 'Hi' }], response_format: { type: 'json_object' } },
      "messages: must contain the word 'json' in some form, to use 'response_format' of type 'json_object'",
    ],
    [
      "core's tool choice as it is",
      withBody({ tools: [weather], tool_choice: { type: 'tool', name: 'weather' } }),
      /^tool_choice\.type: Invalid discriminator value\. Expected 'function'/,
    ],
    [
      'the Responses API tool choice',
      withBody({ tools: [weather], tool_choice: { type: 'function', name: 'weather' } }),
      'tool_choice.function: expected object, received undefined',
    ],
    [
      "Anthropic's 'any'",
      withBody({ tools: [weather], tool_choice: 'any' }),
      'tool_choice: expected "none" | "auto" | "required" or object',
    ],
    [
      'tool_choice without tools',
      withBody({ tool_choice: 'auto' }),
      'tool_choice: only allowed when tools are specified',
    ],
    [
      'parallel_tool_calls without tools',
      withBody({ parallel_tool_calls: false }),
      'parallel_tool_calls: only allowed when tools are specified',
    ],
    [
      'parallel_tool_calls as a string',
      withBody({ tools: [weather], parallel_tool_calls: 'false' }),
      'parallel_tool_calls: expected boolean, received string',
    ],
    [
      'a Responses API (flat) tool',
      withBody({ tools: [{ type: 'function', name: 'weather', parameters: { type: 'object' } }] }),
      'tools.0.function: expected object, received undefined',
    ],
    ['an empty tools list', withBody({ tools: [] }), 'tools: Too small: expected array to have >=1 items'],
    ['a fractional seed', withBody({ seed: 1.5 }), 'seed: expected int, received number'],
    ['a seed as a string', withBody({ seed: '7' }), 'seed: expected number, received string'],
    [
      'a file part with neither data nor id',
      withParts({ type: 'file', file: { filename: 'doc.pdf' } }),
      'messages.0.content.0.file: expected file_data (with filename) or file_id',
    ],
    [
      'a second message wrong after a right one',
      {
        messages: [
          { role: 'user', content: 'Hi' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'a' },
              { type: 'image_url', image_url: { url: 42 } },
            ],
          },
        ],
      },
      'messages.1.content.1.image_url.url: expected string, received number',
    ],
  ];

  it.each(cases)('%s', (_name, body, problem) => {
    const found = openaiRequestProblem(body);
    if (typeof problem === 'string') expect(found).toBe(problem);
    else expect(found).toMatch(problem);
  });
});
