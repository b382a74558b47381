import type { OpenAIPartSupport } from './content-parts.js';
import { createOpenAI, type OpenAIProvider, type OpenAIProviderOptions, PLACEHOLDER_API_KEY } from './create-openai.js';

/**
 * Ollama's OpenAI-compatible endpoint on its default port.
 *
 * @example
 * ```ts
 * createOllama({ baseURL: DEFAULT_OLLAMA_BASE_URL });
 * ```
 */
export const DEFAULT_OLLAMA_BASE_URL = 'http://localhost:11434/v1';
/**
 * Model used when neither `OLLAMA_MODEL` nor the request names one.
 *
 * @example
 * ```ts
 * createOllama().defaultModel === DEFAULT_OLLAMA_MODEL; // true
 * ```
 */
export const DEFAULT_OLLAMA_MODEL = 'llama3.2';

/**
 * The content parts Ollama's OpenAI-compatible endpoint decodes: inline JPEG, PNG and WebP images only. It refuses
 * image URLs ("image URLs are not currently supported") and every part type but `text` and `image_url`, so
 * `createOllama` fails such a request with `invalid-request` before sending it.
 *
 * @example
 * ```ts
 * createOllama({ parts: { ...OLLAMA_PART_SUPPORT, imageUrls: true } }); // a proxy in front that fetches URLs
 * ```
 */
export const OLLAMA_PART_SUPPORT: Readonly<OpenAIPartSupport> = Object.freeze({
  imageUrls: false,
  files: false,
  imageMediaTypes: Object.freeze(['image/jpeg', 'image/png', 'image/webp']),
});

/**
 * Options of {@link createOllama}: those of `createOpenAI`, with no key needed.
 *
 * @example
 * ```ts
 * const options: OllamaProviderOptions = { baseURL: 'http://gpu-box:11434', model: 'qwen3:4b' };
 * ```
 */
export type OllamaProviderOptions = Omit<OpenAIProviderOptions, 'apiKey'> & { apiKey?: string };

/**
 * Ollama's base URL as given, or with `/v1` added when it names only the server (`http://gpu-box:11434`), since
 * Ollama's own clients take that form.
 *
 * @example
 * ```ts
 * ollamaBaseURL('http://gpu-box:11434'); // 'http://gpu-box:11434/v1'
 * ollamaBaseURL(undefined); // 'http://localhost:11434/v1'
 * ```
 */
export function ollamaBaseURL(baseURL: string | undefined): string {
  if (baseURL === undefined || baseURL.trim() === '') return DEFAULT_OLLAMA_BASE_URL;
  const trimmed = baseURL.trim();
  try {
    const url = new URL(trimmed);
    if (url.pathname === '/' || url.pathname === '') return `${url.origin}/v1`;
  } catch {
    // Not a URL: the SDK reports it on the first request.
  }
  return trimmed;
}

/**
 * A provider for a local (or remote) Ollama, through its OpenAI-compatible API: provider name `ollama`, base URL
 * {@link DEFAULT_OLLAMA_BASE_URL}, model {@link DEFAULT_OLLAMA_MODEL}, `max_tokens`, no key (the SDK needs a
 * non-empty one, so `ollama` is sent), parts as {@link OLLAMA_PART_SUPPORT} allows. Ollama's `reasoning` deltas
 * become `reasoning` chunks.
 *
 * @example
 * ```ts
 * import { createOllama } from '@rxllm/openai';
 *
 * const ollama = createOllama({ model: 'qwen3:4b' });
 * ollama.stream({ messages: [{ role: 'user', content: 'Hi' }] }).subscribe(console.log);
 * ```
 */
export function createOllama(options: OllamaProviderOptions = {}): OpenAIProvider {
  return createOpenAI({
    name: 'ollama',
    model: DEFAULT_OLLAMA_MODEL,
    maxTokensField: 'max_tokens',
    ...options,
    parts: { ...OLLAMA_PART_SUPPORT, ...options.parts },
    apiKey: options.apiKey ?? PLACEHOLDER_API_KEY,
    baseURL: ollamaBaseURL(options.baseURL),
  });
}
