import { LLMError, type LLMErrorKind } from '@rxllm/core';

/** Kinds that say the deployment itself is unwell; the others are about the request or the caller. */
const deploymentFailureKinds: ReadonlySet<LLMErrorKind> = new Set(['rate-limit', 'overloaded', 'timeout', 'network']);

/**
 * The default `isFailure` of a circuit breaker: an `LLMError` of kind `rate-limit`, `overloaded` (every 5xx and
 * Anthropic's 529), `timeout` or `network`, or any `LLMError` with a 5xx status. Not a failure: `invalid-request`,
 * `auth`, `not-found`, `content-filter`, `invalid-output`, `aborted`, and errors that are not `LLMError`s, because
 * another deployment of the same model would answer them the same way.
 *
 * @example
 * ```ts
 * // Also count 404s, e.g. when a deployment may lack the model:
 * const isFailure = (error: unknown) =>
 *   isBreakerFailure(error) || (LLMError.isInstance(error) && error.kind === 'not-found');
 * ```
 */
export function isBreakerFailure(error: unknown): boolean {
  if (!LLMError.isInstance(error)) return false;
  return deploymentFailureKinds.has(error.kind) || (error.status !== undefined && error.status >= 500);
}
