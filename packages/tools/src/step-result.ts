import type { Completion, FinishReason, ToolCallReadyChunk, ToolResultChunk, Usage } from '@rxllm/core';

/**
 * One finished step of a tool loop, as stop conditions and `toolChoice` functions see it.
 *
 * @example
 * ```ts
 * const lastCalls = (steps: readonly StepResult[]) => steps.at(-1)?.toolCalls.map((call) => call.name) ?? [];
 * ```
 */
export interface StepResult {
  /** 1-based. */
  step: number;
  text: string;
  reasoning: string;
  toolCalls: readonly ToolCallReadyChunk[];
  /** The final result of every call, in the order of `toolCalls`. */
  toolResults: readonly ToolResultChunk[];
  finishReason: FinishReason;
  rawFinishReason: string | undefined;
  usage: Usage | undefined;
}

const USAGE_FIELDS = ['inputTokens', 'outputTokens', 'totalTokens', 'cachedInputTokens', 'reasoningTokens'] as const;

/**
 * The sum of the usage of several steps, field by field; a field none of them reports stays out.
 *
 * @example
 * ```ts
 * sumUsage([{ inputTokens: 10, outputTokens: 2 }, { inputTokens: 14, outputTokens: 5 }]); // { inputTokens: 24, outputTokens: 7 }
 * ```
 */
export function sumUsage(usages: ReadonlyArray<Usage | undefined>): Usage | undefined {
  const total: Usage = {};
  for (const usage of usages) {
    for (const field of USAGE_FIELDS) {
      const value = usage?.[field];
      if (value !== undefined) total[field] = (total[field] ?? 0) + value;
    }
  }
  return Object.keys(total).length > 0 ? total : undefined;
}

/** The step's result from its model answer, its assembled calls and their final results (in call order). */
export function stepResult(
  step: number,
  completion: Completion,
  toolCalls: readonly ToolCallReadyChunk[],
  toolResults: readonly ToolResultChunk[],
): StepResult {
  return {
    step,
    text: completion.text,
    reasoning: completion.reasoning,
    toolCalls,
    toolResults,
    finishReason: completion.finishReason ?? 'other',
    rawFinishReason: completion.rawFinishReason,
    usage: completion.usage,
  };
}
