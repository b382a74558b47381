import type { OutputConfig, Tool } from '@anthropic-ai/sdk/resources/messages';
import { type CompletionRequest, LLMError } from '@rxllm/core';

/**
 * Name of the tool a `responseFormat` without a schema is sent as, when the format names none.
 *
 * @example
 * ```ts
 * jsonResponseToolName({ messages, responseFormat: { type: 'json' } }); // JSON_RESPONSE_TOOL_NAME ('json_response')
 * ```
 */
export const JSON_RESPONSE_TOOL_NAME = 'json_response';

const JSON_TOOL_DESCRIPTION = 'Give your answer as a JSON object: the input of this tool is the answer.';

/**
 * The tool a request's answer comes back through, or `undefined`. Anthropic's structured output
 * (`output_config.format`) needs a schema, so a `responseFormat` without one is asked for as a forced call of a tool
 * whose input is any JSON object; that tool's streamed input is the answer text.
 *
 * @example
 * ```ts
 * jsonResponseToolName({ messages, responseFormat: { type: 'json' } }); // 'json_response'
 * jsonResponseToolName({ messages, responseFormat: { type: 'json', schema } }); // undefined (native output_config)
 * ```
 */
export function jsonResponseToolName(request: CompletionRequest): string | undefined {
  const format = request.responseFormat;
  if (format === undefined || format.schema !== undefined) return undefined;
  return format.name ?? JSON_RESPONSE_TOOL_NAME;
}

/**
 * `output_config` for a `responseFormat` with a schema: `{ format: { type: 'json_schema', schema } }` (the GA
 * structured output of the Messages API, no beta header). `undefined` for none, or for one without a schema.
 *
 * @example
 * ```ts
 * outputConfigOf({ messages, responseFormat: { type: 'json', schema: { type: 'object' } } });
 * // { format: { type: 'json_schema', schema: { type: 'object' } } }
 * ```
 */
export function outputConfigOf(request: CompletionRequest): OutputConfig | undefined {
  const schema = request.responseFormat?.schema;
  return schema === undefined ? undefined : { format: { type: 'json_schema', schema } };
}

/**
 * The forced tool that carries a schemaless `responseFormat`: `{ name, description, input_schema: { type: 'object' } }`,
 * or `undefined` when the request needs none. Throws an `invalid-request` `LLMError` when the request also sets
 * `toolChoice` (the forced call takes its place) or has a tool of the same name.
 *
 * @example
 * ```ts
 * jsonResponseTool({ messages, responseFormat: { type: 'json' } }, 'anthropic');
 * // { name: 'json_response', description: 'Give your answer as a JSON object: …', input_schema: { type: 'object' } }
 * ```
 */
export function jsonResponseTool(request: CompletionRequest, provider: string): Tool | undefined {
  const name = jsonResponseToolName(request);
  if (name === undefined) return undefined;
  const conflict = (message: string) => new LLMError({ kind: 'invalid-request', provider, message });
  if (request.toolChoice !== undefined) {
    throw conflict(
      `${provider} sends a responseFormat without a schema as a forced call of the "${name}" tool, which cannot be combined with toolChoice; give the format a schema or leave toolChoice out`,
    );
  }
  if (request.tools?.some((tool) => tool.name === name)) {
    throw conflict(`the request has a tool named "${name}", the name of the tool its responseFormat is sent as`);
  }
  return {
    name,
    description: request.responseFormat?.description ?? JSON_TOOL_DESCRIPTION,
    input_schema: { type: 'object' },
  };
}
