import type { Provider } from './provider.js';

/** The environment a registry reads: `process.env` or any plain record. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * How a registry builds one provider from the environment. `apiKeyEnv` names the variable that holds its key:
 * the registry uses it to pick a default provider and to explain a missing key. `requiresApiKey: false` marks
 * providers that work without one (a local Ollama, the simulated provider).
 */
export interface ProviderDefinition {
  create(env: Env): Provider;
  apiKeyEnv?: string;
  requiresApiKey?: boolean;
  /** True when the environment selects or configures this provider even without a key (e.g. `OLLAMA_BASE_URL`). */
  isConfigured?(env: Env): boolean;
}

export type ProviderFactory = ProviderDefinition | ((env: Env) => Provider);

/** A configuration problem: unknown provider name or a missing key. The message names variables, never values. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
}

export interface ResolvedProvider {
  name: string;
  provider: Provider;
  /** Why this provider was chosen, for the first lines of a log: `LLM_PROVIDER=anthropic`, `OPENAI_API_KEY is set`, `no API key is set`. */
  reason: string;
}

export interface ProviderRegistry {
  /** Every registered name, in registration order. */
  readonly names: readonly string[];
  has(name: string): boolean;
  /** Builds the named provider from `env`; throws {@link RegistryError} for an unknown name or a missing key. */
  create(name: string, env?: Env): Provider;
  /** Names whose configuration is present in `env` (their key is set, or they need none and are configured). */
  configured(env?: Env): string[];
  /**
   * `LLM_PROVIDER` switching: the named provider if `LLM_PROVIDER` is set; otherwise the first registered provider
   * whose key is set; otherwise `fallback` (default `simulated`) if registered.
   */
  fromEnv(env?: Env, options?: { fallback?: string }): ResolvedProvider;
}

function toDefinition(factory: ProviderFactory): ProviderDefinition {
  return typeof factory === 'function' ? { create: factory, requiresApiKey: false } : factory;
}

function hasValue(env: Env, name: string | undefined): boolean {
  return name !== undefined && typeof env[name] === 'string' && (env[name] as string).trim() !== '';
}

const processEnv = (): Env => (typeof process === 'undefined' ? {} : process.env);

/**
 * A registry of provider factories. Core knows no vendor: the factories are passed in.
 *
 * @example
 * ```ts
 * import { openaiProvider } from '@rxllm/openai';
 * import { anthropicProvider } from '@rxllm/anthropic';
 * import { simulatedProviderDefinition } from '@rxllm/simulated';
 *
 * const registry = createRegistry({ openai: openaiProvider, anthropic: anthropicProvider, simulated: simulatedProviderDefinition });
 * const { provider, reason } = registry.fromEnv(process.env); // LLM_PROVIDER=anthropic ANTHROPIC_API_KEY=…
 * ```
 */
export function createRegistry(factories: Record<string, ProviderFactory>): ProviderRegistry {
  const definitions = new Map(Object.entries(factories).map(([name, factory]) => [name, toDefinition(factory)]));
  const names = [...definitions.keys()];

  const definitionOf = (name: string): ProviderDefinition => {
    const definition = definitions.get(name);
    if (!definition) {
      throw new RegistryError(`Unknown provider "${name}". Known providers: ${names.join(', ')}.`);
    }
    return definition;
  };

  const needsKey = (definition: ProviderDefinition) => definition.requiresApiKey ?? definition.apiKeyEnv !== undefined;

  const create = (name: string, env: Env = processEnv()): Provider => {
    const definition = definitionOf(name);
    if (needsKey(definition) && !hasValue(env, definition.apiKeyEnv)) {
      throw new RegistryError(`Provider "${name}" needs an API key: set ${definition.apiKeyEnv}.`);
    }
    return definition.create(env);
  };

  const configured = (env: Env = processEnv()): string[] =>
    names.filter((name) => {
      const definition = definitionOf(name);
      if (definition.isConfigured?.(env)) return true;
      return needsKey(definition) ? hasValue(env, definition.apiKeyEnv) : definition.isConfigured === undefined;
    });

  return {
    names,
    has: (name) => definitions.has(name),
    create,
    configured,
    fromEnv(env = processEnv(), options = {}) {
      const selected = env.LLM_PROVIDER?.trim().toLowerCase();
      if (selected) {
        return { name: selected, provider: create(selected, env), reason: `LLM_PROVIDER=${selected}` };
      }
      for (const name of names) {
        const definition = definitionOf(name);
        if (definition.apiKeyEnv && hasValue(env, definition.apiKeyEnv)) {
          return { name, provider: create(name, env), reason: `${definition.apiKeyEnv} is set` };
        }
      }
      const fallback = options.fallback ?? 'simulated';
      if (definitions.has(fallback)) {
        return { name: fallback, provider: create(fallback, env), reason: 'no API key is set' };
      }
      const keys = names.map((name) => definitionOf(name).apiKeyEnv).filter(Boolean);
      throw new RegistryError(`No provider is configured: set LLM_PROVIDER or one of ${keys.join(', ')}.`);
    },
  };
}
