import type { CompletionRequest } from '@rxllm/core';
import { REQUEST_SHAPE_CASES, streamOutcome, texts, UNSUPPORTED_PART_REQUEST } from '@rxllm/gemini-common/testing';
import { type MockUpstream, mockUpstream } from '@rxllm/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGemini } from './create-gemini.js';

let mock: MockUpstream;
let provider: ReturnType<typeof createGemini>;

beforeAll(async () => {
  mock = await mockUpstream();
  provider = createGemini({ apiKey: 'MARKER-GEMINI-KEY-parts', baseURL: mock.baseURLs.gemini });
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

const ask: CompletionRequest['messages'] = [{ role: 'user', content: 'Hi' }];

describe('createGemini request mapping on the wire (@google/generative-ai against the mock upstream)', () => {
  it.each(REQUEST_SHAPE_CASES)('$name', async ({ request, wire, absentFields = [], absentText = [] }) => {
    mock.enqueue({ events: [{ type: 'text', text: 'ok' }] });
    const { chunks, error } = await streamOutcome(provider.stream(request));
    expect(error).toBeUndefined();
    expect(texts(chunks)).toEqual(['ok']);
    expect(mock.requests).toHaveLength(1);
    const [recorded] = mock.requests;
    expect(recorded?.rejected).toBeUndefined();
    expect(recorded?.body).toMatchObject(wire);
    for (const field of absentFields) expect(recorded?.body).not.toHaveProperty(field);
    const json = JSON.stringify(recorded?.body);
    for (const text of absentText) expect(json).not.toContain(text);
  });

  it('refuses a part Gemini cannot take with invalid-request, before any request is sent', async () => {
    const { chunks, error } = await streamOutcome(provider.stream(UNSUPPORTED_PART_REQUEST));
    expect(chunks).toEqual([]);
    expect(error?.kind).toBe('invalid-request');
    expect(error?.provider).toBe('gemini');
    expect(error?.message).toContain('media type');
    expect(mock.requests).toHaveLength(0);
  });

  it.each([
    [
      'an OpenAI-style tool-choice mode',
      { toolConfig: { functionCallingConfig: { mode: 'required' } } },
      'toolConfig.functionCallingConfig.mode',
    ],
    [
      'a schema without the JSON media type',
      { generationConfig: { responseJsonSchema: { type: 'object' } } },
      'generationConfig.responseMimeType',
    ],
    [
      'a data URL as inline bytes',
      {
        contents: [
          { role: 'user', parts: [{ inlineData: { mimeType: 'image/png', data: 'data:image/png;base64,aGk=' } }] },
        ],
      },
      'contents.0.parts.0.inlineData.data',
    ],
  ])('the mock rejects a wrong body shape as Gemini would: %s', async (_name, options, path) => {
    const { error } = await streamOutcome(provider.stream({ messages: ask, providerOptions: { gemini: options } }));
    expect(error?.kind).toBe('invalid-request');
    expect(error?.status).toBe(400);
    expect(mock.requests[0]?.rejected).toContain(path);
  });
});
