import type { Env, ProviderDefinition } from '@rxllm/core';
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

const nonBlank = (value: string | undefined): string | undefined =>
  value !== undefined && value.trim() !== '' ? value.trim() : undefined;

/**
 * The registry definition of `ollama` with the given client options on top of what the environment says (e.g. a
 * gateway's `fetch`). {@link ollamaProvider} is this with none.
 *
 * @example
 * ```ts
 * const registry = createRegistry({ ollama: ollamaProviderWith({ fetch: myPooledFetch }) });
 * ```
 */
export function ollamaProviderWith(extra: Pick<OllamaProviderOptions, 'fetch'>): ProviderDefinition {
  return {
    requiresApiKey: false,
    isConfigured: (env: Env) => nonBlank(env.OLLAMA_BASE_URL) !== undefined || nonBlank(env.OLLAMA_MODEL) !== undefined,
    create: (env: Env) => {
      const baseURL = nonBlank(env.OLLAMA_BASE_URL);
      const model = nonBlank(env.OLLAMA_MODEL);
      return createOllama({
        ...extra,
        ...(baseURL === undefined ? {} : { baseURL }),
        ...(model === undefined ? {} : { model }),
      });
    },
  };
}

/**
 * The registry definition of `ollama` (`LLM_PROVIDER=ollama`): base URL from `OLLAMA_BASE_URL` (default
 * `http://localhost:11434/v1`), model from `OLLAMA_MODEL` (default `llama3.2`), no key required. It counts as
 * configured when `OLLAMA_BASE_URL` or `OLLAMA_MODEL` is set.
 *
 * @example
 * ```ts
 * import { createRegistry } from '@rxllm/core';
 * import { ollamaProvider } from '@rxllm/openai';
 *
 * // LLM_PROVIDER=ollama OLLAMA_MODEL=qwen3:4b
 * const { provider } = createRegistry({ ollama: ollamaProvider }).fromEnv(process.env);
 * ```
 */
export const ollamaProvider: ProviderDefinition = ollamaProviderWith({});
