import type { CompletionRequest, ContentPart } from '@rxllm/core';
import { type MockUpstream, mockUpstream, type RecordedRequest } from '@rxllm/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOllama } from './create-ollama.js';
import { createOpenAI } from './create-openai.js';
import { outcomeOf, textOf } from './test-support.js';

// The real `openai` SDK against the mock upstream, whose request-shape check answers any body that is not of
// OpenAI's exact shape with OpenAI's 400 (and sets `rejected`).

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const PDF = 'JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PD4+CmVuZG9iagp0cmFpbGVyCjw8Pj4KJSVFT0YK';
const weather = { name: 'weather', description: 'Current weather', parameters: { type: 'object', properties: {} } };

let mock: MockUpstream;
beforeAll(async () => {
  mock = await mockUpstream();
});
afterEach(() => mock.reset());
afterAll(() => mock.close());

const openai = () => createOpenAI({ apiKey: 'sk-test', baseURL: mock.baseURLs.openai });
const userWith = (...parts: ContentPart[]): CompletionRequest => ({ messages: [{ role: 'user', content: parts }] });

/** Streams the request through the real SDK; the stream must succeed and the mock must accept the body. */
async function sent(request: CompletionRequest, provider = openai()): Promise<Record<string, unknown>> {
  const outcome = await outcomeOf(provider.stream(request));
  expect(outcome.error).toBeUndefined();
  expect(textOf(outcome.chunks)).toBe('Hello, world!');
  const [recorded] = mock.requests as RecordedRequest[];
  expect(recorded?.rejected).toBeUndefined();
  return recorded?.body as Record<string, unknown>;
}

describe('content parts through the openai SDK', () => {
  it('sends text and a base64 image as text and image_url parts', async () => {
    const body = await sent(
      userWith(
        { type: 'text', text: 'What is in this picture?' },
        { type: 'image', source: { type: 'base64', data: PNG, mediaType: 'image/png' }, detail: 'low' },
      ),
    );
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in this picture?' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}`, detail: 'low' } },
        ],
      },
    ]);
  });

  it('sends an image by https URL as that URL', async () => {
    const body = await sent(userWith({ type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } }));
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } }] },
    ]);
  });

  it('sends a data-URL image as base64 data', async () => {
    const body = await sent(userWith({ type: 'image', source: { type: 'url', url: `data:image/png;base64,${PNG}` } }));
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }] },
    ]);
  });

  it('sends a PDF as a file part with file_data and filename', async () => {
    const body = await sent(
      userWith(
        { type: 'text', text: 'Summarise this.' },
        { type: 'file', source: { type: 'base64', data: PDF, mediaType: 'application/pdf' }, filename: 'report.pdf' },
        { type: 'file', source: { type: 'url', url: `data:application/pdf;base64,${PDF}` } },
      ),
    );
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Summarise this.' },
          { type: 'file', file: { file_data: `data:application/pdf;base64,${PDF}`, filename: 'report.pdf' } },
          { type: 'file', file: { file_data: `data:application/pdf;base64,${PDF}`, filename: 'file-3.pdf' } },
        ],
      },
    ]);
  });

  it('fails a file by URL with invalid-request before any request, never quoting the URL', async () => {
    const outcome = await outcomeOf(
      openai().stream(userWith({ type: 'file', source: { type: 'url', url: 'https://example.com/private/doc.pdf' } })),
    );
    expect(outcome.chunks).toEqual([]);
    expect(outcome.error).toMatchObject({ kind: 'invalid-request', provider: 'openai' });
    expect(outcome.error?.message).toContain('openai cannot take a file part (url)');
    expect(outcome.error?.message).not.toContain('example.com');
    expect(mock.requests).toHaveLength(0);
  });
});

describe('request fields through the openai SDK', () => {
  const hi: CompletionRequest = { messages: [{ role: 'user', content: 'Reply in JSON: where is Paris?' }] };

  it('sends responseFormat with a schema as strict json_schema', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    const body = await sent({ ...hi, responseFormat: { type: 'json', schema, name: 'place' } });
    expect(body.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'place', schema, strict: true } });
  });

  it('sends responseFormat without a schema as json_object', async () => {
    const body = await sent({ ...hi, responseFormat: { type: 'json' } });
    expect(body.response_format).toEqual({ type: 'json_object' });
  });

  it.each([
    ['auto', 'auto'],
    ['none', 'none'],
    ['required', 'required'],
    [
      { type: 'tool', name: 'weather' },
      { type: 'function', function: { name: 'weather' } },
    ],
  ] as const)('sends toolChoice %j as tool_choice %j', async (toolChoice, expected) => {
    const body = await sent({ ...hi, tools: [weather], toolChoice });
    expect(body.tool_choice).toEqual(expected);
    expect(body.tools).toEqual([{ type: 'function', function: weather }]);
  });

  it('sends parallelToolCalls: false, seed and user', async () => {
    const body = await sent({ ...hi, tools: [weather], parallelToolCalls: false, seed: 42, user: 'user-7' });
    expect(body).toMatchObject({ parallel_tool_calls: false, seed: 42, user: 'user-7' });
  });

  it('is refused by the mock when the body is not of OpenAI shape (the check can fail)', async () => {
    // A sloppy mapping pushed through providerOptions: core's responseFormat as it is.
    const outcome = await outcomeOf(
      openai().stream({ ...hi, providerOptions: { openai: { response_format: { type: 'json' } } } }),
    );
    expect(outcome.error).toMatchObject({ kind: 'invalid-request', status: 400 });
    expect(outcome.error?.message).toContain('response_format.type: Invalid discriminator value');
    expect(mock.requests).toHaveLength(1);
    expect(mock.requests[0]?.rejected).toMatch(/^response_format\.type: /);
  });
});

describe('content parts through createOllama (the same body)', () => {
  const ollama = () => createOllama({ baseURL: mock.baseURLs.openai });

  it('sends an inline image, a schema, tools and seed in the OpenAI shape Ollama reads', async () => {
    const body = await sent(
      {
        ...userWith(
          { type: 'text', text: 'Describe it as JSON.' },
          { type: 'image', source: { type: 'base64', data: PNG, mediaType: 'image/png' } },
        ),
        responseFormat: { type: 'json', schema: { type: 'object' } },
        tools: [weather],
        toolChoice: 'auto',
        seed: 3,
      },
      ollama(),
    );
    expect(body).toMatchObject({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Describe it as JSON.' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
          ],
        },
      ],
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'response', schema: { type: 'object' }, strict: true },
      },
      tool_choice: 'auto',
      seed: 3,
    });
  });

  it('fails an image URL or a file with invalid-request naming ollama, and sends nothing', async () => {
    for (const part of [
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
      { type: 'file', source: { type: 'base64', data: PDF, mediaType: 'application/pdf' } },
    ] as const) {
      const outcome = await outcomeOf(ollama().stream(userWith(part)));
      expect(outcome.error).toMatchObject({ kind: 'invalid-request', provider: 'ollama' });
    }
    expect(mock.requests).toHaveLength(0);
  });
});
