import { readFile, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { type ContentPart, isImageMediaType, sniffMediaType } from '@rxllm/core';
import { UsageError } from './arguments.js';

/**
 * The agent's default caps (`MAX_ATTACHMENT_BYTES`, `MAX_CONTENT_PARTS`, the prompt's text counting as a part),
 * checked by the client too so that a file the agent would refuse is refused before it is uploaded.
 *
 * @example
 * ```ts
 * if (size > ATTACHMENT_LIMITS.maxBytes) console.error('too big for the agent');
 * ```
 */
export const ATTACHMENT_LIMITS = { maxBytes: 10 * 1024 * 1024, maxParts: 20 } as const;

/** A text file's media type by its extension; anything else that is text goes as `text/plain`. */
const textMediaTypes: Readonly<Record<string, string>> = {
  '.md': 'text/markdown',
  '.markdown': 'text/markdown',
  '.csv': 'text/csv',
  '.tsv': 'text/tab-separated-values',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.xml': 'text/xml',
};

/** What the command line asks to attach, in order: `--image` paths or https URLs, `--file` paths. */
export interface AttachmentRequest {
  images: readonly string[];
  files: readonly string[];
}

const isUrl = (value: string) => /^[a-z][a-z\d+.-]*:\/\//i.test(value);

/** Text is what decodes as UTF-8 and has no NUL byte (which no text file has and most binary formats do). */
function isText(bytes: Buffer): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

async function readLocal(flag: string, path: string): Promise<Buffer> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new UsageError(`${flag} ${path}: not a file`);
    size = info.size;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`${flag} ${path}: ${code === 'ENOENT' ? 'no such file' : `cannot read it (${code})`}`);
  }
  if (size > ATTACHMENT_LIMITS.maxBytes) {
    throw new UsageError(`${flag} ${path}: ${size} bytes, over the agent's limit of 10 MiB per attachment`);
  }
  if (size === 0) throw new UsageError(`${flag} ${path}: the file is empty`);
  try {
    return await readFile(path);
  } catch (error) {
    throw new UsageError(`${flag} ${path}: cannot read it (${(error as NodeJS.ErrnoException).code})`);
  }
}

async function imagePart(spec: string): Promise<ContentPart> {
  if (isUrl(spec)) {
    if (!spec.toLowerCase().startsWith('https://')) {
      throw new UsageError(`--image ${spec}: only https URLs (the agent refuses others); or give a local path`);
    }
    return { type: 'image', source: { type: 'url', url: spec } };
  }
  const data = (await readLocal('--image', spec)).toString('base64');
  const mediaType = sniffMediaType(data);
  if (mediaType === undefined || !isImageMediaType(mediaType)) {
    const hint = mediaType === 'application/pdf' ? ': it is a PDF, attach it with --file' : '';
    throw new UsageError(`--image ${spec}: not a PNG, JPEG, GIF or WebP image${hint}`);
  }
  return { type: 'image', source: { type: 'base64', data, mediaType } };
}

async function filePart(path: string): Promise<ContentPart> {
  const bytes = await readLocal('--file', path);
  const data = bytes.toString('base64');
  const sniffed = sniffMediaType(data);
  if (sniffed !== undefined && isImageMediaType(sniffed)) {
    throw new UsageError(`--file ${path}: it is an image (${sniffed}), attach it with --image`);
  }
  const mediaType =
    sniffed ?? (isText(bytes) ? (textMediaTypes[extname(path).toLowerCase()] ?? 'text/plain') : undefined);
  if (mediaType === undefined) throw new UsageError(`--file ${path}: not a PDF or a UTF-8 text file`);
  return { type: 'file', source: { type: 'base64', data, mediaType }, filename: basename(path) };
}

/**
 * Reads the `--image` and `--file` attachments into the agent's content parts (images first, then files, each in
 * command-line order), with the media type taken from the bytes, never from the name: PNG, JPEG, GIF, WebP for
 * images (or an `https:` URL, sent as is), PDF or UTF-8 text for files. Throws a {@link UsageError} for a missing or
 * empty file, an unknown type, a file over 10 MiB, or more than 20 parts with the prompt, before any request.
 *
 * @example
 * ```ts
 * const parts = await readAttachments({ images: ['cat.png'], files: ['notes.md'] });
 * // [{ type: 'image', source: { type: 'base64', data: 'iVBORw0…', mediaType: 'image/png' } },
 * //  { type: 'file', source: { type: 'base64', data: '…', mediaType: 'text/markdown' }, filename: 'notes.md' }]
 * ```
 */
export async function readAttachments(request: AttachmentRequest): Promise<ContentPart[]> {
  const count = request.images.length + request.files.length;
  // The prompt's text is a part too.
  if (count + 1 > ATTACHMENT_LIMITS.maxParts) {
    throw new UsageError(`${count} attachments: the agent takes at most ${ATTACHMENT_LIMITS.maxParts - 1} per message`);
  }
  const parts: ContentPart[] = [];
  for (const image of request.images) parts.push(await imagePart(image));
  for (const file of request.files) parts.push(await filePart(file));
  return parts;
}

/**
 * Reads a `--json-schema` file: JSON whose top level is an object (a JSON Schema). Throws a {@link UsageError} for
 * a missing file, invalid JSON or anything but an object; whether it is a schema the agent can use, the agent says.
 *
 * @example
 * ```ts
 * const schema = await readJsonSchema('person.schema.json'); // { type: 'object', properties: { … } }
 * ```
 */
export async function readJsonSchema(path: string): Promise<Record<string, unknown>> {
  const text = (await readLocal('--json-schema', path)).toString('utf8');
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--json-schema ${path}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new UsageError(`--json-schema ${path}: a JSON Schema must be a JSON object, such as {"type":"object"}`);
  }
  return schema as Record<string, unknown>;
}
