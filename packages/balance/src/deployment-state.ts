import type { SchedulerLike } from 'rxjs';
import { type BreakerOptions, type CircuitBreaker, createCircuitBreaker } from './create-circuit-breaker.js';
import type { Deployment, DeploymentStats } from './deployment.js';

/** The balancer's bookkeeping for one deployment (internal). */
export interface DeploymentState {
  readonly deployment: Deployment;
  /** Position in the list given to `balance`, the last tie-break. */
  readonly order: number;
  readonly weight: number;
  readonly breaker: CircuitBreaker;
  inFlight: number;
  requests: number;
  failures: number;
  /** Adds a time-to-first-content sample, keeping the most recent `ttftWindow`. */
  recordTtft(ms: number): void;
  /** Median of the recent samples, `undefined` before the first. */
  ttftMs(): number | undefined;
  stats(): DeploymentStats;
}

/** The median of some numbers (the mean of the middle two for an even count); `undefined` for none. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Bookkeeping for a deployment with its own circuit breaker on `scheduler`'s clock. */
export function createDeploymentState(
  deployment: Deployment,
  order: number,
  options: { breaker: BreakerOptions; scheduler: SchedulerLike; ttftWindow: number },
): DeploymentState {
  const samples: number[] = [];
  const state: DeploymentState = {
    deployment,
    order,
    weight: deployment.weight ?? 1,
    breaker: createCircuitBreaker({ ...options.breaker, scheduler: options.scheduler }),
    inFlight: 0,
    requests: 0,
    failures: 0,
    recordTtft: (ms) => {
      samples.push(ms);
      if (samples.length > options.ttftWindow) samples.shift();
    },
    ttftMs: () => median(samples),
    stats: () => ({
      id: deployment.id,
      state: state.breaker.state,
      inFlight: state.inFlight,
      ttftMs: median(samples),
      requests: state.requests,
      failures: state.failures,
    }),
  };
  return state;
}
