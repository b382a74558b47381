import type { ContentPart } from '@rxllm/core';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../http/errors.js';
import { chatBodyParser } from './chat-request.js';
import { checkContentParts } from './content-parts.js';

const limits = { maxContentParts: 3, maxAttachmentBytes: 64 };
const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]).toString(
  'base64',
);
const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46]).toString('base64');
const pdf = Buffer.from('%PDF-1.7\n%âãÏÓ\n').toString('base64');
const image = (data: string, mediaType: string): ContentPart => ({
  type: 'image',
  source: { type: 'base64', data, mediaType },
});

function problem(parts: ContentPart[]): string {
  try {
    checkContentParts(parts, 'messages.0.content', limits);
    return 'accepted';
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(400);
    return (error as Error).message;
  }
}

describe('checkContentParts', () => {
  it('accepts images and files whose bytes are what they say, and https URLs', () => {
    expect(
      problem([
        { type: 'text', text: 'What is in these?' },
        image(png, 'image/png'),
        { type: 'file', source: { type: 'base64', data: pdf, mediaType: 'application/pdf' }, filename: 'a.pdf' },
      ]),
    ).toBe('accepted');
    expect(problem([{ type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } }])).toBe('accepted');
    expect(
      problem([
        {
          type: 'file',
          source: { type: 'base64', data: Buffer.from('notes').toString('base64'), mediaType: 'text/plain' },
        },
      ]),
    ).toBe('accepted');
  });

  it('refuses a media type that does not match the bytes, naming the field and never quoting the data', () => {
    const message = problem([{ type: 'text', text: 'x' }, image(png, 'image/jpeg')]);
    expect(message).toBe('messages.0.content.1.source.mediaType: says image/jpeg but the bytes are image/png');
    expect(message).not.toContain(png.slice(0, 8));
    expect(problem([image(Buffer.from('plain text').toString('base64'), 'image/png')])).toContain(
      'says image/png but the bytes are none of the known',
    );
    expect(problem([{ type: 'file', source: { type: 'base64', data: jpeg, mediaType: 'text/plain' } }])).toContain(
      'says text/plain but the bytes are image/jpeg',
    );
  });

  it('refuses oversized and undecodable data, unknown image types, non-https URLs and too many parts', () => {
    const big = Buffer.concat([Buffer.from(png, 'base64'), Buffer.alloc(64)]).toString('base64');
    expect(problem([image(big, 'image/png')])).toBe(
      'messages.0.content.0.source.data: is 80 bytes; at most 64 bytes per image',
    );
    expect(problem([image('not base64!', 'image/png')])).toContain('source.data: is not base64');
    expect(problem([image(`data:image/png;base64,${png}`, 'image/png')])).toContain('source.data: is not base64');
    expect(problem([image(png, 'image/tiff')])).toContain('source.mediaType: must be one of image/png, image/jpeg');
    expect(problem([{ type: 'file', source: { type: 'base64', data: png, mediaType: 'application/zip' } }])).toContain(
      'must be application/pdf or a text/* type',
    );
    expect(problem([{ type: 'image', source: { type: 'url', url: 'http://example.com/a.png' } }])).toContain(
      'source.url: must be an https: URL',
    );
    expect(problem([{ type: 'image', source: { type: 'url', url: 'file:///etc/passwd' } }])).toContain('https:');
    expect(problem([{ type: 'image', source: { type: 'url', url: 'not a url' } }])).toContain(
      'source.url: is not a URL',
    );
    const text: ContentPart = { type: 'text', text: 'x' };
    expect(problem([text, text, text, text])).toBe('messages.0.content: must hold at most 3 parts');
  });
});

describe('/chat bodies with parts', () => {
  const parse = chatBodyParser({ maxMessageChars: 10, maxMessages: 5, ...limits });
  const reject = (body: unknown) => {
    try {
      parse(body);
      return 'accepted';
    } catch (error) {
      return (error as Error).message;
    }
  };

  it('takes parts in user messages and a responseFormat, as the core request shapes them', () => {
    const body = parse({
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What?' }, image(png, 'image/png')] }],
      responseFormat: { type: 'json', schema: { type: 'object', properties: { name: { type: 'string' } } } },
    });
    expect(body.messages[0]?.content).toEqual([{ type: 'text', text: 'What?' }, image(png, 'image/png')]);
    expect(body.responseFormat).toEqual({
      type: 'json',
      schema: { type: 'object', properties: { name: { type: 'string' } } },
    });
    expect(parse({ messages: [{ role: 'user', content: [image(png, 'image/png')] }] }).messages).toHaveLength(1);
  });

  it('refuses unknown part types, parts outside user messages, long part text, bad schemas', () => {
    expect(reject({ messages: [{ role: 'user', content: [{ type: 'audio', data: 'x' }] }] })).toContain(
      'messages.0.content',
    );
    expect(reject({ messages: [{ role: 'user', content: [{ type: 'image', url: 'https://x/a.png' }] }] })).toContain(
      'messages.0.content.0.source',
    );
    expect(
      reject({
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: [{ type: 'text', text: 'x' }] },
        ],
      }),
    ).toBe('messages.1.content: must be a string in a assistant message (parts: user only)');
    expect(reject({ messages: [{ role: 'user', content: [{ type: 'text', text: 'x'.repeat(11) }] }] })).toBe(
      'messages.0.content: must be at most 10 characters',
    );
    expect(reject({ messages: [{ role: 'user', content: [] }] })).toContain('need at least one non-empty');
    expect(reject({ message: 'Hi', responseFormat: { type: 'json', schema: { type: 'integr' } } })).toContain(
      'responseFormat.schema: is not a valid JSON Schema',
    );
    expect(reject({ message: 'Hi', responseFormat: { type: 'xml' } })).toContain('responseFormat.type');
  });
});
