import {
  type Chunk,
  type CompletionRequest,
  isContentChunk,
  LLMError,
  type Provider,
  subscribeUntilContent,
} from '@rxllm/core';
import { asyncScheduler, defer, finalize, type Observable, type SchedulerLike, tap, throwError } from 'rxjs';
import type { BreakerOptions } from './create-circuit-breaker.js';
import type { Deployment, DeploymentStats } from './deployment.js';
import { createDeploymentState, type DeploymentState } from './deployment-state.js';
import { isBreakerFailure } from './is-breaker-failure.js';
import { type BalanceStrategy, pickDeployment } from './pick-deployment.js';

/**
 * Options of {@link balance}.
 *
 * @example
 * ```ts
 * const options: BalanceOptions = { strategy: 'lowest-ttft', breaker: { failureThreshold: 5 }, ttftWindow: 50 };
 * ```
 */
export interface BalanceOptions {
  /** How a deployment is picked among those whose breaker admits a request. Default `weighted`. */
  strategy?: BalanceStrategy;
  /** The circuit breaker of each deployment (each has its own). */
  breaker?: BreakerOptions;
  /** Random numbers in [0, 1) for the `weighted` strategy; `Math.random` by default, a fixed sequence in tests. */
  random?: () => number;
  /** Clock for TTFT and the breakers, and where a failover is scheduled; `asyncScheduler` by default. */
  scheduler?: SchedulerLike;
  /** Recent TTFT samples kept per deployment (the median is over these). Default 20. */
  ttftWindow?: number;
  /**
   * On a failure before the first content chunk that the breaker counts, move on to another admitted deployment
   * not yet tried in this request (each at most once). After content a failure is passed on. Default `true`.
   */
  failover?: boolean;
}

/**
 * The provider returned by {@link balance}: a `Provider` that also reports on its deployments.
 *
 * @example
 * ```ts
 * for (const { id, state, inFlight, ttftMs } of provider.stats()) console.log(id, state, inFlight, ttftMs);
 * ```
 */
export interface BalancedProvider extends Provider {
  /** One entry per deployment, in the order given. */
  stats(): DeploymentStats[];
}

function validate(deployments: readonly Deployment[], ttftWindow: number): void {
  if (deployments.length === 0) throw new RangeError('balance needs at least one deployment');
  const ids = new Set<string>();
  for (const { id, weight } of deployments) {
    if (ids.has(id)) throw new RangeError(`balance: deployment id "${id}" is used twice`);
    ids.add(id);
    if (weight !== undefined && !(Number.isFinite(weight) && weight > 0)) {
      throw new RangeError(`balance: the weight of deployment "${id}" must be a finite number > 0, got ${weight}`);
    }
  }
  if (!Number.isInteger(ttftWindow) || ttftWindow < 1) {
    throw new RangeError(`balance: ttftWindow must be a whole number ≥ 1, got ${ttftWindow}`);
  }
}

function noDeploymentError(provider: string, states: readonly DeploymentState[]): LLMError {
  const waits = states.flatMap((state) => state.breaker.reopensInMs ?? []);
  const retryAfterMs = waits.length > 0 ? Math.min(...waits) : undefined;
  const breakers =
    states.length === 1
      ? 'the only deployment has its circuit breaker'
      : `all ${states.length} deployments have their circuit breakers`;
  const message =
    retryAfterMs === undefined
      ? `No deployment admits a request: ${breakers} open or a trial request in flight`
      : `No deployment admits a request: ${breakers} open; the first reopens in ${retryAfterMs} ms`;
  return new LLMError({
    kind: 'overloaded',
    provider,
    message,
    retryable: true,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    details: { deployments: states.length },
  });
}

/**
 * One stream on one deployment, admitted by its breaker beforehand: counted in flight from subscribe until it ends
 * however it ends, its first content timed, its outcome reported to the breaker (an unsubscribe is neither; a
 * trial that ends without an outcome gives its slot back).
 */
function attempt(
  state: DeploymentState,
  trial: boolean,
  request: CompletionRequest,
  scheduler: SchedulerLike,
): Observable<Chunk> {
  const { provider, model } = state.deployment;
  const deploymentRequest = model === undefined ? request : { ...request, model };
  return defer(() => {
    state.inFlight += 1;
    state.requests += 1;
    const subscribedAt = scheduler.now();
    let measured = false;
    let settled = false;
    return defer(() => provider.stream(deploymentRequest)).pipe(
      tap({
        next: (chunk) => {
          if (measured || !isContentChunk(chunk)) return;
          measured = true;
          state.recordTtft(scheduler.now() - subscribedAt);
        },
        error: (error: unknown) => {
          settled = state.breaker.failure(error);
          if (settled) state.failures += 1;
        },
        complete: () => {
          settled = true;
          state.breaker.success();
        },
      }),
      finalize(() => {
        state.inFlight -= 1;
        if (trial && !settled) state.breaker.release();
      }),
    );
  });
}

/**
 * A provider that spreads requests over several deployments of one model, each behind its own circuit breaker
 * (closed → open after `failureThreshold` consecutive failures or at once on a 429 → half-open after the cooldown:
 * one trial request). `stream(request)` is cold: on subscribe it picks a deployment whose breaker admits a request,
 * by `strategy`; with `failover`, a failure before the first content chunk that the breaker counts moves on to
 * another admitted deployment not yet tried, and `start` chunks are held until content, so only the answering
 * deployment's `start` shows. When no deployment admits a request the stream fails with an `LLMError` of kind
 * `overloaded`, retryable, whose `retryAfterMs` is when the first breaker reopens. Named `balance(<ids>)`, with
 * the first deployment's default model.
 *
 * ```
 * eu:      -#            (overloaded; breaker counts 1)
 * us:       -s-a-|       (subscribed when eu failed)
 * result:  ----(sa)|
 * ```
 *
 * @example
 * ```ts
 * const provider = balance(
 *   [
 *     { id: 'eu', provider: createOpenAI({ baseURL: 'https://eu.example.com/v1' }), weight: 2 },
 *     { id: 'us', provider: createOpenAI({ baseURL: 'https://us.example.com/v1' }) },
 *   ],
 *   { strategy: 'least-in-flight', breaker: { failureThreshold: 3, cooldownMs: 30_000 } },
 * );
 * provider.stream({ messages: [{ role: 'user', content: 'Hi' }] }).subscribe(render);
 * ```
 */
export function balance(deployments: Deployment[], options: BalanceOptions = {}): BalancedProvider {
  const ttftWindow = options.ttftWindow ?? 20;
  validate(deployments, ttftWindow);
  const strategy = options.strategy ?? 'weighted';
  const random = options.random ?? Math.random;
  const scheduler = options.scheduler ?? asyncScheduler;
  const failover = options.failover ?? true;
  const isFailure = options.breaker?.isFailure ?? isBreakerFailure;
  const breaker = { ...options.breaker, isFailure };
  const states = deployments.map((deployment, order) =>
    createDeploymentState(deployment, order, { breaker, scheduler, ttftWindow }),
  );
  const name = `balance(${deployments.map((deployment) => deployment.id).join(',')})`;

  // Picks and admits in one synchronous step, just before the attempt is subscribed.
  const next = (request: CompletionRequest, tried: Set<DeploymentState>): Observable<Chunk> | undefined => {
    const candidates = states.filter((state) => !tried.has(state) && state.breaker.canAdmit());
    const picked = pickDeployment(candidates, strategy, random);
    if (!picked) return undefined;
    tried.add(picked);
    const trial = picked.breaker.state === 'half-open';
    picked.breaker.admit();
    return attempt(picked, trial, request, scheduler);
  };

  return {
    name,
    defaultModel: deployments[0]!.model ?? deployments[0]!.provider.defaultModel,
    stream: (request) =>
      defer(() => {
        const tried = new Set<DeploymentState>();
        const first = next(request, tried);
        if (!first) return throwError(() => noDeploymentError(name, states));
        if (!failover) return first;
        // The next deployment is picked after the pause, once the failed attempt's teardown (in flight, breaker) ran.
        return subscribeUntilContent(
          first,
          (error) => (isFailure(error) ? { source: () => next(request, tried), delayMs: 0 } : undefined),
          scheduler,
        );
      }),
    stats: () => states.map((state) => state.stats()),
  };
}
