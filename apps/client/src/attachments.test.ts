import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from './arguments.js';
import { ATTACHMENT_LIMITS, readAttachments, readJsonSchema } from './attachments.js';

const bytes = {
  png: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]),
  jpeg: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46]),
  gif: Buffer.from('GIF89a\u0001\u0000\u0001\u0000', 'latin1'),
  webp: Buffer.from('RIFF\u0024\u0000\u0000\u0000WEBPVP8 ', 'latin1'),
  pdf: Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n', 'latin1'),
  markdown: Buffer.from('# Notes\n\nGrüße, 世界 🎉\n'),
  binary: Buffer.from([0x00, 0x01, 0x02, 0xfe, 0xff, 0x10]),
  latin1: Buffer.from('caf\u00e9 cr\u00e8me', 'latin1'),
};

let dir: string;
const at = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rxllm-attachments-'));
  await writeFile(at('cat.png'), bytes.png);
  // Named like a PNG, but the bytes are a JPEG: the bytes decide.
  await writeFile(at('photo.png'), bytes.jpeg);
  await writeFile(at('anim.gif'), bytes.gif);
  await writeFile(at('pic.webp'), bytes.webp);
  await writeFile(at('paper.pdf'), bytes.pdf);
  await writeFile(at('notes.md'), bytes.markdown);
  await writeFile(at('notes'), bytes.markdown);
  await writeFile(at('blob.bin'), bytes.binary);
  await writeFile(at('old.txt'), bytes.latin1);
  await writeFile(at('empty.txt'), '');
  // Sparse: over the limit without writing 10 MiB.
  await writeFile(at('huge.png'), bytes.png);
  await truncate(at('huge.png'), ATTACHMENT_LIMITS.maxBytes + 1);
  await writeFile(at('schema.json'), JSON.stringify({ type: 'object', properties: { title: { type: 'string' } } }));
  await writeFile(at('broken.json'), '{"type": "object",');
  await writeFile(at('array.json'), '[{"type": "object"}]');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readAttachments', () => {
  it('reads images as base64 with the media type their bytes show, in order', async () => {
    const parts = await readAttachments({
      images: [at('cat.png'), at('photo.png'), at('anim.gif'), at('pic.webp')],
      files: [],
    });
    expect(parts).toEqual([
      { type: 'image', source: { type: 'base64', data: bytes.png.toString('base64'), mediaType: 'image/png' } },
      { type: 'image', source: { type: 'base64', data: bytes.jpeg.toString('base64'), mediaType: 'image/jpeg' } },
      { type: 'image', source: { type: 'base64', data: bytes.gif.toString('base64'), mediaType: 'image/gif' } },
      { type: 'image', source: { type: 'base64', data: bytes.webp.toString('base64'), mediaType: 'image/webp' } },
    ]);
  });

  it('sends an https image URL as a URL source, after nothing is read', async () => {
    const parts = await readAttachments({ images: ['https://example.com/cat.png?size=2'], files: [] });
    expect(parts).toEqual([{ type: 'image', source: { type: 'url', url: 'https://example.com/cat.png?size=2' } }]);
  });

  it('reads PDFs and UTF-8 text files, with their names; images come before files', async () => {
    const parts = await readAttachments({
      images: [at('cat.png')],
      files: [at('paper.pdf'), at('notes.md'), at('notes')],
    });
    expect(parts.map((part) => part.type)).toEqual(['image', 'file', 'file', 'file']);
    expect(parts.slice(1)).toEqual([
      {
        type: 'file',
        source: { type: 'base64', data: bytes.pdf.toString('base64'), mediaType: 'application/pdf' },
        filename: 'paper.pdf',
      },
      {
        type: 'file',
        source: { type: 'base64', data: bytes.markdown.toString('base64'), mediaType: 'text/markdown' },
        filename: 'notes.md',
      },
      {
        type: 'file',
        source: { type: 'base64', data: bytes.markdown.toString('base64'), mediaType: 'text/plain' },
        filename: 'notes',
      },
    ]);
  });

  it.each([
    ['a missing image', 'images', 'missing.png', /--image .*missing\.png: no such file/],
    ['a missing file', 'files', 'missing.pdf', /--file .*missing\.pdf: no such file/],
    ['a directory', 'files', '.', /--file .*: not a file/],
    ['an empty file', 'files', 'empty.txt', /the file is empty/],
    ['an image over 10 MiB', 'images', 'huge.png', /10485761 bytes, over the agent's limit of 10 MiB/],
    ['a file over 10 MiB', 'files', 'huge.png', /over the agent's limit of 10 MiB/],
    ['text as an image', 'images', 'notes.md', /not a PNG, JPEG, GIF or WebP image$/],
    ['a PDF as an image', 'images', 'paper.pdf', /it is a PDF, attach it with --file/],
    ['an image as a file', 'files', 'cat.png', /it is an image \(image\/png\), attach it with --image/],
    ['binary bytes as a file', 'files', 'blob.bin', /not a PDF or a UTF-8 text file/],
    ['Latin-1 text as a file', 'files', 'old.txt', /not a PDF or a UTF-8 text file/],
    ['an http image URL', 'images', 'http://example.com/a.png', /only https URLs/],
  ] as const)('refuses %s with a usage error', async (_name, flag, path, message) => {
    const attempt = readAttachments({ images: [], files: [], [flag]: [path.includes(':') ? path : at(path)] });
    await expect(attempt).rejects.toThrow(UsageError);
    await expect(attempt).rejects.toThrow(message);
  });

  it('refuses more attachments than the agent takes in one message, before reading any', async () => {
    const images = Array.from({ length: ATTACHMENT_LIMITS.maxParts }, () => 'missing.png');
    await expect(readAttachments({ images, files: [] })).rejects.toThrow(
      /20 attachments: the agent takes at most 19 per message/,
    );
    const allowed = Array.from({ length: ATTACHMENT_LIMITS.maxParts - 1 }, () => at('cat.png'));
    await expect(readAttachments({ images: allowed, files: [] })).resolves.toHaveLength(19);
  });
});

describe('readJsonSchema', () => {
  it('reads a JSON object', async () => {
    await expect(readJsonSchema(at('schema.json'))).resolves.toEqual({
      type: 'object',
      properties: { title: { type: 'string' } },
    });
  });

  it.each([
    ['invalid JSON', 'broken.json', /not valid JSON/],
    ['an array', 'array.json', /must be a JSON object/],
    ['a missing file', 'missing.json', /--json-schema .*missing\.json: no such file/],
  ])('refuses %s with a usage error', async (_name, file, message) => {
    const attempt = readJsonSchema(at(file));
    await expect(attempt).rejects.toThrow(UsageError);
    await expect(attempt).rejects.toThrow(message);
  });
});
