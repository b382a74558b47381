import type { Env, Provider, ProviderRegistry, ResolvedProvider } from '@rxllm/core';
import { HttpError } from '../http/errors.js';

/** A provider the agent may use, with the models a request may pick on it. */
export interface CatalogEntry {
  name: string;
  provider: Provider;
  /** The provider's default model first, then `<NAME>_MODELS`. */
  models: string[];
}

/** The chosen provider and model for one request. */
export interface ProviderChoice {
  name: string;
  provider: Provider;
  model: string;
}

/** The providers configured at startup; requests may only choose among these. */
export interface ProviderCatalog {
  /** The default provider, from `LLM_PROVIDER` or the first key set, else `simulated`. */
  readonly active: ResolvedProvider;
  /** Active provider first, then the other configured ones. */
  readonly entries: readonly CatalogEntry[];
  /** Picks provider and model from a `/chat` body; throws a 400 `HttpError` naming what is allowed. */
  choose(selection: { provider?: string | undefined; model?: string | undefined }): ProviderChoice;
  /** Picks from an OpenAI-style `model`: an allowed model id, `provider/model`, or a provider name. */
  chooseByModelId(model: string | undefined): ProviderChoice;
}

/** `google-genai` → `GOOGLE_GENAI_MODELS`. */
export function modelsVariable(name: string): string {
  return `${name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_MODELS`;
}

/**
 * Builds the catalog from a registry and the environment: the active provider plus every configured one, each with
 * its allowed models. Base URLs and keys come only from `env`, never from a request.
 *
 * @example
 * ```ts
 * const catalog = createProviderCatalog(registry, { OPENAI_API_KEY: 'sk-…', OPENAI_MODELS: 'gpt-4.1,gpt-4o' });
 * catalog.choose({ model: 'gpt-4o' }).provider.stream(request);
 * ```
 */
export function createProviderCatalog(
  registry: ProviderRegistry,
  env: Env,
  onSkipped?: (name: string, reason: string) => void,
): ProviderCatalog {
  const active = registry.fromEnv(env);
  const entries: CatalogEntry[] = [];
  const add = (name: string, provider: Provider) => {
    const extra = (env[modelsVariable(name)] ?? '')
      .split(',')
      .map((model) => model.trim())
      .filter(Boolean);
    entries.push({ name, provider, models: [...new Set([provider.defaultModel, ...extra])] });
  };
  add(active.name, active.provider);
  for (const name of registry.configured(env)) {
    if (name === active.name) continue;
    try {
      add(name, registry.create(name, env));
    } catch (error) {
      onSkipped?.(name, error instanceof Error ? error.message : 'could not be created');
    }
  }
  const byName = (name: string) => entries.find((entry) => entry.name === name);
  const modelError = (entry: CatalogEntry, model: string) =>
    new HttpError({
      kind: 'invalid-request',
      param: 'model',
      message: `model "${model}" is not allowed for provider "${entry.name}"; allowed: ${entry.models.join(', ')}`,
    });
  const providerError = (name: string) =>
    new HttpError({
      kind: 'invalid-request',
      param: 'provider',
      message: `provider "${name}" is not configured on this server; available: ${entries.map((entry) => entry.name).join(', ')}`,
    });

  return {
    active,
    entries,
    choose({ provider, model }) {
      const entry = provider === undefined ? entries[0] : byName(provider);
      if (!entry) throw providerError(provider as string);
      if (model === undefined)
        return { name: entry.name, provider: entry.provider, model: entry.provider.defaultModel };
      if (!entry.models.includes(model)) throw modelError(entry, model);
      return { name: entry.name, provider: entry.provider, model };
    },
    chooseByModelId(model) {
      const first = entries[0] as CatalogEntry;
      if (model === undefined || model === '')
        return { name: first.name, provider: first.provider, model: first.provider.defaultModel };
      for (const entry of entries) {
        if (entry.models.includes(model)) return { name: entry.name, provider: entry.provider, model };
      }
      const slash = model.indexOf('/');
      if (slash > 0) {
        const entry = byName(model.slice(0, slash));
        const rest = model.slice(slash + 1);
        if (entry) {
          if (!entry.models.includes(rest)) throw modelError(entry, rest);
          return { name: entry.name, provider: entry.provider, model: rest };
        }
      }
      const entry = byName(model);
      if (entry) return { name: entry.name, provider: entry.provider, model: entry.provider.defaultModel };
      const allowed = entries.flatMap((candidate) => candidate.models.map((id) => `${id} (${candidate.name})`));
      throw new HttpError({
        kind: 'invalid-request',
        param: 'model',
        message: `model "${model}" is not available; allowed: ${allowed.join(', ')}`,
      });
    },
  };
}
