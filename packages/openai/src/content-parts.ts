import {
  type ContentPart,
  type FilePart,
  type ImagePart,
  inlineDataUrl,
  isBase64,
  LLMError,
  sniffMediaType,
  unsupportedPartError,
} from '@rxllm/core';
import type { ChatCompletionContentPart } from 'openai/resources/chat/completions';
import type { ResponseInputContent } from 'openai/resources/responses/responses';

/**
 * Which content parts a Chat Completions server takes beyond text and inline (base64) images. OpenAI takes all of
 * them (the default); Ollama's OpenAI-compatible endpoint takes neither image URLs nor files, and only JPEG, PNG and
 * WebP inline. A part the server cannot take fails the stream with an `invalid-request` error before any request.
 *
 * @example
 * ```ts
 * createOpenAI({ baseURL: 'http://llama-box:8080/v1', apiKey, parts: { imageUrls: false, files: false } });
 * ```
 */
export interface OpenAIPartSupport {
  /** Images by `http(s)` URL, which the server downloads itself. Default `true`. */
  imageUrls?: boolean;
  /** `file` parts (a PDF, sent inline as a base64 data URL). Default `true`. */
  files?: boolean;
  /** Media types of inline images the server decodes; default any `image/*`. */
  imageMediaTypes?: readonly string[];
}

/**
 * What {@link toOpenAIUserContent} needs to know: the provider name (for errors) and the server's part support.
 *
 * @example
 * ```ts
 * const context: PartContext = { provider: 'openai', support: {} };
 * ```
 */
export interface PartContext {
  provider: string;
  support: OpenAIPartSupport;
}

const HTTP_URL = /^https?:\/\//i;

/** The base64 bytes of a source with their media type (sniffed when missing), or the URL it names. */
function resolveSource(part: ImagePart | FilePart, context: PartContext) {
  const source = inlineDataUrl(part.source);
  if (source.type === 'url') return source;
  if (!isBase64(source.data)) {
    throw unsupportedPartError(context.provider, part, 'the data is not base64 (no `data:` prefix, no line breaks)');
  }
  return { ...source, mediaType: source.mediaType || sniffMediaType(source.data) || '' };
}

function imageUrlOf(part: ImagePart, context: PartContext): string {
  const { provider, support } = context;
  const source = resolveSource(part, context);
  if (source.type === 'url') {
    if (!HTTP_URL.test(source.url)) {
      throw unsupportedPartError(provider, part, 'an image URL must be http(s) or a base64 `data:` URL');
    }
    if (support.imageUrls === false) {
      throw unsupportedPartError(provider, part, `${provider} takes images inline (base64) only, not by URL`);
    }
    return source.url;
  }
  const allowed = support.imageMediaTypes;
  if (!source.mediaType.startsWith('image/') || (allowed && !allowed.includes(source.mediaType))) {
    const expected = allowed ? allowed.join(', ') : 'an image/* media type';
    throw unsupportedPartError(provider, part, `an inline image must be ${expected}`);
  }
  return `data:${source.mediaType};base64,${source.data}`;
}

/** A name for a file that has none: OpenAI refuses `file_data` without a `filename`. */
function defaultFilename(mediaType: string, position: number): string {
  return mediaType === 'application/pdf' ? `file-${position}.pdf` : `file-${position}`;
}

function filePartOf(part: FilePart, position: number, context: PartContext): ChatCompletionContentPart.File {
  const { provider, support } = context;
  if (support.files === false) throw unsupportedPartError(provider, part, `${provider} takes no file parts`);
  const source = resolveSource(part, context);
  if (source.type === 'url') {
    throw unsupportedPartError(
      provider,
      part,
      'Chat Completions takes files inline (base64) or by file_id, not by URL',
    );
  }
  if (source.mediaType === '') throw unsupportedPartError(provider, part, 'a file needs a media type');
  const filename = part.filename ?? defaultFilename(source.mediaType, position);
  return { type: 'file', file: { file_data: `data:${source.mediaType};base64,${source.data}`, filename } };
}

function unknownPartError(provider: string, part: unknown): LLMError {
  const type = typeof part === 'object' && part !== null ? (part as { type?: unknown }).type : undefined;
  const name = typeof type === 'string' ? JSON.stringify(type.slice(0, 40)) : 'without a type';
  return new LLMError({ kind: 'invalid-request', provider, message: `${provider} cannot take a content part ${name}` });
}

function toOpenAIPart(part: ContentPart, index: number, context: PartContext): ChatCompletionContentPart {
  switch (part.type) {
    case 'text':
      return { type: 'text', text: part.text };
    case 'image': {
      const url = imageUrlOf(part, context);
      return { type: 'image_url', image_url: { url, ...(part.detail === undefined ? {} : { detail: part.detail }) } };
    }
    case 'file':
      return filePartOf(part, index + 1, context);
    default:
      throw unknownPartError(context.provider, part);
  }
}

/**
 * A user message's content for Chat Completions: a string stays a string (an empty part list becomes `''`); parts
 * become `text`, `image_url` (an `http(s)` URL as it is, base64 and `data:` URLs as a base64 data URL, `detail` kept)
 * and `file` (`file_data` as a base64 data URL, `filename` or `file-<n>.pdf`). Throws core's `unsupportedPartError`
 * (kind `invalid-request`) for a part the server cannot take, e.g. a file by URL; errors never quote the data.
 *
 * @example
 * ```ts
 * toOpenAIUserContent(
 *   [{ type: 'text', text: 'What is this?' }, { type: 'image', source: { type: 'base64', data: 'iVBORw0KGgo=', mediaType: 'image/png' } }],
 *   { provider: 'openai', support: {} },
 * );
 * // [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }]
 * ```
 */
export function toOpenAIUserContent(
  content: string | readonly ContentPart[],
  context: PartContext,
): string | ChatCompletionContentPart[] {
  if (typeof content === 'string') return content;
  if (content.length === 0) return '';
  return content.map((part, index) => toOpenAIPart(part, index, context));
}

/** A file for the Responses API: inline as a base64 data URL with a filename, or by an `http(s)` URL (`file_url`). */
function responsesFileOf(part: FilePart, position: number, context: PartContext): ResponseInputContent {
  const { provider, support } = context;
  if (support.files === false) throw unsupportedPartError(provider, part, `${provider} takes no file parts`);
  const source = resolveSource(part, context);
  if (source.type === 'url') {
    if (!HTTP_URL.test(source.url)) throw unsupportedPartError(provider, part, 'a file URL must be http(s)');
    return {
      type: 'input_file',
      file_url: source.url,
      ...(part.filename === undefined ? {} : { filename: part.filename }),
    };
  }
  if (source.mediaType === '') throw unsupportedPartError(provider, part, 'a file needs a media type');
  const filename = part.filename ?? defaultFilename(source.mediaType, position);
  return { type: 'input_file', file_data: `data:${source.mediaType};base64,${source.data}`, filename };
}

function toResponsesPart(part: ContentPart, index: number, context: PartContext): ResponseInputContent {
  switch (part.type) {
    case 'text':
      return { type: 'input_text', text: part.text };
    case 'image':
      return { type: 'input_image', image_url: imageUrlOf(part, context), detail: part.detail ?? 'auto' };
    case 'file':
      return responsesFileOf(part, index + 1, context);
    default:
      throw unknownPartError(context.provider, part);
  }
}

/**
 * A user message's content for the Responses API: a string stays a string; parts become `input_text`,
 * `input_image` (`image_url` as in {@link toOpenAIUserContent}, `detail` default `auto`) and `input_file`
 * (`file_data` as a base64 data URL with a `filename`, or `file_url` for an `http(s)` URL, which Responses takes).
 * The same part checks as Chat Completions, with the same `invalid-request` errors.
 *
 * @example
 * ```ts
 * toResponsesUserContent([{ type: 'text', text: 'Hi' }], { provider: 'openai', support: {} });
 * // [{ type: 'input_text', text: 'Hi' }]
 * ```
 */
export function toResponsesUserContent(
  content: string | readonly ContentPart[],
  context: PartContext,
): string | ResponseInputContent[] {
  if (typeof content === 'string') return content;
  if (content.length === 0) return '';
  return content.map((part, index) => toResponsesPart(part, index, context));
}
