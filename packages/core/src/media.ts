import type { MediaSource } from './request.js';

/** The image types every provider takes (and {@link sniffMediaType} knows): what the agent, its page and its CLI accept. */
export const IMAGE_MEDIA_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;

/** One of {@link IMAGE_MEDIA_TYPES}. */
export type ImageMediaType = (typeof IMAGE_MEDIA_TYPES)[number];

/**
 * True for one of {@link IMAGE_MEDIA_TYPES}.
 *
 * @example
 * ```ts
 * isImageMediaType('image/webp'); // true
 * isImageMediaType('image/tiff'); // false
 * ```
 */
export function isImageMediaType(value: unknown): value is ImageMediaType {
  return (IMAGE_MEDIA_TYPES as readonly unknown[]).includes(value);
}

const signatures: ReadonlyArray<{
  mediaType: string;
  bytes: readonly number[];
  offset?: number;
  also?: readonly number[];
}> = [
  { mediaType: 'image/png', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { mediaType: 'image/jpeg', bytes: [0xff, 0xd8, 0xff] },
  { mediaType: 'image/gif', bytes: [0x47, 0x49, 0x46, 0x38] },
  // RIFF....WEBP
  { mediaType: 'image/webp', bytes: [0x52, 0x49, 0x46, 0x46], also: [0x57, 0x45, 0x42, 0x50] },
  { mediaType: 'application/pdf', bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] },
];

function startsWith(binary: string, expected: readonly number[], offset = 0): boolean {
  return expected.every((byte, index) => binary.charCodeAt(offset + index) === byte);
}

/**
 * The media type the first bytes of a base64 payload show (PNG, JPEG, GIF, WebP, PDF), or `undefined` when they match
 * none of them. Decodes only the first 16 bytes.
 *
 * @example
 * ```ts
 * sniffMediaType('iVBORw0KGgo='); // 'image/png'
 * ```
 */
export function sniffMediaType(base64: string): string | undefined {
  let head: string;
  try {
    head = atob(base64.slice(0, 24)); // runs in browsers too, unlike Buffer
  } catch {
    return undefined;
  }
  for (const signature of signatures) {
    if (!startsWith(head, signature.bytes)) continue;
    if (signature.also && !startsWith(head, signature.also, 8)) continue;
    return signature.mediaType;
  }
  return undefined;
}

/**
 * The number of bytes a base64 string decodes to, without decoding it.
 *
 * @example
 * ```ts
 * base64ByteLength('aGk='); // 2
 * ```
 */
export function base64ByteLength(base64: string): number {
  const trimmed = base64.replace(/\s+/g, '');
  const padding = trimmed.endsWith('==') ? 2 : trimmed.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((trimmed.length * 3) / 4) - padding);
}

const base64Pattern = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * True for a string of the standard base64 alphabet with correct padding (whitespace not allowed).
 *
 * @example
 * ```ts
 * isBase64('aGk='); // true
 * isBase64('data:image/png;base64,aGk='); // false
 * ```
 */
export function isBase64(text: string): boolean {
  return text.length % 4 === 0 && base64Pattern.test(text);
}

const dataUrlPattern = /^data:([\w.+-]+\/[\w.+-]+)(?:;[\w-]+=[^;,]*)*;base64,(.*)$/s;

/**
 * Reads a `data:<media type>;base64,<data>` URL, or `undefined` for anything else (another scheme, no `;base64`).
 *
 * @example
 * ```ts
 * parseDataUrl('data:image/png;base64,iVBORw0KGgo='); // { mediaType: 'image/png', data: 'iVBORw0KGgo=' }
 * ```
 */
export function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  const match = dataUrlPattern.exec(url);
  if (!match) return undefined;
  return { mediaType: (match[1] as string).toLowerCase(), data: match[2] as string };
}

/**
 * A media source with a `data:` URL turned into its base64 form; any other source as it is. Providers call this so
 * that a data URL reaches vendors that only take inline bytes as bytes.
 *
 * @example
 * ```ts
 * inlineDataUrl({ type: 'url', url: 'data:image/png;base64,iVBORw0KGgo=' }); // { type: 'base64', data: 'iVBORw0KGgo=', mediaType: 'image/png' }
 * ```
 */
export function inlineDataUrl(source: MediaSource): MediaSource {
  if (source.type !== 'url') return source;
  const inline = parseDataUrl(source.url);
  return inline ? { type: 'base64', ...inline } : source;
}
