import type { ToolChoice } from '@anthropic-ai/sdk/resources/messages';
import { type CompletionRequest, LLMError } from '@rxllm/core';

/**
 * The Anthropic `tool_choice` of a request, or `undefined` to send none (the API's default, `auto`):
 * `'auto'` → `{ type: 'auto' }`, `'required'` → `{ type: 'any' }`, `'none'` → `{ type: 'none' }`,
 * `{ type: 'tool', name }` → `{ type: 'tool', name }`. `parallelToolCalls: false` adds
 * `disable_parallel_tool_use: true` (on `{ type: 'auto' }` when no `toolChoice` is set; `none` calls no tool at all).
 * `jsonToolName` (a schemaless `responseFormat`) forces that tool, one call. With no tools there is no `tool_choice`;
 * a choice that needs a tool the request does not have is an `invalid-request` `LLMError`.
 *
 * @example
 * ```ts
 * toToolChoice({ messages, tools, toolChoice: 'required', parallelToolCalls: false }, ['weather'], 'anthropic');
 * // { type: 'any', disable_parallel_tool_use: true }
 * ```
 */
export function toToolChoice(
  request: CompletionRequest,
  toolNames: readonly string[],
  provider: string,
  jsonToolName?: string,
): ToolChoice | undefined {
  if (jsonToolName !== undefined) return { type: 'tool', name: jsonToolName, disable_parallel_tool_use: true };
  const choice = request.toolChoice;
  const invalid = (message: string) => new LLMError({ kind: 'invalid-request', provider, message });
  if (toolNames.length === 0) {
    if (choice === 'required' || typeof choice === 'object') {
      throw invalid(`toolChoice ${JSON.stringify(choice)} needs tools, and the request has none`);
    }
    return undefined;
  }
  const parallel = request.parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
  switch (choice) {
    case undefined:
      return request.parallelToolCalls === false ? { type: 'auto', ...parallel } : undefined;
    case 'auto':
      return { type: 'auto', ...parallel };
    case 'required':
      return { type: 'any', ...parallel };
    case 'none':
      return { type: 'none' };
    default:
      if (typeof choice !== 'object' || choice.type !== 'tool') {
        throw invalid(`unknown toolChoice ${JSON.stringify(choice)}`);
      }
      if (!toolNames.includes(choice.name)) {
        throw invalid(`toolChoice names the tool "${choice.name}", which is not among the request's tools`);
      }
      return { type: 'tool', name: choice.name, ...parallel };
  }
}
