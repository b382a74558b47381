import type { FinishReason } from '@rxllm/core';

const contentFilterReasons: ReadonlySet<string> = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
]);

const errorReasons: ReadonlySet<string> = new Set(['MALFORMED_FUNCTION_CALL', 'UNEXPECTED_TOOL_CALL']);

/**
 * Normalises a Gemini `finishReason`. `STOP` after a `functionCall` part is `tool-calls`, because Gemini has no
 * finish reason of its own for "the model wants a tool".
 *
 * @example
 * ```ts
 * normaliseFinishReason('MAX_TOKENS', false); // 'length'
 * normaliseFinishReason('STOP', true); // 'tool-calls'
 * ```
 */
export function normaliseFinishReason(rawReason: string, sawFunctionCall: boolean): FinishReason {
  if (rawReason === 'STOP') return sawFunctionCall ? 'tool-calls' : 'stop';
  if (rawReason === 'MAX_TOKENS') return 'length';
  if (contentFilterReasons.has(rawReason)) return 'content-filter';
  if (errorReasons.has(rawReason)) return 'error';
  return 'other';
}
