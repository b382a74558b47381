import type { Chunk, CompletionRequest, Provider } from '@rxllm/core';
import { withFallback } from '@rxllm/retry';
import type { Observable } from 'rxjs';
import type { AgentConfig } from '../config.js';
import type { ProviderCatalog, ProviderChoice } from './provider-catalog.js';

/**
 * The `FALLBACK_PROVIDERS` that are configured here, by name, in order; the others are reported through `onSkipped`
 * once, when the agent starts.
 *
 * @example
 * ```ts
 * const fallbacks = fallbackProviders(config, catalog, (name) => logger.warn(`FALLBACK_PROVIDERS: ${name} skipped`));
 * ```
 */
export function fallbackProviders(
  config: Pick<AgentConfig, 'fallback'>,
  catalog: ProviderCatalog,
  onSkipped: (name: string) => void,
): Provider[] {
  return config.fallback.providers.flatMap((name) => {
    const entry = catalog.entries.find((candidate) => candidate.name === name);
    if (!entry) onSkipped(name);
    return entry ? [entry.provider] : [];
  });
}

/**
 * The step pipeline of one generation with its fallbacks: the chosen provider, then each fallback provider (other
 * than the chosen one) at its default model, each through `step` (retry, timeouts, metrics), moving on before the
 * first chunk, and with `FALLBACK_AFTER_FIRST_CHUNK=continue` after it too, continuing the partial answer.
 *
 * @example
 * ```ts
 * const pipeline = withFallbacks(choice, fallbacks, config, (provider, request) => providerPipeline(provider, request, …));
 * ```
 */
export function withFallbacks(
  choice: ProviderChoice,
  fallbacks: readonly Provider[],
  config: Pick<AgentConfig, 'fallback'>,
  step: (provider: Provider, request: CompletionRequest) => Observable<Chunk>,
): (request: CompletionRequest) => Observable<Chunk> {
  const others = fallbacks.filter((provider) => provider.name !== choice.provider.name);
  if (others.length === 0) return (request) => step(choice.provider, request);
  const stepped = (provider: Provider): Provider => ({
    name: provider.name,
    defaultModel: provider.defaultModel,
    stream: (request) => step(provider, request),
  });
  const chain = withFallback(
    [
      { provider: stepped(choice.provider) },
      ...others.map((provider) => ({ provider: stepped(provider), model: provider.defaultModel })),
    ],
    { afterFirstChunk: config.fallback.afterFirstChunk },
  );
  return (request) => chain.stream(request);
}
