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
 * non-empty one, so `ollama` is sent). Ollama's `reasoning` deltas become `reasoning` chunks.
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
    apiKey: options.apiKey ?? PLACEHOLDER_API_KEY,
    baseURL: ollamaBaseURL(options.baseURL),
  });
}
