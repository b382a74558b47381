import { type ContentPart, inlineDataUrl, unsupportedPartError } from '@rxllm/core';

/** A Gemini request part for a user content part: exactly one of `text`, `inlineData` or `fileData`. */
export type GeminiRequestPart =
  | { text: string }
  | { inlineData: { mimeType: string; data: string } }
  | { fileData: { mimeType: string; fileUri: string } };

/**
 * The Gemini part for one user content part: text → `{ text }`, base64 bytes (and a `data:` URL, turned into bytes
 * first) → `{ inlineData: { mimeType, data } }`, any other URL → `{ fileData: { mimeType, fileUri } }`. Gemini needs
 * the media type of a part by URL, so a URL part without `mediaType` throws `unsupportedPartError`, as does a `data:`
 * URL that is not base64. `detail` (an OpenAI hint) and `filename` have no Gemini field and are left out.
 *
 * @example
 * ```ts
 * toGeminiPart('gemini', { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png', mediaType: 'image/png' } });
 * // { fileData: { mimeType: 'image/png', fileUri: 'https://example.com/cat.png' } }
 * ```
 */
export function toGeminiPart(provider: string, part: ContentPart): GeminiRequestPart {
  if (part.type === 'text') return { text: part.text };
  const source = inlineDataUrl(part.source);
  if (source.type === 'base64') {
    if (!source.mediaType) throw unsupportedPartError(provider, part, 'inline bytes need a media type (mimeType)');
    return { inlineData: { mimeType: source.mediaType, data: source.data } };
  }
  if (/^data:/i.test(source.url)) {
    throw unsupportedPartError(provider, part, 'a data: URL must be base64 (data:<media type>;base64,…)');
  }
  if (!source.mediaType) {
    throw unsupportedPartError(
      provider,
      part,
      'Gemini needs the media type of a part sent by URL (fileData.mimeType): set source.mediaType',
    );
  }
  return { fileData: { mimeType: source.mediaType, fileUri: source.url } };
}
