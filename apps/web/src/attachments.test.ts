import { describe, expect, it } from 'vitest';
import {
  admitFiles,
  bytesToBase64,
  formatBytes,
  imageName,
  imagePlaceholder,
  imageProblem,
  MAX_IMAGE_BYTES,
  MAX_IMAGES_PER_MESSAGE,
  MAX_MESSAGE_IMAGE_BYTES,
  sniffImageType,
  thumbnailSize,
} from './attachments.js';

const heads = {
  png: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13],
  jpeg: [0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46],
  gif: [...'GIF89a'].map((character) => character.charCodeAt(0)),
  webp: [...'RIFF']
    .map((c) => c.charCodeAt(0))
    .concat(
      [0x24, 0, 0, 0],
      [...'WEBP'].map((c) => c.charCodeAt(0)),
    ),
  // RIFF, but a WAV file.
  wav: [...'RIFF']
    .map((c) => c.charCodeAt(0))
    .concat(
      [0x24, 0, 0, 0],
      [...'WAVE'].map((c) => c.charCodeAt(0)),
    ),
  pdf: [...'%PDF-1.7'].map((character) => character.charCodeAt(0)),
};

const file = (name: string, size: number, type = 'image/png') => ({ name, size, type });

describe('sniffImageType', () => {
  it('reads the four image signatures and nothing else', () => {
    expect(sniffImageType(new Uint8Array(heads.png))).toBe('image/png');
    expect(sniffImageType(new Uint8Array(heads.jpeg))).toBe('image/jpeg');
    expect(sniffImageType(new Uint8Array(heads.gif))).toBe('image/gif');
    expect(sniffImageType(new Uint8Array(heads.webp))).toBe('image/webp');
    expect(sniffImageType(new Uint8Array(heads.wav))).toBeUndefined();
    expect(sniffImageType(new Uint8Array(heads.pdf))).toBeUndefined();
    expect(sniffImageType(new Uint8Array(heads.png.slice(0, 4)))).toBeUndefined();
    expect(sniffImageType(new Uint8Array())).toBeUndefined();
  });

  it('names a file whose bytes are no image', () => {
    expect(imageProblem('cat.png', new Uint8Array(heads.pdf))).toBe('cat.png is not a PNG, JPEG, GIF or WebP image.');
    expect(imageProblem('cat.png', new Uint8Array(heads.png))).toBeUndefined();
  });
});

describe('admitFiles', () => {
  it('admits images within the limits, in order', () => {
    const files = [file('a.png', 10), file('b.jpg', 20, 'image/jpeg'), file('c.webp', 30, 'image/webp')];
    expect(admitFiles(files, { count: 0, bytes: 0 })).toEqual({ admitted: files, problems: [] });
  });

  it('refuses a non-image type, an empty file and one over 10 MiB, and says why; the rest still go in', () => {
    const { admitted, problems } = admitFiles(
      [
        file('notes.pdf', 100, 'application/pdf'),
        file('empty.png', 0),
        file('huge.png', MAX_IMAGE_BYTES + 1),
        file('exact.png', MAX_IMAGE_BYTES),
      ],
      { count: 0, bytes: 0 },
    );
    expect(admitted.map((entry) => entry.name)).toEqual(['exact.png']);
    expect(problems).toEqual([
      'notes.pdf is not an image the models take (PNG, JPEG, GIF or WebP).',
      'empty.png is empty.',
      'huge.png is 10.1 MiB; an image can be at most 10 MiB.',
    ]);
  });

  it('admits a file without a type (its bytes decide) and takes the type case-insensitively', () => {
    const files = [file('clipboard', 5, ''), file('SHOUT.PNG', 5, 'IMAGE/PNG')];
    expect(admitFiles(files, { count: 0, bytes: 0 }).admitted).toEqual(files);
  });

  it('stops at 19 images per message, counting those already waiting, and names the ones left out', () => {
    const files = Array.from({ length: 5 }, (_, index) => file(`dot-${index + 1}.png`, 1));
    const { admitted, problems } = admitFiles(files, { count: MAX_IMAGES_PER_MESSAGE - 2, bytes: 0 });
    expect(admitted.map((entry) => entry.name)).toEqual(['dot-1.png', 'dot-2.png']);
    expect(problems).toEqual(['At most 19 images per message; not attached: dot-3.png, dot-4.png, dot-5.png.']);
  });

  it('keeps the images of one message within 14 MiB together, so the request fits the agent body limit', () => {
    const nine = 9 * 1024 * 1024;
    const { admitted, problems } = admitFiles([file('one.png', nine), file('two.png', nine), file('small.png', 10)], {
      count: 0,
      bytes: 0,
    });
    expect(admitted.map((entry) => entry.name)).toEqual(['one.png', 'small.png']);
    expect(problems).toEqual(['two.png was not attached: the images of one message can be at most 14 MiB together.']);
    // Base64 of the most one message may carry, plus room for text, is under the agent's 20 MiB body.
    expect((MAX_MESSAGE_IMAGE_BYTES * 4) / 3).toBeLessThan(19 * 1024 * 1024);
  });
});

describe('formatting and names', () => {
  it('formats sizes rounded up to a tenth, so a size over a limit never reads as the limit', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(2048)).toBe('2 KiB');
    expect(formatBytes(12_700)).toBe('12.5 KiB');
    expect(formatBytes(MAX_IMAGE_BYTES)).toBe('10 MiB');
    expect(formatBytes(MAX_IMAGE_BYTES + 1)).toBe('10.1 MiB');
  });

  it('keeps a file name, and names a nameless paste by its type', () => {
    expect(imageName(' cat.png ', 'image/png', 1)).toBe('cat.png');
    expect(imageName('', 'image/jpeg', 3)).toBe('pasted-image-3.jpg');
    expect(imagePlaceholder('cat.png')).toBe('[image: cat.png]');
  });

  it('fits a preview in a square without enlarging it', () => {
    expect(thumbnailSize(1024, 512, 256)).toEqual({ width: 256, height: 128 });
    expect(thumbnailSize(300, 3000, 256)).toEqual({ width: 26, height: 256 });
    expect(thumbnailSize(40, 30, 256)).toEqual({ width: 40, height: 30 });
    expect(thumbnailSize(5000, 1, 256)).toEqual({ width: 256, height: 1 });
  });
});

describe('bytesToBase64', () => {
  it('is standard padded base64, also past the slice size (no stack overflow on a large image)', () => {
    expect(bytesToBase64(new Uint8Array([104, 105]))).toBe('aGk=');
    expect(bytesToBase64(new Uint8Array())).toBe('');
    const large = new Uint8Array(3 * 1024 * 1024 + 1).map((_, index) => (index * 31) % 256);
    expect(bytesToBase64(large)).toBe(Buffer.from(large).toString('base64'));
  });
});
