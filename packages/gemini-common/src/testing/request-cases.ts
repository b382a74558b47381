import type { CompletionRequest, ContentPart, Message } from '@rxllm/core';

/** A 1×1 PNG, base64 (no `data:` prefix). */
export const PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
/** The first bytes of a PDF, base64. */
export const PDF_BASE64 = 'JVBERi0xLjQKJcTl8uXrp/Og0MTGCg==';
/** A `user` value that must never reach the wire. */
export const IGNORED_USER = 'user-7f3a-never-sent';

/** One request and what its Gemini wire body must hold, whichever Google SDK sends it. */
export interface RequestShapeCase {
  name: string;
  request: CompletionRequest;
  /** A subset of the wire body (compare with `toMatchObject`). */
  wire: Record<string, unknown>;
  /** Top-level wire fields that must be absent. */
  absentFields?: readonly string[];
  /** Text that must not appear anywhere in the wire body. */
  absentText?: readonly string[];
}

const ask = (content: string | ContentPart[]): Message[] => [{ role: 'user', content }];
const tools = [
  { name: 'weather', description: 'Weather in a city', parameters: { type: 'object', properties: {} } },
  { name: 'clock', parameters: { type: 'object', properties: {} } },
];
const declared = [{ functionDeclarations: [{ name: 'weather' }, { name: 'clock' }] }];
const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };

function toolChoiceCase(
  label: string,
  toolChoice: NonNullable<CompletionRequest['toolChoice']>,
  functionCallingConfig: Record<string, unknown>,
): RequestShapeCase {
  return {
    name: `toolChoice ${label}`,
    request: { messages: ask('Weather?'), tools, toolChoice },
    wire: { tools: declared, toolConfig: { functionCallingConfig } },
  };
}

/**
 * The request mapping cases both Gemini providers run through their real SDK against the mock upstream: content
 * parts (text + base64 image, image by URL, data-URL image, PDF), `responseFormat` with and without a schema, each
 * `toolChoice`, `parallelToolCalls: false`, `seed` and `user`.
 *
 * @example
 * ```ts
 * it.each(REQUEST_SHAPE_CASES)('$name', async ({ request, wire }) => { … expect(mock.requests[0]?.body).toMatchObject(wire); });
 * ```
 */
export const REQUEST_SHAPE_CASES: readonly RequestShapeCase[] = [
  {
    name: 'text + a base64 image',
    request: {
      messages: ask([
        { type: 'text', text: 'What is in this picture?' },
        { type: 'image', source: { type: 'base64', data: PNG_BASE64, mediaType: 'image/png' } },
      ]),
    },
    wire: {
      contents: [
        {
          role: 'user',
          parts: [{ text: 'What is in this picture?' }, { inlineData: { mimeType: 'image/png', data: PNG_BASE64 } }],
        },
      ],
    },
  },
  {
    name: 'an image by https URL',
    request: {
      messages: ask([
        {
          type: 'image',
          detail: 'high',
          source: { type: 'url', url: 'https://example.com/cat.jpg', mediaType: 'image/jpeg' },
        },
      ]),
    },
    wire: {
      contents: [
        { role: 'user', parts: [{ fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/cat.jpg' } }] },
      ],
    },
  },
  {
    name: 'a data-URL image (sent as inline bytes)',
    request: {
      messages: ask([{ type: 'image', source: { type: 'url', url: `data:image/png;base64,${PNG_BASE64}` } }]),
    },
    wire: { contents: [{ role: 'user', parts: [{ inlineData: { mimeType: 'image/png', data: PNG_BASE64 } }] }] },
    absentText: ['data:image/png'],
  },
  {
    name: 'a PDF file',
    request: {
      messages: ask([
        {
          type: 'file',
          filename: 'report.pdf',
          source: { type: 'base64', data: PDF_BASE64, mediaType: 'application/pdf' },
        },
        { type: 'text', text: 'Summarise it.' },
      ]),
    },
    wire: {
      contents: [
        {
          role: 'user',
          parts: [{ inlineData: { mimeType: 'application/pdf', data: PDF_BASE64 } }, { text: 'Summarise it.' }],
        },
      ],
    },
    absentText: ['report.pdf'],
  },
  {
    name: 'responseFormat with a schema',
    request: { messages: ask('Where?'), responseFormat: { type: 'json', schema, name: 'place', strict: true } },
    wire: { generationConfig: { responseMimeType: 'application/json', responseJsonSchema: schema } },
    absentText: ['responseSchema"'],
  },
  {
    name: 'responseFormat without a schema',
    request: { messages: ask('Where?'), responseFormat: { type: 'json' } },
    wire: { generationConfig: { responseMimeType: 'application/json' } },
    absentText: ['responseJsonSchema', 'responseSchema'],
  },
  toolChoiceCase('auto', 'auto', { mode: 'AUTO' }),
  toolChoiceCase('none', 'none', { mode: 'NONE' }),
  toolChoiceCase('required', 'required', { mode: 'ANY' }),
  toolChoiceCase('{ type: tool }', { type: 'tool', name: 'clock' }, { mode: 'ANY', allowedFunctionNames: ['clock'] }),
  {
    name: 'parallelToolCalls: false (no Gemini field: left out)',
    request: { messages: ask('Weather?'), tools, parallelToolCalls: false },
    wire: { tools: declared },
    absentFields: ['toolConfig'],
    absentText: ['arallel'],
  },
  {
    name: 'seed',
    request: { messages: ask('Pick a number'), seed: 1234 },
    wire: { generationConfig: { seed: 1234 } },
  },
  {
    name: 'user (no Gemini field: left out)',
    request: { messages: ask('Hi'), user: IGNORED_USER },
    wire: { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] },
    absentFields: ['user'],
    absentText: [IGNORED_USER],
  },
];

/** A request whose part Gemini cannot take (a URL without a media type): no HTTP request may be made for it. */
export const UNSUPPORTED_PART_REQUEST: CompletionRequest = {
  messages: ask([
    { type: 'text', text: 'Look' },
    { type: 'image', source: { type: 'url', url: 'https://example.com/no-media-type' } },
  ]),
};
