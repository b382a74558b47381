import type { FinishReason } from '@rxllm/core';

/**
 * The normalised finish reason for an Anthropic `stop_reason`: `end_turn` and `stop_sequence` → `stop`,
 * `max_tokens` → `length`, `tool_use` → `tool-calls`, `refusal` → `content-filter`, anything else
 * (`pause_turn`, `model_context_window_exceeded`, a missing or future value) → `other`.
 *
 * @example
 * ```ts
 * finishReasonFromStopReason('max_tokens'); // 'length'
 * ```
 */
export function finishReasonFromStopReason(stopReason: string | null | undefined): FinishReason {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool-calls';
    case 'refusal':
      return 'content-filter';
    default:
      return 'other';
  }
}
