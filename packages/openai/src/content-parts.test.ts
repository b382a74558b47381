import { type ContentPart, LLMError } from '@rxllm/core';
import { describe, expect, it } from 'vitest';
import { type PartContext, toOpenAIUserContent } from './content-parts.js';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const PDF = 'JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PD4+CmVuZG9iagp0cmFpbGVyCjw8Pj4KJSVFT0YK';
const openai: PartContext = { provider: 'openai', support: {} };
const ollama: PartContext = {
  provider: 'ollama',
  support: { imageUrls: false, files: false, imageMediaTypes: ['image/jpeg', 'image/png', 'image/webp'] },
};

/** The error `toOpenAIUserContent` throws for these parts (fails the test if it throws none). */
function errorFor(parts: ContentPart[], context: PartContext = openai): LLMError {
  try {
    toOpenAIUserContent(parts, context);
  } catch (error) {
    if (LLMError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected an LLMError');
}

describe('toOpenAIUserContent', () => {
  it('keeps a string a string, and makes an empty part list an empty string', () => {
    expect(toOpenAIUserContent('Hi', openai)).toBe('Hi');
    expect(toOpenAIUserContent([], openai)).toBe('');
  });

  it('maps text, a base64 image with detail, an https image and a PDF, in order', () => {
    const parts: ContentPart[] = [
      { type: 'text', text: 'Compare these.' },
      { type: 'image', source: { type: 'base64', data: PNG, mediaType: 'image/png' }, detail: 'high' },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
      { type: 'file', source: { type: 'base64', data: PDF, mediaType: 'application/pdf' }, filename: 'report.pdf' },
    ];
    expect(toOpenAIUserContent(parts, openai)).toEqual([
      { type: 'text', text: 'Compare these.' },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}`, detail: 'high' } },
      { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
      { type: 'file', file: { file_data: `data:application/pdf;base64,${PDF}`, filename: 'report.pdf' } },
    ]);
  });

  it('sends a data URL as base64 and names a file that has no name', () => {
    const parts: ContentPart[] = [
      { type: 'image', source: { type: 'url', url: `data:image/PNG;base64,${PNG}` } },
      { type: 'file', source: { type: 'url', url: `data:application/pdf;base64,${PDF}` } },
    ];
    expect(toOpenAIUserContent(parts, openai)).toEqual([
      { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
      { type: 'file', file: { file_data: `data:application/pdf;base64,${PDF}`, filename: 'file-2.pdf' } },
    ]);
  });

  it('sniffs a missing media type from the bytes', () => {
    const parts = [{ type: 'image', source: { type: 'base64', data: PNG, mediaType: '' } }] as ContentPart[];
    expect(toOpenAIUserContent(parts, openai)).toEqual([
      { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
    ]);
  });

  it('refuses a file by URL as invalid-request, naming the part but never the URL', () => {
    const error = errorFor([
      { type: 'file', source: { type: 'url', url: 'https://example.com/secret-token/doc.pdf' }, filename: 'doc.pdf' },
    ]);
    expect(error).toMatchObject({ kind: 'invalid-request', provider: 'openai', retryable: false });
    expect(error.message).toBe(
      'openai cannot take a file part (url): Chat Completions takes files inline (base64) or by file_id, not by URL',
    );
    expect(error.message).not.toContain('secret-token');
  });

  it('refuses bad inline data and non-http image URLs without quoting the data', () => {
    const notBase64 = errorFor([
      { type: 'image', source: { type: 'base64', data: `data:image/png;base64,${PNG}`, mediaType: 'image/png' } },
    ]);
    expect(notBase64.message).toMatch(
      /^openai cannot take an image part \(base64, image\/png\): the data is not base64/,
    );
    expect(notBase64.message).not.toContain(PNG);
    const pdfAsImage = errorFor([
      { type: 'image', source: { type: 'base64', data: PDF, mediaType: 'application/pdf' } },
    ]);
    expect(pdfAsImage.message).toContain('an inline image must be an image/* media type');
    const fileUrl = errorFor([{ type: 'image', source: { type: 'url', url: 'file:///etc/passwd' } }]);
    expect(fileUrl.message).toBe(
      'openai cannot take an image part (url): an image URL must be http(s) or a base64 `data:` URL',
    );
    const unknownType = errorFor([{ type: 'unknown-media' } as unknown as ContentPart]);
    expect(unknownType.message).toBe('openai cannot take a content part "unknown-media"');
    const noMediaType = errorFor([{ type: 'file', source: { type: 'base64', data: 'aGVsbG8=', mediaType: '' } }]);
    expect(noMediaType.message).toBe('openai cannot take a file part (base64): a file needs a media type');
  });

  it("refuses what Ollama's endpoint cannot decode: image URLs, files, GIFs", () => {
    expect(
      errorFor([{ type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } }], ollama),
    ).toMatchObject({
      kind: 'invalid-request',
      provider: 'ollama',
      message: 'ollama cannot take an image part (url): ollama takes images inline (base64) only, not by URL',
    });
    expect(
      errorFor([{ type: 'file', source: { type: 'base64', data: PDF, mediaType: 'application/pdf' } }], ollama).message,
    ).toBe('ollama cannot take a file part (base64, application/pdf): ollama takes no file parts');
    expect(
      errorFor(
        [{ type: 'image', source: { type: 'base64', data: 'R0lGODlhAQABAAAAACw=', mediaType: 'image/gif' } }],
        ollama,
      ).message,
    ).toBe(
      'ollama cannot take an image part (base64, image/gif): an inline image must be image/jpeg, image/png, image/webp',
    );
    expect(
      toOpenAIUserContent([{ type: 'image', source: { type: 'base64', data: PNG, mediaType: 'image/png' } }], ollama),
    ).toEqual([{ type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }]);
  });
});
