import type { FinishReason } from '@rxllm/core';

const finishReasons: Readonly<Record<string, FinishReason>> = {
  stop: 'stop',
  length: 'length',
  content_filter: 'content-filter',
  tool_calls: 'tool-calls',
  // The legacy single-function form of a tool call.
  function_call: 'tool-calls',
  error: 'error',
};

/**
 * Normalises a Chat Completions `finish_reason` (`stop`, `length`, `content_filter`, `tool_calls`, legacy
 * `function_call`, and `error` as some compatible servers send it); anything else is `other`.
 *
 * @example
 * ```ts
 * finishReasonFromOpenAI('content_filter'); // 'content-filter'
 * ```
 */
export function finishReasonFromOpenAI(rawReason: string): FinishReason {
  return Object.hasOwn(finishReasons, rawReason) ? (finishReasons[rawReason] as FinishReason) : 'other';
}
