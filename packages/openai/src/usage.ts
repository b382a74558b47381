import type { Usage } from '@rxllm/core';

/**
 * The usage object of a Chat Completions chunk, as OpenAI and compatible servers send it (every field optional).
 *
 * @example
 * ```ts
 * const usage: OpenAIUsage = { prompt_tokens: 17, completion_tokens: 10, prompt_tokens_details: { cached_tokens: 0 } };
 * ```
 */
export interface OpenAIUsage {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  total_tokens?: number | null;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
  completion_tokens_details?: { reasoning_tokens?: number | null } | null;
}

/**
 * Maps Chat Completions usage to rxllm's {@link Usage}: `prompt_tokens` → `inputTokens`, `completion_tokens` →
 * `outputTokens`, `prompt_tokens_details.cached_tokens` → `cachedInputTokens`,
 * `completion_tokens_details.reasoning_tokens` → `reasoningTokens`. Fields the server did not report stay absent.
 *
 * @example
 * ```ts
 * usageFromOpenAI({ prompt_tokens: 17, completion_tokens: 10, total_tokens: 27 });
 * // { inputTokens: 17, outputTokens: 10, totalTokens: 27 }
 * ```
 */
export function usageFromOpenAI(usage: OpenAIUsage): Usage {
  const result: Usage = {};
  const set = (key: keyof Usage, value: number | null | undefined) => {
    if (typeof value === 'number' && Number.isFinite(value)) result[key] = value;
  };
  set('inputTokens', usage.prompt_tokens);
  set('outputTokens', usage.completion_tokens);
  set('totalTokens', usage.total_tokens);
  set('cachedInputTokens', usage.prompt_tokens_details?.cached_tokens);
  set('reasoningTokens', usage.completion_tokens_details?.reasoning_tokens);
  return result;
}

/**
 * The `usage` of a Responses API `Response` (every field optional, as compatible servers may leave some out).
 *
 * @example
 * ```ts
 * const usage: ResponsesUsage = { input_tokens: 45, output_tokens: 25, input_tokens_details: { cached_tokens: 0 } };
 * ```
 */
export interface ResponsesUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  total_tokens?: number | null;
  input_tokens_details?: { cached_tokens?: number | null } | null;
  output_tokens_details?: { reasoning_tokens?: number | null } | null;
}

/**
 * Maps Responses API usage to rxllm's {@link Usage}: `input_tokens` → `inputTokens`, `output_tokens` →
 * `outputTokens`, `total_tokens` → `totalTokens`, `input_tokens_details.cached_tokens` → `cachedInputTokens`,
 * `output_tokens_details.reasoning_tokens` → `reasoningTokens`.
 *
 * @example
 * ```ts
 * usageFromResponses({ input_tokens: 45, output_tokens: 25, total_tokens: 70, output_tokens_details: { reasoning_tokens: 9 } });
 * // { inputTokens: 45, outputTokens: 25, totalTokens: 70, reasoningTokens: 9 }
 * ```
 */
export function usageFromResponses(usage: ResponsesUsage): Usage {
  return usageFromOpenAI({
    prompt_tokens: usage.input_tokens,
    completion_tokens: usage.output_tokens,
    total_tokens: usage.total_tokens,
    prompt_tokens_details: usage.input_tokens_details,
    completion_tokens_details: usage.output_tokens_details,
  });
}
