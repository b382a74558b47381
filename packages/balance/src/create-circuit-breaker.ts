import { LLMError } from '@rxllm/core';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { isBreakerFailure } from './is-breaker-failure.js';

/**
 * When a deployment's circuit breaker opens and for how long.
 *
 * @example
 * ```ts
 * const breaker: BreakerOptions = { failureThreshold: 5, cooldownMs: 10_000 };
 * ```
 */
export interface BreakerOptions {
  /** Consecutive failures that open the breaker. Default 3. A rate limit (429) opens it at once. */
  failureThreshold?: number;
  /**
   * How long the breaker stays open before it lets one trial request through. Default 30 000 ms. When the failure
   * that opens it carries a longer `retryAfterMs` (a 429's `retry-after`), that is the cooldown.
   */
  cooldownMs?: number;
  /** Which errors count as failures. Default {@link isBreakerFailure}; other errors count neither way. */
  isFailure?: (error: unknown) => boolean;
}

/**
 * Options of {@link createCircuitBreaker}: the breaker options and the clock.
 *
 * @example
 * ```ts
 * const options: CircuitBreakerOptions = { cooldownMs: 5_000, scheduler: asyncScheduler };
 * ```
 */
export interface CircuitBreakerOptions extends BreakerOptions {
  /** Time source (`now()` only); `asyncScheduler` by default, a `TestScheduler` or a fake clock in tests. */
  scheduler?: SchedulerLike;
}

/**
 * `closed` lets every request through; `open` none; `half-open` (the cooldown is over) one trial request at a time.
 *
 * @example
 * ```ts
 * const state: BreakerState = breaker.state;
 * ```
 */
export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * A circuit breaker for one deployment, made by {@link createCircuitBreaker}.
 *
 * @example
 * ```ts
 * if (breaker.admit()) send().subscribe({ complete: () => breaker.success(), error: (error) => breaker.failure(error) });
 * ```
 */
export interface CircuitBreaker {
  /** The state now: an open breaker whose cooldown is over reads `half-open`. */
  readonly state: BreakerState;
  /** Milliseconds until an `open` breaker turns `half-open`; `undefined` in any other state. */
  readonly reopensInMs: number | undefined;
  /** Whether {@link CircuitBreaker.admit} would let a request through now; changes nothing. */
  canAdmit(): boolean;
  /** Asks to send a request. In `half-open` the first call takes the one trial slot and the others get `false`. */
  admit(): boolean;
  /** An admitted request succeeded: closes the breaker (ends a trial) and resets the failure count. */
  success(): void;
  /**
   * An admitted request failed. Returns whether `isFailure` counted the error; an error it does not count changes
   * nothing (call {@link CircuitBreaker.release} for a trial that ended so).
   */
  failure(error: unknown): boolean;
  /** An admitted request ended without an outcome (unsubscribed): frees the `half-open` trial slot. */
  release(): void;
}

const isRateLimit = (error: unknown) =>
  LLMError.isInstance(error) && (error.kind === 'rate-limit' || error.status === 429);

const retryAfterOf = (error: unknown) => (LLMError.isInstance(error) ? (error.retryAfterMs ?? 0) : 0);

/**
 * A circuit breaker whose clock is an RxJS scheduler. `closed` → `open` after `failureThreshold` consecutive failures,
 * or at once on a rate limit; after `cooldownMs` (or a longer `retryAfterMs`) it is `half-open` and admits exactly
 * one trial request: its success closes the breaker, its failure opens it for another cooldown. A failure reported
 * while open (a request admitted earlier) restarts the cooldown from now if that ends later.
 *
 * ```
 * failures:  x x x . . . . . . . . . . trial ok
 * state:     c c o o o o o o o o o o h c
 * ```
 *
 * @example
 * ```ts
 * const breaker = createCircuitBreaker({ failureThreshold: 3, cooldownMs: 30_000 });
 * if (!breaker.admit()) throw new Error(`open for ${breaker.reopensInMs} ms`);
 * ```
 */
export function createCircuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  const failureThreshold = options.failureThreshold ?? 3;
  const cooldownMs = options.cooldownMs ?? 30_000;
  const isFailure = options.isFailure ?? isBreakerFailure;
  const scheduler = options.scheduler ?? asyncScheduler;
  if (!Number.isInteger(failureThreshold) || failureThreshold < 1) {
    throw new RangeError(`failureThreshold must be a whole number ≥ 1, got ${failureThreshold}`);
  }
  if (!Number.isFinite(cooldownMs) || cooldownMs < 0) {
    throw new RangeError(`cooldownMs must be a finite number ≥ 0, got ${cooldownMs}`);
  }

  let opened = false;
  let openUntil = 0;
  let consecutiveFailures = 0;
  let trialInFlight = false;

  const state = (): BreakerState => (!opened ? 'closed' : scheduler.now() < openUntil ? 'open' : 'half-open');
  const open = (error: unknown) => {
    const until = scheduler.now() + Math.max(cooldownMs, retryAfterOf(error));
    openUntil = opened && state() === 'open' ? Math.max(openUntil, until) : until;
    opened = true;
    trialInFlight = false;
    consecutiveFailures = 0;
  };

  return {
    get state() {
      return state();
    },
    get reopensInMs() {
      return state() === 'open' ? openUntil - scheduler.now() : undefined;
    },
    canAdmit: () => {
      const current = state();
      return current === 'closed' || (current === 'half-open' && !trialInFlight);
    },
    admit() {
      const current = state();
      if (current === 'closed') return true;
      if (current === 'open' || trialInFlight) return false;
      trialInFlight = true;
      return true;
    },
    success: () => {
      if (state() === 'open') return;
      opened = false;
      trialInFlight = false;
      consecutiveFailures = 0;
    },
    failure: (error) => {
      if (!isFailure(error)) return false;
      if (opened || isRateLimit(error) || ++consecutiveFailures >= failureThreshold) open(error);
      return true;
    },
    release: () => {
      if (state() === 'half-open') trialInFlight = false;
    },
  };
}
