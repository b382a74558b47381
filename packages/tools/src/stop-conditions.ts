import type { StepResult } from './step-result.js';

/**
 * Decides, after a step whose tool calls have run, that the loop ends there: `true` stops it. Conditions see every
 * step so far, the last one last.
 *
 * @example
 * ```ts
 * const spentTooMuch: StopCondition = ({ steps }) => steps.reduce((sum, s) => sum + (s.usage?.outputTokens ?? 0), 0) > 2_000;
 * ```
 */
export type StopCondition = (context: { steps: readonly StepResult[] }) => boolean;

/**
 * Stops once `count` steps have run (as `maxSteps` does, but combinable with other conditions).
 *
 * @example
 * ```ts
 * runTools({ provider, request, tools, stopWhen: stepCountIs(3) });
 * ```
 */
export function stepCountIs(count: number): StopCondition {
  return ({ steps }) => steps.length >= count;
}

/**
 * Stops after a step that called the tool `name` (its result has been produced, but the model does not see it):
 * a `finalAnswer` tool, for example.
 *
 * @example
 * ```ts
 * runTools({ provider, request, tools: { search, finalAnswer }, stopWhen: hasToolCall('finalAnswer') });
 * ```
 */
export function hasToolCall(name: string): StopCondition {
  return ({ steps }) => steps.at(-1)?.toolCalls.some((call) => call.name === name) ?? false;
}
