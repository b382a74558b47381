import type { Env, ProviderDefinition } from '@rxllm/core';
import { createGemini } from './create-gemini.js';

/**
 * Registry definition for `gemini`: `GEMINI_API_KEY` (required), `GEMINI_MODEL`, `GEMINI_BASE_URL` (passed to
 * `@google/generative-ai` as `RequestOptions.baseUrl`).
 *
 * @example
 * ```ts
 * const registry = createRegistry({ gemini: geminiProvider });
 * const provider = registry.create('gemini', { GEMINI_API_KEY: 'AIza…', GEMINI_MODEL: 'gemini-2.5-pro' });
 * ```
 */
export const geminiProvider: ProviderDefinition = {
  apiKeyEnv: 'GEMINI_API_KEY',
  create(env: Env) {
    const value = (name: string) => env[name]?.trim() || undefined;
    return createGemini({
      apiKey: value('GEMINI_API_KEY') ?? '',
      ...(value('GEMINI_MODEL') ? { model: value('GEMINI_MODEL') } : {}),
      ...(value('GEMINI_BASE_URL') ? { baseURL: value('GEMINI_BASE_URL') } : {}),
    });
  },
};
