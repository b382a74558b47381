import type { Env, ProviderDefinition } from '@rxllm/core';
import { type AnthropicProviderOptions, createAnthropic } from './create-anthropic.js';

function value(env: Env, name: string): string | undefined {
  const text = env[name]?.trim();
  return text ? text : undefined;
}

/**
 * The registry entry for Anthropic with the given client options on top of what the environment says (e.g. a
 * gateway's `fetch`). {@link anthropicProvider} is this with none.
 *
 * @example
 * ```ts
 * const registry = createRegistry({ anthropic: anthropicProviderWith({ fetch: myPooledFetch }) });
 * ```
 */
export function anthropicProviderWith(extra: Pick<AnthropicProviderOptions, 'fetch'>): ProviderDefinition {
  return {
    apiKeyEnv: 'ANTHROPIC_API_KEY',
    create(env: Env) {
      const apiKey = value(env, 'ANTHROPIC_API_KEY');
      const model = value(env, 'ANTHROPIC_MODEL');
      const baseURL = value(env, 'ANTHROPIC_BASE_URL');
      return createAnthropic({
        ...extra,
        ...(apiKey === undefined ? {} : { apiKey }),
        ...(model === undefined ? {} : { model }),
        // The given env, not process.env, decides: without a value the SDK's own default origin is used.
        baseURL: baseURL ?? 'https://api.anthropic.com',
      });
    },
  };
}

/**
 * The registry entry for Anthropic: reads `ANTHROPIC_API_KEY`, `ANTHROPIC_MODEL` and `ANTHROPIC_BASE_URL` from the
 * environment it is given (an empty `ANTHROPIC_BASE_URL` means the default origin, as the SDK reads it).
 *
 * @example
 * ```ts
 * import { createRegistry } from '@rxllm/core';
 * import { anthropicProvider } from '@rxllm/anthropic';
 *
 * const registry = createRegistry({ anthropic: anthropicProvider });
 * const provider = registry.create('anthropic', { ANTHROPIC_API_KEY: 'sk-ant-…', ANTHROPIC_MODEL: 'claude-opus-5-5' });
 * ```
 */
export const anthropicProvider: ProviderDefinition = anthropicProviderWith({});
