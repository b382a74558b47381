import { anthropicProviderWith } from '@rxllm/anthropic';
import { createRegistry, type ProviderRegistry } from '@rxllm/core';
import { geminiProvider } from '@rxllm/gemini';
import { googleGenAIProvider } from '@rxllm/google-genai';
import { ollamaProviderWith, openaiProviderWith } from '@rxllm/openai';
import { simulatedProviderDefinition } from '@rxllm/simulated';
import { createUpstreamFetch } from './upstream-fetch.js';

/**
 * Every provider the agent knows, in `LLM_PROVIDER` preference order (the first whose key is set is the default;
 * with no key at all, `simulated`). The OpenAI, Ollama and Anthropic SDKs send their requests through `fetch`
 * (default: {@link createUpstreamFetch}, one keep-alive pool on undici's `request`); the Gemini SDKs keep their own.
 *
 * @example
 * ```ts
 * const { provider, reason } = defaultRegistry().fromEnv(process.env);
 * ```
 */
export function defaultRegistry(fetch: typeof globalThis.fetch = createUpstreamFetch()): ProviderRegistry {
  return createRegistry({
    openai: openaiProviderWith({ fetch }),
    anthropic: anthropicProviderWith({ fetch }),
    gemini: geminiProvider,
    'google-genai': googleGenAIProvider,
    ollama: ollamaProviderWith({ fetch }),
    simulated: simulatedProviderDefinition,
  });
}
