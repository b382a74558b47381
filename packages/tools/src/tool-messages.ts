import type { Message, ToolResultChunk } from '@rxllm/core';
import type { PreparedCall } from './prepare-call.js';

/**
 * The text a result goes back to the model as: a string output as it is (an MCP server's text, a tool's prose: no
 * JSON quoting and escaping to read through), any other output as JSON (`null` for none), or `{"error": message}`
 * for an error (a denial included). An output that is not JSON-serialisable goes back as an error saying so.
 *
 * @example
 * ```ts
 * toolResultContent(result); // '{"celsius":21}', 'It is sunny.', or '{"error":"The call of transfer was denied: too much"}'
 * ```
 */
export function toolResultContent(result: ToolResultChunk): string {
  if (result.error) return JSON.stringify({ error: result.error.message });
  if (typeof result.output === 'string') return result.output;
  try {
    return JSON.stringify(result.output ?? null);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return JSON.stringify({ error: `The output of ${result.name} is not JSON: ${reason}` });
  }
}

/**
 * The assistant turn of a step with tool calls, as the history needs it: its text and every call. Arguments that
 * are not a JSON object (not JSON at all, an array) are sent as `{}`: Anthropic and Gemini take only objects there,
 * and the call's error result tells the model what was wrong with what it sent.
 */
export function assistantMessage(text: string, calls: readonly PreparedCall[]): Message {
  return {
    role: 'assistant',
    content: text,
    toolCalls: calls.map(({ chunk, jsonObject }) => ({
      id: chunk.id,
      name: chunk.name,
      arguments: jsonObject && chunk.arguments.trim() !== '' ? chunk.arguments : '{}',
    })),
  };
}

/**
 * The `tool` messages of a step, one per call in the order of the calls (not the order they finished in).
 *
 * @example
 * ```ts
 * toolMessages(calls, results); // [{ role: 'tool', toolCallId: 'call_1', name: 'weather', content: '{"celsius":21}' }]
 * ```
 */
export function toolMessages(calls: readonly PreparedCall[], results: ReadonlyMap<string, ToolResultChunk>): Message[] {
  return calls.map(({ chunk }) => {
    const result = results.get(chunk.id);
    const content = result ? toolResultContent(result) : JSON.stringify({ error: `${chunk.name} gave no result` });
    return { role: 'tool', toolCallId: chunk.id, name: chunk.name, content };
  });
}
