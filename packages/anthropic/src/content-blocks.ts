import type {
  Base64ImageSource,
  ContentBlockParam,
  DocumentBlockParam,
  ImageBlockParam,
} from '@anthropic-ai/sdk/resources/messages';
import {
  type ContentPart,
  type FilePart,
  type ImagePart,
  inlineDataUrl,
  LLMError,
  unsupportedPartError,
} from '@rxllm/core';

type ImageMediaType = Base64ImageSource['media_type'];

/** The image media types the Messages API takes (`Base64ImageSource.media_type`). */
const IMAGE_MEDIA_TYPES: readonly string[] = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];

const IMAGE_REASON = 'Anthropic takes image/jpeg, image/png, image/gif and image/webp images only';
const DOCUMENT_REASON = 'Anthropic takes PDF documents (base64 or URL) and text/plain documents (base64) only';

/** A media type without its parameters, in lower case: `Text/Plain; charset=UTF-8` → `text/plain`. */
function bareMediaType(mediaType: string): string {
  return (mediaType.split(';')[0] ?? '').trim().toLowerCase();
}

/** The `charset` parameter of a media type, if it has one. */
function charsetOf(mediaType: string): string | undefined {
  return /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(mediaType)?.[1];
}

const isImageMediaType = (mediaType: string): mediaType is ImageMediaType => IMAGE_MEDIA_TYPES.includes(mediaType);

/** Anthropic fetches `url` sources itself: only over HTTP(S). */
const isFetchable = (url: string): boolean => /^https?:\/\//i.test(url);

function imageBlock(part: ImagePart, provider: string): ImageBlockParam {
  const source = inlineDataUrl(part.source);
  if (source.type === 'url') {
    if (!isFetchable(source.url)) throw unsupportedPartError(provider, part, 'Anthropic fetches images by http(s) URL');
    if (source.mediaType !== undefined && !isImageMediaType(bareMediaType(source.mediaType))) {
      throw unsupportedPartError(provider, part, IMAGE_REASON);
    }
    return { type: 'image', source: { type: 'url', url: source.url } };
  }
  const mediaType = bareMediaType(source.mediaType);
  if (!isImageMediaType(mediaType)) throw unsupportedPartError(provider, part, IMAGE_REASON);
  return { type: 'image', source: { type: 'base64', media_type: mediaType, data: source.data } };
}

/** The text a base64 payload holds, in its `charset` (UTF-8 by default); `undefined` when it is not that text. */
function decodeText(base64: string, charset = 'utf-8'): string | undefined {
  try {
    const bytes = Uint8Array.from(atob(base64), (character) => character.charCodeAt(0));
    return new TextDecoder(charset, { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function documentSource(part: FilePart, provider: string): DocumentBlockParam['source'] {
  const source = inlineDataUrl(part.source);
  if (source.type === 'url') {
    if (!isFetchable(source.url)) {
      throw unsupportedPartError(provider, part, 'Anthropic fetches documents by http(s) URL');
    }
    // `URLPDFSource` is the only URL document source: a URL of another declared type cannot go.
    if (source.mediaType !== undefined && bareMediaType(source.mediaType) !== 'application/pdf') {
      throw unsupportedPartError(provider, part, 'Anthropic fetches only PDF documents by URL');
    }
    return { type: 'url', url: source.url };
  }
  const mediaType = bareMediaType(source.mediaType);
  if (mediaType === 'application/pdf') return { type: 'base64', media_type: 'application/pdf', data: source.data };
  if (mediaType !== 'text/plain') throw unsupportedPartError(provider, part, DOCUMENT_REASON);
  // `PlainTextSource` carries the text itself, not base64.
  const text = decodeText(source.data, charsetOf(source.mediaType));
  if (text === undefined) throw unsupportedPartError(provider, part, 'its data is not base64 text in its charset');
  return { type: 'text', media_type: 'text/plain', data: text };
}

function documentBlock(part: FilePart, provider: string): DocumentBlockParam {
  const source = documentSource(part, provider);
  return { type: 'document', source, ...(part.filename === undefined ? {} : { title: part.filename }) };
}

/**
 * A user message's parts as Anthropic content blocks, in order: text → `text` (empty text parts are left out, the
 * API refuses empty text blocks), image → `image` with a `base64` or `url` source, file → `document` with a base64
 * PDF, a `text/plain` text source or a PDF `url` source, `filename` as `title`; a part's `cacheControl` as the block's
 * `cache_control`. A `data:` URL is sent as inline base64. A part Anthropic cannot take throws core's `unsupportedPartError` (an `invalid-request` `LLMError` that
 * never quotes the part's data).
 *
 * @example
 * ```ts
 * toContentBlocks([{ type: 'text', text: 'What is this?' }, { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } }], 'anthropic');
 * // [{ type: 'text', text: 'What is this?' }, { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } }]
 * ```
 */
export function toContentBlocks(parts: readonly ContentPart[], provider: string): ContentBlockParam[] {
  const blocks: ContentBlockParam[] = [];
  for (const part of parts) {
    const cache = part.cacheControl ? { cache_control: part.cacheControl } : {};
    switch (part.type) {
      case 'text':
        if (part.text !== '') blocks.push({ type: 'text', text: part.text, ...cache });
        break;
      case 'image':
        blocks.push({ ...imageBlock(part, provider), ...cache });
        break;
      case 'file':
        blocks.push({ ...documentBlock(part, provider), ...cache });
        break;
      default:
        throw new LLMError({
          kind: 'invalid-request',
          provider,
          message: `${provider} cannot take a part of type ${JSON.stringify((part as { type?: unknown }).type)}`,
        });
    }
  }
  return blocks;
}
