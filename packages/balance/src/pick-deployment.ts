import type { DeploymentState } from './deployment-state.js';

/**
 * How `balance` picks a deployment among those whose breaker admits a request: `weighted` at random in proportion
 * to `weight`; `least-in-flight` the one with the fewest open streams (ties: higher weight, then list order);
 * `lowest-ttft` the one with the lowest median recent time to first content (ties likewise), except that a
 * deployment without a sample yet goes first (the least loaded of those), so every deployment gets measured.
 *
 * @example
 * ```ts
 * const strategy: BalanceStrategy = 'least-in-flight';
 * ```
 */
export type BalanceStrategy = 'weighted' | 'least-in-flight' | 'lowest-ttft';

/** Higher weight first, then list order. */
const byWeightThenOrder = (left: DeploymentState, right: DeploymentState) =>
  right.weight - left.weight || left.order - right.order;

const lowestBy = (candidates: readonly DeploymentState[], score: (candidate: DeploymentState) => number) =>
  [...candidates].sort((left, right) => score(left) - score(right) || byWeightThenOrder(left, right))[0];

function pickWeighted(candidates: readonly DeploymentState[], random: () => number): DeploymentState | undefined {
  const total = candidates.reduce((sum, candidate) => sum + candidate.weight, 0);
  let point = random() * total;
  for (const candidate of candidates) {
    if (point < candidate.weight) return candidate;
    point -= candidate.weight;
  }
  return candidates.at(-1);
}

function pickLowestTtft(candidates: readonly DeploymentState[]): DeploymentState | undefined {
  const unmeasured = candidates.filter((candidate) => candidate.ttftMs() === undefined);
  if (unmeasured.length > 0) {
    return [...unmeasured].sort((left, right) => left.inFlight - right.inFlight || left.order - right.order)[0];
  }
  return lowestBy(candidates, (candidate) => candidate.ttftMs()!);
}

/** One of `candidates` (in list order) by `strategy`, or `undefined` when there are none (internal). */
export function pickDeployment(
  candidates: readonly DeploymentState[],
  strategy: BalanceStrategy,
  random: () => number,
): DeploymentState | undefined {
  switch (strategy) {
    case 'weighted':
      return pickWeighted(candidates, random);
    case 'least-in-flight':
      return lowestBy(candidates, (candidate) => candidate.inFlight);
    case 'lowest-ttft':
      return pickLowestTtft(candidates);
  }
}
