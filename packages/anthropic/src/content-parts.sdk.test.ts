import Anthropic from '@anthropic-ai/sdk';
import { type Chunk, type CompletionRequest, type ContentPart, collectText, LLMError } from '@rxllm/core';
import { type MockScript, type MockUpstream, mockUpstream, type RecordedRequest } from '@rxllm/testing';
import { from, lastValueFrom, type Observable, toArray } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAnthropic } from './create-anthropic.js';

/** Real leading bytes (the mock compares them with the declared media type): a 1×1 PNG and a tiny PDF. */
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const PDF = 'JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PD4+CmVuZG9iagp0cmFpbGVyCjw8Pj4KJSVFT0YK';
const weather = {
  name: 'weather',
  description: 'Current weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
const toolRequest: CompletionRequest = { messages: [{ role: 'user', content: 'Weather in Paris?' }], tools: [weather] };

let mock: MockUpstream;
const provider = () => createAnthropic({ apiKey: 'sk-ant-test', baseURL: mock.baseURLs.anthropic });

beforeAll(async () => {
  mock = await mockUpstream();
});
afterEach(() => mock.reset());
afterAll(async () => {
  await mock.close();
});

/** Runs a request to its end through the real SDK; the stream's chunks, or the error it failed with. */
async function run(
  request: CompletionRequest,
  script?: MockScript,
): Promise<{ chunks: Chunk[]; error: LLMError | undefined }> {
  if (script) mock.enqueue(script);
  const stream: Observable<Chunk> = provider().stream(request);
  try {
    return { chunks: await lastValueFrom(stream.pipe(toArray())), error: undefined };
  } catch (error) {
    return { chunks: [], error: error as LLMError };
  }
}

/** The one request the mock saw, which it must have accepted as the vendor's exact shape. */
function acceptedRequest(): RecordedRequest & { body: Record<string, unknown> } {
  expect(mock.requests).toHaveLength(1);
  const [request] = mock.requests;
  expect(request?.rejected).toBeUndefined();
  return request as RecordedRequest & { body: Record<string, unknown> };
}

/** Sends one user message of these parts and returns the content blocks the mock received (and accepted). */
async function sentContent(parts: ContentPart[]): Promise<unknown> {
  const { error } = await run({ messages: [{ role: 'user', content: parts }] });
  expect(error).toBeUndefined();
  return (acceptedRequest().body.messages as Array<{ content: unknown }>)[0]?.content;
}

describe('content parts through the real SDK, checked by the mock', () => {
  it('text + a base64 image → text and image blocks', async () => {
    expect(
      await sentContent([
        { type: 'text', text: 'What is in this picture?' },
        { type: 'image', source: { type: 'base64', data: PNG, mediaType: 'image/png' }, detail: 'low' },
      ]),
    ).toEqual([
      { type: 'text', text: 'What is in this picture?' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
    ]);
  });

  it('an image by https URL → a url source', async () => {
    expect(await sentContent([{ type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } }])).toEqual(
      [{ type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } }],
    );
  });

  it('a data: URL image → inline base64', async () => {
    expect(
      await sentContent([{ type: 'image', source: { type: 'url', url: `data:image/png;base64,${PNG}` } }]),
    ).toEqual([{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } }]);
  });

  it('a PDF file → a document block with its filename as title; a PDF by URL and a text file too', async () => {
    expect(
      await sentContent([
        { type: 'file', source: { type: 'base64', data: PDF, mediaType: 'application/pdf' }, filename: 'report.pdf' },
        { type: 'file', source: { type: 'url', url: 'https://example.com/paper.pdf' }, filename: 'paper.pdf' },
        {
          type: 'file',
          source: { type: 'base64', data: Buffer.from('Hi ✓').toString('base64'), mediaType: 'text/plain' },
        },
        { type: 'text', text: 'Summarise these.' },
      ]),
    ).toEqual([
      {
        type: 'document',
        source: { type: 'base64', media_type: 'application/pdf', data: PDF },
        title: 'report.pdf',
      },
      { type: 'document', source: { type: 'url', url: 'https://example.com/paper.pdf' }, title: 'paper.pdf' },
      { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'Hi ✓' } },
      { type: 'text', text: 'Summarise these.' },
    ]);
  });

  it('an unsupported part fails the stream with invalid-request before any request is sent', async () => {
    for (const part of [
      { type: 'image', source: { type: 'base64', data: 'PHN2Zz4=', mediaType: 'image/svg+xml' } },
      { type: 'file', source: { type: 'url', url: 'https://example.com/data.csv', mediaType: 'text/csv' } },
    ] satisfies ContentPart[]) {
      const { chunks, error } = await run({ messages: [{ role: 'user', content: [part] }] });
      expect(chunks).toEqual([]);
      expect(error).toBeInstanceOf(LLMError);
      expect(error).toMatchObject({ kind: 'invalid-request', provider: 'anthropic' });
      expect(error?.message).not.toContain('PHN2Zz4=');
      expect(error?.message).not.toContain('example.com');
    }
    expect(mock.requests).toHaveLength(0);
  });
});

describe('responseFormat, toolChoice, parallelToolCalls, seed, user through the real SDK', () => {
  it('a responseFormat with a schema → output_config.format; the JSON text streams as text chunks', async () => {
    const schema = {
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
      additionalProperties: false,
    };
    const { chunks, error } = await run(
      { messages: [{ role: 'user', content: 'Where?' }], responseFormat: { type: 'json', schema, name: 'place' } },
      {
        events: [
          { type: 'text', text: '{"city":' },
          { type: 'text', text: '"Paris"}' },
        ],
      },
    );
    expect(error).toBeUndefined();
    const { body } = acceptedRequest();
    expect(body.output_config).toEqual({ format: { type: 'json_schema', schema } });
    expect(body).not.toHaveProperty('tools');
    expect(body).not.toHaveProperty('tool_choice');
    expect(await lastValueFrom(from(chunks).pipe(collectText()))).toBe('{"city":"Paris"}');
    expect(chunks.at(-1)).toEqual({ type: 'finish', reason: 'stop', rawReason: 'end_turn' });
  });

  it('a responseFormat without a schema → a forced json_response tool whose input streams out as text', async () => {
    const { chunks, error } = await run(
      { messages: [{ role: 'user', content: 'Any JSON' }], responseFormat: { type: 'json' } },
      { events: [{ type: 'tool-call', id: 'toolu_j', name: 'json_response', argumentFragments: ['{"ok"', ':true}'] }] },
    );
    expect(error).toBeUndefined();
    const { body } = acceptedRequest();
    expect(body.tools).toEqual([
      { name: 'json_response', description: expect.any(String), input_schema: { type: 'object' } },
    ]);
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'json_response', disable_parallel_tool_use: true });
    expect(body).not.toHaveProperty('output_config');
    expect(chunks.filter((chunk) => chunk.type === 'text')).toEqual([
      { type: 'text', text: '{"ok"' },
      { type: 'text', text: ':true}' },
    ]);
    expect(chunks.some((chunk) => chunk.type === 'tool-call')).toBe(false);
    expect(chunks.at(-1)).toEqual({ type: 'finish', reason: 'stop', rawReason: 'tool_use' });
  });

  it.each([
    ['auto', { type: 'auto' }],
    ['none', { type: 'none' }],
    ['required', { type: 'any' }],
    [
      { type: 'tool', name: 'weather' },
      { type: 'tool', name: 'weather' },
    ],
  ] as const)('toolChoice %j → tool_choice %j', async (toolChoice, expected) => {
    const { error } = await run({ ...toolRequest, toolChoice });
    expect(error).toBeUndefined();
    expect(acceptedRequest().body.tool_choice).toEqual(expected);
  });

  it('parallelToolCalls: false → disable_parallel_tool_use on the tool choice (auto when none is given)', async () => {
    await run({ ...toolRequest, parallelToolCalls: false });
    expect(acceptedRequest().body.tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
    mock.reset();
    await run({ ...toolRequest, parallelToolCalls: false, toolChoice: 'required' });
    expect(acceptedRequest().body.tool_choice).toEqual({ type: 'any', disable_parallel_tool_use: true });
  });

  it('seed is not sent (Anthropic has none); user → metadata.user_id', async () => {
    const { error } = await run({ messages: [{ role: 'user', content: 'Hi' }], seed: 42, user: 'user-7f3a' });
    expect(error).toBeUndefined();
    const { body } = acceptedRequest();
    expect(body).not.toHaveProperty('seed');
    expect(body).not.toHaveProperty('user');
    expect(body.metadata).toEqual({ user_id: 'user-7f3a' });
  });
});

describe('the mock refuses a body of the wrong shape (so the checks above can fail)', () => {
  it('an OpenAI-style image part sent through the SDK gets the vendor 400 and is marked rejected', async () => {
    const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: mock.baseURLs.anthropic, maxRetries: 0 });
    const sloppy = {
      model: 'claude-sonnet-5-5',
      max_tokens: 64,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
          ],
        },
      ],
    } as unknown as Anthropic.MessageCreateParamsNonStreaming;
    const error = await client.messages.create(sloppy).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(mock.requests[0]?.rejected).toMatch(/^messages\.0\.content\.1\.type: /);
  });

  it('a foreign field passed through providerOptions fails the stream as invalid-request with the problem', async () => {
    const { error } = await run({
      messages: [{ role: 'user', content: 'Hi' }],
      providerOptions: { anthropic: { response_format: { type: 'json_object' } } },
    });
    expect(error).toMatchObject({ kind: 'invalid-request', status: 400 });
    expect(error?.message).toMatch(/response_format: Extra inputs are not permitted/);
    expect(mock.requests[0]?.rejected).toBe('response_format: Extra inputs are not permitted');
  });
});
