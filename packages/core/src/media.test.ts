import { describe, expect, it } from 'vitest';
import {
  base64ByteLength,
  IMAGE_MEDIA_TYPES,
  inlineDataUrl,
  isBase64,
  isImageMediaType,
  parseDataUrl,
  sniffMediaType,
} from './media.js';

const b64 = (bytes: number[]) => Buffer.from(bytes).toString('base64');

describe('media helpers', () => {
  it('sniffMediaType knows PNG, JPEG, GIF, WebP and PDF by their first bytes, and nothing else', () => {
    expect(sniffMediaType(b64([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]))).toBe('image/png');
    expect(sniffMediaType(b64([0xff, 0xd8, 0xff, 0xe0, 0, 16]))).toBe('image/jpeg');
    expect(sniffMediaType(Buffer.from('GIF89a....').toString('base64'))).toBe('image/gif');
    expect(sniffMediaType(Buffer.from('RIFF\u0000\u0000\u0000\u0000WEBPVP8 ').toString('base64'))).toBe('image/webp');
    expect(sniffMediaType(Buffer.from('RIFF\u0000\u0000\u0000\u0000WAVEfmt ').toString('base64'))).toBeUndefined();
    expect(sniffMediaType(Buffer.from('%PDF-1.7\n').toString('base64'))).toBe('application/pdf');
    expect(sniffMediaType(Buffer.from('hello world').toString('base64'))).toBeUndefined();
    expect(sniffMediaType('%%%not base64')).toBeUndefined();
    expect(sniffMediaType('')).toBeUndefined();
  });

  it('isImageMediaType knows the four image types every vendor takes, which sniffMediaType also recognises', () => {
    expect(IMAGE_MEDIA_TYPES).toEqual(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
    for (const type of IMAGE_MEDIA_TYPES) expect(isImageMediaType(type)).toBe(true);
    for (const other of ['image/tiff', 'application/pdf', 'IMAGE/PNG', undefined, 7])
      expect(isImageMediaType(other)).toBe(false);
  });

  it('base64ByteLength matches the decoded length, padding or not', () => {
    for (const length of [0, 1, 2, 3, 4, 5, 100, 1001]) {
      expect(base64ByteLength(Buffer.alloc(length, 7).toString('base64'))).toBe(length);
    }
  });

  it('isBase64 accepts the standard alphabet with padding only', () => {
    expect(isBase64(b64([1, 2, 3, 4]))).toBe(true);
    expect(isBase64('aGk')).toBe(false);
    expect(isBase64('aG k=')).toBe(false);
    expect(isBase64('aGk-')).toBe(false);
  });

  it('parseDataUrl reads base64 data URLs (with parameters) and refuses others', () => {
    expect(parseDataUrl('data:image/PNG;base64,aGk=')).toEqual({ mediaType: 'image/png', data: 'aGk=' });
    expect(parseDataUrl('data:application/pdf;name=a.pdf;base64,aGk=')).toEqual({
      mediaType: 'application/pdf',
      data: 'aGk=',
    });
    expect(parseDataUrl('data:text/plain,hello')).toBeUndefined();
    expect(parseDataUrl('https://example.com/a.png')).toBeUndefined();
  });

  it('inlineDataUrl turns a data URL source into base64 and keeps other sources', () => {
    expect(inlineDataUrl({ type: 'url', url: 'data:image/png;base64,aGk=' })).toEqual({
      type: 'base64',
      data: 'aGk=',
      mediaType: 'image/png',
    });
    const https = { type: 'url' as const, url: 'https://example.com/a.png' };
    expect(inlineDataUrl(https)).toBe(https);
  });
});
