import { anthropicProvider } from '@rxllm/anthropic';
import { createRegistry, type ProviderRegistry } from '@rxllm/core';
import { geminiProvider } from '@rxllm/gemini';
import { googleGenAIProvider } from '@rxllm/google-genai';
import { ollamaProvider, openaiProvider } from '@rxllm/openai';
import { simulatedProviderDefinition } from '@rxllm/testing';

/**
 * Every provider the agent knows, in `LLM_PROVIDER` preference order (the first whose key is set is the default;
 * with no key at all, `simulated`).
 *
 * @example
 * ```ts
 * const { provider, reason } = defaultRegistry().fromEnv(process.env);
 * ```
 */
export function defaultRegistry(): ProviderRegistry {
  return createRegistry({
    openai: openaiProvider,
    anthropic: anthropicProvider,
    gemini: geminiProvider,
    'google-genai': googleGenAIProvider,
    ollama: ollamaProvider,
    simulated: simulatedProviderDefinition,
  });
}
