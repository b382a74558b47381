import {
  base64ByteLength,
  type ContentPart,
  IMAGE_MEDIA_TYPES,
  isBase64,
  isImageMediaType,
  type MediaSource,
  sniffMediaType,
} from '@rxllm/core';
import { z } from 'zod';
import { HttpError } from '../http/errors.js';

/** Caps on the images and files of one request. */
export interface PartLimits {
  /** Parts (text, images, files) in one message. */
  maxContentParts: number;
  /** Decoded bytes of one inline image or file. */
  maxAttachmentBytes: number;
}

const MAX_URL_CHARS = 8_192;

const mediaSourceSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('url'),
      url: z
        .string({ error: 'must be a string' })
        .max(MAX_URL_CHARS, { error: `must be at most ${MAX_URL_CHARS} characters` }),
      mediaType: z.string({ error: 'must be a string' }).optional(),
    }),
    z.strictObject({
      type: z.literal('base64'),
      data: z.string({ error: 'must be a base64 string' }),
      mediaType: z.string({ error: 'must be a media type such as image/png' }),
    }),
  ],
  { error: 'must be {type:"url", url} or {type:"base64", data, mediaType}' },
);

/**
 * A prompt-cache breakpoint as every route takes it: the core's `cacheControl`, Anthropic's `cache_control` (the
 * same shape: `{type: "ephemeral", ttl?: "5m" | "1h"}`).
 */
export const cacheControlSchema = z.strictObject(
  {
    type: z.literal('ephemeral', { error: 'must be "ephemeral"' }),
    ttl: z.enum(['5m', '1h'], { error: 'must be 5m or 1h' }).optional(),
  },
  { error: 'must be {type: "ephemeral", ttl?: "5m" | "1h"}' },
);

/** The zod schema of one part of a `/chat` (or WebSocket) message, in the core's own shape. */
export const contentPartSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('text'),
      text: z.string({ error: 'must be a string' }),
      cacheControl: cacheControlSchema.optional(),
    }),
    z.strictObject({
      type: z.literal('image'),
      source: mediaSourceSchema,
      detail: z.enum(['auto', 'low', 'high'], { error: 'must be auto, low or high' }).optional(),
      cacheControl: cacheControlSchema.optional(),
    }),
    z.strictObject({
      type: z.literal('file'),
      source: mediaSourceSchema,
      filename: z
        .string({ error: 'must be a string' })
        .max(255, { error: 'must be at most 255 characters' })
        .optional(),
      cacheControl: cacheControlSchema.optional(),
    }),
  ],
  { error: 'must be a part {type: "text" | "image" | "file", …}' },
);

function fail(path: string, message: string): never {
  throw new HttpError({ kind: 'invalid-request', message: `${path}: ${message}`, param: path.split('.')[0] });
}

function isAllowedFileType(mediaType: string): boolean {
  return mediaType === 'application/pdf' || /^text\/[\w.+-]+$/.test(mediaType);
}

function checkUrl(source: Extract<MediaSource, { type: 'url' }>, path: string): void {
  let url: URL;
  try {
    url = new URL(source.url);
  } catch {
    fail(`${path}.url`, 'is not a URL');
  }
  if (url.protocol !== 'https:') fail(`${path}.url`, 'must be an https: URL or inline base64 data');
}

function checkBase64(
  part: ContentPart & { source: Extract<MediaSource, { type: 'base64' }> },
  path: string,
  limits: PartLimits,
): void {
  const { data, mediaType } = part.source;
  const declared = mediaType.toLowerCase();
  if (!isBase64(data)) fail(`${path}.data`, 'is not base64 (the standard alphabet, padded, no data: prefix)');
  const bytes = base64ByteLength(data);
  if (bytes === 0) fail(`${path}.data`, 'is empty');
  if (bytes > limits.maxAttachmentBytes) {
    fail(`${path}.data`, `is ${bytes} bytes; at most ${limits.maxAttachmentBytes} bytes per ${part.type}`);
  }
  if (part.type === 'image' && !isImageMediaType(declared)) {
    fail(`${path}.mediaType`, `must be one of ${IMAGE_MEDIA_TYPES.join(', ')}`);
  }
  if (part.type === 'file' && !isAllowedFileType(declared)) {
    fail(`${path}.mediaType`, 'must be application/pdf or a text/* type');
  }
  // Text has no signature to check; it must just not be one of the binary types we know.
  const shown = sniffMediaType(data);
  const expected = declared.startsWith('text/') ? undefined : declared;
  if (shown !== expected) {
    fail(`${path}.mediaType`, `says ${declared} but the bytes are ${shown ?? 'none of the known image or PDF types'}`);
  }
}

/**
 * Checks the images and files of a message against the caps and their own claims: at most `maxContentParts`
 * parts, https URLs only, base64 that decodes, at most `maxAttachmentBytes` each, a known media type that the bytes
 * really are (a PNG said to be a JPEG is refused). Throws a 400 naming the field, e.g.
 * `messages.0.content.1.source.mediaType: says image/jpeg but the bytes are image/png`. Never quotes the bytes.
 *
 * @example
 * ```ts
 * checkContentParts(message.content, `messages.${index}.content`, { maxContentParts: 20, maxAttachmentBytes: 10_485_760 });
 * ```
 */
export function checkContentParts(parts: readonly ContentPart[], path: string, limits: PartLimits): void {
  if (parts.length > limits.maxContentParts) fail(path, `must hold at most ${limits.maxContentParts} parts`);
  parts.forEach((part, index) => {
    if (part.type === 'text') return;
    const at = `${path}.${index}.source`;
    if (part.source.type === 'url') checkUrl(part.source, at);
    else checkBase64(part as ContentPart & { source: Extract<MediaSource, { type: 'base64' }> }, at, limits);
  });
}
