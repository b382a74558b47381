import type { Env, ProviderDefinition } from '@rxllm/core';
import { createOllama, type OllamaProviderOptions } from './create-ollama.js';
import { createOpenAI, type OpenAIProviderOptions } from './create-openai.js';

const OPENAI_BASE_URL = 'https://api.openai.com/v1';

const nonBlank = (value: string | undefined): string | undefined =>
  value !== undefined && value.trim() !== '' ? value.trim() : undefined;

/**
 * The registry definition of `openai` with the given client options on top of what the environment says, e.g. the
 * `fetch` a gateway uses for all its upstream requests. {@link openaiProvider} is this with none.
 *
 * @example
 * ```ts
 * const registry = createRegistry({ openai: openaiProviderWith({ fetch: myPooledFetch }) });
 * ```
 */
export function openaiProviderWith(extra: Pick<OpenAIProviderOptions, 'fetch'>): ProviderDefinition {
  return {
    apiKeyEnv: 'OPENAI_API_KEY',
    create: (env: Env) => {
      const model = nonBlank(env.OPENAI_MODEL);
      return createOpenAI({
        ...extra,
        apiKey: nonBlank(env.OPENAI_API_KEY) ?? '',
        baseURL: nonBlank(env.OPENAI_BASE_URL) ?? OPENAI_BASE_URL,
        ...(model === undefined ? {} : { model }),
      });
    },
  };
}

/**
 * The registry definition of `openai`: key from `OPENAI_API_KEY`, model from `OPENAI_MODEL` (default
 * `DEFAULT_OPENAI_MODEL`), base URL from `OPENAI_BASE_URL` (default `https://api.openai.com/v1`).
 *
 * @example
 * ```ts
 * import { createRegistry } from '@rxllm/core';
 * import { openaiProvider, ollamaProvider } from '@rxllm/openai';
 *
 * const { provider } = createRegistry({ openai: openaiProvider, ollama: ollamaProvider }).fromEnv(process.env);
 * ```
 */
export const openaiProvider: ProviderDefinition = openaiProviderWith({});

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
