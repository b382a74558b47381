import { describe, expect, it } from 'vitest';
import { anthropicRequestProblem } from './anthropic-request-shape.js';

/** A 1×1 PNG, a JPEG header, a tiny PDF: real leading bytes, since the check compares them with the media type. */
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const JPEG = '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBD';
const PDF = 'JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PD4+CmVuZG9iagp0cmFpbGVyCjw8Pj4KJSVFT0YK';
const weather = { name: 'weather', description: 'Current weather', input_schema: { type: 'object', properties: {} } };

const withBlocks = (...content: unknown[]) => ({
  model: 'claude-sonnet-5-5',
  max_tokens: 1024,
  messages: [{ role: 'user', content }],
  stream: true,
});
const withFields = (fields: Record<string, unknown>) => ({
  model: 'claude-sonnet-5-5',
  max_tokens: 1024,
  messages: [{ role: 'user', content: 'Weather in Paris?' }],
  tools: [weather],
  ...fields,
});

describe('anthropicRequestProblem accepts', () => {
  it('ordinary bodies (loose on fields it does not check), and leaves what is not a JSON object alone', () => {
    expect(
      anthropicRequestProblem({
        model: 'claude-sonnet-5-5',
        max_tokens: 64,
        system: 'Be brief.',
        messages: [{ role: 'user', content: 'Hi' }],
        temperature: 0.3,
        thinking: { type: 'enabled', budget_tokens: 2048 },
        stream: true,
      }),
    ).toBeUndefined();
    expect(anthropicRequestProblem({})).toBeUndefined();
    expect(anthropicRequestProblem({ model: 'claude-test', stream: true })).toBeUndefined();
    expect(anthropicRequestProblem('not json')).toBeUndefined();
    expect(anthropicRequestProblem(null)).toBeUndefined();
  });

  it('text, base64 and URL images, base64, text and URL documents with a title', () => {
    expect(
      anthropicRequestProblem(
        withBlocks(
          { type: 'text', text: 'What are these?' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
          { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: JPEG } },
          { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } },
          { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: PDF }, title: 'a.pdf' },
          { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'plain words' } },
          { type: 'document', source: { type: 'url', url: 'https://example.com/paper.pdf' } },
        ),
      ),
    ).toBeUndefined();
  });

  it('a tool conversation: tool_use in the assistant turn, tool_result in the user turn', () => {
    expect(
      anthropicRequestProblem(
        withFields({
          messages: [
            { role: 'user', content: 'Weather?' },
            {
              role: 'assistant',
              content: [
                { type: 'text', text: 'Let me check.' },
                { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } },
              ],
            },
            { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '18°C' }] },
          ],
        }),
      ),
    ).toBeUndefined();
  });

  it('every tool_choice form, output_config.format, metadata.user_id and a server tool', () => {
    for (const tool_choice of [
      { type: 'auto' },
      { type: 'auto', disable_parallel_tool_use: true },
      { type: 'any', disable_parallel_tool_use: true },
      { type: 'none' },
      { type: 'tool', name: 'weather', disable_parallel_tool_use: true },
    ]) {
      expect(anthropicRequestProblem(withFields({ tool_choice }))).toBeUndefined();
    }
    expect(
      anthropicRequestProblem(
        withFields({
          output_config: { format: { type: 'json_schema', schema: { type: 'object' } }, effort: 'high' },
          metadata: { user_id: 'user-42' },
          tools: [weather, { type: 'web_search_20250305', name: 'web_search', max_uses: 3 }],
        }),
      ),
    ).toBeUndefined();
  });
});

describe('anthropicRequestProblem rejects what a sloppy mapper sends', () => {
  const rejected: Array<[string, unknown, RegExp]> = [
    [
      'an OpenAI image_url part',
      withBlocks({ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }),
      /^messages\.0\.content\.0\.type: /,
    ],
    [
      'a base64 image without its media type',
      withBlocks({ type: 'image', source: { type: 'base64', data: PNG } }),
      /^messages\.0\.content\.0\.source\.media_type: /,
    ],
    [
      'a camelCase mediaType',
      withBlocks({ type: 'image', source: { type: 'base64', mediaType: 'image/png', data: PNG } }),
      /^messages\.0\.content\.0\.source/,
    ],
    [
      'an image media type the API does not take',
      withBlocks({ type: 'image', source: { type: 'base64', media_type: 'image/svg+xml', data: PNG } }),
      /^messages\.0\.content\.0\.source\.media_type: /,
    ],
    [
      'PNG bytes declared as JPEG',
      withBlocks({ type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: PNG } }),
      /^messages\.0\.content\.0\.source\.media_type: the data is image\/png, not the declared image\/jpeg$/,
    ],
    [
      'a data: URL left in a base64 source',
      withBlocks({
        type: 'image',
        source: { type: 'base64', media_type: 'image/png', data: `data:image/png;base64,${PNG}` },
      }),
      /^messages\.0\.content\.0\.source\.data: expected base64/,
    ],
    [
      'a data: URL sent as a url source',
      withBlocks({ type: 'image', source: { type: 'url', url: `data:image/png;base64,${PNG}` } }),
      /^messages\.0\.content\.0\.source\.url: expected an http\(s\) URL$/,
    ],
    [
      'a URL image with the URL one level too high',
      withBlocks({ type: 'image', url: 'https://example.com/cat.png' }),
      /^messages\.0\.content\.0/,
    ],
    [
      'an OpenAI file part',
      withBlocks({ type: 'file', file: { filename: 'a.pdf', file_data: `data:application/pdf;base64,${PDF}` } }),
      /^messages\.0\.content\.0\.type: /,
    ],
    [
      'a PDF sent as an image',
      withBlocks({ type: 'image', source: { type: 'base64', media_type: 'application/pdf', data: PDF } }),
      /^messages\.0\.content\.0\.source\.media_type: /,
    ],
    [
      'a document with filename instead of title',
      withBlocks({
        type: 'document',
        source: { type: 'base64', media_type: 'application/pdf', data: PDF },
        filename: 'a.pdf',
      }),
      /^messages\.0\.content\.0: Unrecognized key: "filename"$/,
    ],
    [
      'a plain-text document still base64 encoded under a PDF media type',
      withBlocks({ type: 'document', source: { type: 'base64', media_type: 'text/plain', data: 'aGk=' } }),
      /^messages\.0\.content\.0\.source\.media_type: /,
    ],
    ['an empty text block', withBlocks({ type: 'text', text: '' }), /^messages\.0\.content\.0\.text: /],
    [
      'a tool_result in an assistant turn',
      withFields({
        messages: [{ role: 'assistant', content: [{ type: 'tool_result', tool_use_id: 't', content: 'x' }] }],
      }),
      /^messages\.0\.content\.0\.type: a tool_result block cannot be in a assistant message$/,
    ],
    [
      'an OpenAI tool message',
      withFields({ messages: [{ role: 'tool', tool_call_id: 't', content: '18°C' }] }),
      /^messages\.0\.role: /,
    ],
    [
      'tool_use arguments left as a JSON string',
      withFields({
        messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'weather', input: '{}' }] }],
      }),
      /^messages\.0\.content\.0\.input: /,
    ],
    ['tool_choice "required" as a string', withFields({ tool_choice: 'required' }), /^tool_choice: /],
    ['tool_choice type "required"', withFields({ tool_choice: { type: 'required' } }), /^tool_choice\.type: /],
    [
      'disable_parallel_tool_use on tool_choice none',
      withFields({ tool_choice: { type: 'none', disable_parallel_tool_use: true } }),
      /^tool_choice: Unrecognized key/,
    ],
    [
      'a tool_choice naming a missing tool',
      withFields({ tool_choice: { type: 'tool', name: 'clock' } }),
      /^tool_choice\.name: no tool named "clock"$/,
    ],
    ['parallel_tool_calls at the top level', withFields({ parallel_tool_calls: false }), /^parallel_tool_calls: /],
    [
      'an OpenAI-style function tool',
      withFields({ tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object' } } }] }),
      /^tools\.0/,
    ],
    [
      'a tool with parameters instead of input_schema',
      withFields({ tools: [{ name: 'weather', parameters: { type: 'object' } }] }),
      /^tools\.0/,
    ],
    [
      'OpenAI response_format',
      withFields({ response_format: { type: 'json_schema', json_schema: { name: 'r', schema: {} } } }),
      /^response_format: Extra inputs are not permitted$/,
    ],
    [
      'the beta output_format without the beta route',
      withFields({ output_format: { type: 'json_schema', schema: {} } }),
      /^output_format: /,
    ],
    [
      'output_config.format with the schema nested OpenAI-style',
      withFields({ output_config: { format: { type: 'json_schema', json_schema: { schema: {} } } } }),
      /^output_config\.format/,
    ],
    [
      'output_config.format json_object',
      withFields({ output_config: { format: { type: 'json_object' } } }),
      /^output_config\.format\.type: /,
    ],
    ['user at the top level', withFields({ user: 'user-42' }), /^user: Extra inputs are not permitted$/],
    ['seed', withFields({ seed: 7 }), /^seed: /],
    ['metadata.user (not user_id)', withFields({ metadata: { user: 'user-42' } }), /^metadata: Unrecognized key/],
    ['a system prompt as an object', withFields({ system: { text: 'Be brief.' } }), /^system: /],
  ];

  it.each(rejected)('%s', (_name, requestBody, expected) => {
    expect(anthropicRequestProblem(requestBody)).toMatch(expected);
  });
});
