export type { BalancedProvider, BalanceOptions } from './balance.js';
export { balance } from './balance.js';
export type { BreakerOptions, BreakerState, CircuitBreaker, CircuitBreakerOptions } from './create-circuit-breaker.js';
export { createCircuitBreaker } from './create-circuit-breaker.js';
export type { Deployment, DeploymentStats } from './deployment.js';
export { isBreakerFailure } from './is-breaker-failure.js';
export type { BalanceStrategy } from './pick-deployment.js';
