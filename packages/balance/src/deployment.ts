import type { Provider } from '@rxllm/core';
import type { BreakerState } from './create-circuit-breaker.js';

/**
 * One deployment of the model: a provider (its own base URL, key or region) and, where it names the model its own
 * way (an Azure deployment name), the model to ask it for.
 *
 * @example
 * ```ts
 * const eu: Deployment = { id: 'eu', provider: createOpenAI({ baseURL: 'https://eu.example.com/v1' }), weight: 2 };
 * ```
 */
export interface Deployment {
  /** Unique among the deployments; shown in `stats()` and the balanced provider's name. */
  id: string;
  provider: Provider;
  /** Replaces the request's `model` when set. */
  model?: string;
  /** Share of the traffic under the `weighted` strategy, and the tie-break of the others. Default 1, must be > 0. */
  weight?: number;
}

/**
 * What the balancer knows about one deployment, from `stats()`.
 *
 * @example
 * ```ts
 * const open = provider.stats().filter((stats: DeploymentStats) => stats.state === 'open');
 * ```
 */
export interface DeploymentStats {
  id: string;
  /** Its circuit breaker's state now. */
  state: BreakerState;
  /** Streams subscribed and not yet ended. */
  inFlight: number;
  /** Median time from subscribing to the first content chunk over the recent samples; `undefined` before one. */
  ttftMs: number | undefined;
  /** Streams sent to it (failover attempts included). */
  requests: number;
  /** Errors its breaker counted as failures. */
  failures: number;
}
