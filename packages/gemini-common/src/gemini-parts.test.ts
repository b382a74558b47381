import { type ContentPart, LLMError } from '@rxllm/core';
import { describe, expect, it } from 'vitest';
import { toGeminiContents } from './gemini-contents.js';
import { toGeminiPart } from './gemini-parts.js';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const PDF = 'JVBERi0xLjQKJcTl8uXrp/Og0MTGCg==';

function refusal(part: ContentPart): LLMError {
  try {
    toGeminiPart('gemini', part);
  } catch (error) {
    if (error instanceof LLMError) return error;
    throw error;
  }
  throw new Error('expected toGeminiPart to throw');
}

describe('toGeminiPart', () => {
  it('maps text to { text }', () => {
    expect(toGeminiPart('gemini', { type: 'text', text: 'What is this?' })).toEqual({ text: 'What is this?' });
  });

  it('maps base64 images and files to inlineData with their media type', () => {
    expect(
      toGeminiPart('gemini', { type: 'image', source: { type: 'base64', data: PNG, mediaType: 'image/png' } }),
    ).toEqual({ inlineData: { mimeType: 'image/png', data: PNG } });
    expect(
      toGeminiPart('gemini', {
        type: 'file',
        filename: 'report.pdf',
        source: { type: 'base64', data: PDF, mediaType: 'application/pdf' },
      }),
    ).toEqual({ inlineData: { mimeType: 'application/pdf', data: PDF } });
  });

  it('sends a base64 data URL as inline bytes, not as a file URI', () => {
    const part: ContentPart = { type: 'image', source: { type: 'url', url: `data:image/png;base64,${PNG}` } };
    expect(toGeminiPart('gemini', part)).toEqual({ inlineData: { mimeType: 'image/png', data: PNG } });
  });

  it('maps a URL with a media type to fileData, leaving detail and filename out', () => {
    expect(
      toGeminiPart('gemini', {
        type: 'image',
        detail: 'high',
        source: { type: 'url', url: 'https://example.com/cat.jpg', mediaType: 'image/jpeg' },
      }),
    ).toEqual({ fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/cat.jpg' } });
    expect(
      toGeminiPart('gemini', {
        type: 'file',
        filename: 'paper.pdf',
        source: { type: 'url', url: 'gs://bucket/paper.pdf', mediaType: 'application/pdf' },
      }),
    ).toEqual({ fileData: { mimeType: 'application/pdf', fileUri: 'gs://bucket/paper.pdf' } });
  });

  it('refuses a URL part without a media type, naming the part and the reason', () => {
    const error = refusal({ type: 'image', source: { type: 'url', url: 'https://example.com/cat' } });
    expect(error.kind).toBe('invalid-request');
    expect(error.provider).toBe('gemini');
    expect(error.message).toContain('image part');
    expect(error.message).toContain('media type');
  });

  it('refuses a data URL that is not base64 without quoting its data', () => {
    const error = refusal({ type: 'file', source: { type: 'url', url: 'data:text/plain,secret-words' } });
    expect(error.kind).toBe('invalid-request');
    expect(error.message).toContain('base64');
    expect(error.message).not.toContain('secret-words');
  });

  it('refuses base64 bytes with an empty media type', () => {
    expect(refusal({ type: 'image', source: { type: 'base64', data: PNG, mediaType: '' } }).kind).toBe(
      'invalid-request',
    );
  });
});

describe('toGeminiContents with content parts', () => {
  it('keeps the parts of a user message in order in one user turn', () => {
    const contents = toGeminiContents('google-genai', [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Compare' },
          { type: 'image', source: { type: 'base64', data: PNG, mediaType: 'image/png' } },
          { type: 'file', source: { type: 'url', url: 'https://example.com/a.pdf', mediaType: 'application/pdf' } },
        ],
      },
    ]);
    expect(contents).toEqual([
      {
        role: 'user',
        parts: [
          { text: 'Compare' },
          { inlineData: { mimeType: 'image/png', data: PNG } },
          { fileData: { mimeType: 'application/pdf', fileUri: 'https://example.com/a.pdf' } },
        ],
      },
    ]);
  });

  it('throws the unsupported part error from inside a conversation', () => {
    expect(() =>
      toGeminiContents('google-genai', [
        { role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'https://example.com/x' } }] },
      ]),
    ).toThrowError(expect.objectContaining({ kind: 'invalid-request', provider: 'google-genai' }));
  });
});
