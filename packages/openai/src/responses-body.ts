import { type CompletionRequest, LLMError, type ResponseFormat, systemPrompt, type ToolChoice } from '@rxllm/core';
import type {
  ResponseCreateParamsStreaming,
  ResponseFormatTextConfig,
  ResponseInputItem,
} from 'openai/resources/responses/responses';
import { type PartContext, toResponsesUserContent } from './content-parts.js';
import { field, hasTools, type RequestBodyOptions } from './request-body.js';

/**
 * How {@link toResponsesBody} fills what the request leaves out: {@link RequestBodyOptions} without
 * `maxTokensField` (the Responses API has one field, `max_output_tokens`).
 *
 * @example
 * ```ts
 * const options: ResponsesBodyOptions = { model: 'gpt-5-mini', providerOptionKeys: ['openai'] };
 * ```
 */
export type ResponsesBodyOptions = Omit<RequestBodyOptions, 'maxTokensField'>;

function toInputItems(request: CompletionRequest, context: PartContext): ResponseInputItem[] {
  const items: ResponseInputItem[] = [];
  for (const message of request.messages) {
    switch (message.role) {
      case 'system':
        break; // joined into `instructions`
      case 'user':
        items.push({ role: 'user', content: toResponsesUserContent(message.content, context) });
        break;
      case 'assistant':
        if (message.content !== '' || (message.toolCalls ?? []).length === 0) {
          items.push({ role: 'assistant', content: message.content });
        }
        for (const call of message.toolCalls ?? []) {
          items.push({ type: 'function_call', call_id: call.id, name: call.name, arguments: call.arguments });
        }
        break;
      case 'tool':
        items.push({ type: 'function_call_output', call_id: message.toolCallId, output: message.content });
        break;
    }
  }
  return items;
}

/** `responseFormat` as `text.format`: a schema is Structured Outputs (`json_schema`), none is JSON mode. */
function toTextFormat(format: ResponseFormat): ResponseFormatTextConfig {
  if (format.schema === undefined) return { type: 'json_object' };
  return {
    type: 'json_schema',
    name: format.name ?? 'response',
    ...(format.description === undefined ? {} : { description: format.description }),
    schema: format.schema,
    strict: format.strict ?? true,
  };
}

function toToolChoice(choice: ToolChoice): ResponseCreateParamsStreaming['tool_choice'] {
  return typeof choice === 'string' ? choice : { type: 'function', name: choice.name };
}

/** `tools` (function tools, `strict: false` as Chat Completions has it), `tool_choice`, `parallel_tool_calls`. */
function toolFields(request: CompletionRequest, provider: string): Record<string, unknown> {
  const tools = request.tools ?? [];
  const choice = request.toolChoice;
  if (!hasTools(request, provider)) return {};
  return {
    // The Responses API makes function tools strict unless told otherwise, which refuses ordinary schemas.
    tools: tools.map((tool) => ({
      type: 'function',
      name: tool.name,
      ...(tool.description === undefined ? {} : { description: tool.description }),
      parameters: tool.parameters,
      strict: false,
    })),
    ...(choice === undefined ? {} : { tool_choice: toToolChoice(choice) }),
    ...(request.parallelToolCalls === undefined ? {} : { parallel_tool_calls: request.parallelToolCalls }),
  };
}

/**
 * Maps a {@link CompletionRequest} to a streaming Responses API body (`POST /responses`): the system prompt as
 * `instructions`, the conversation as `input` items (user content as `input_text` / `input_image` / `input_file`,
 * assistant text as an assistant message, its tool calls as `function_call` items, tool results as
 * `function_call_output`), `max_output_tokens`, `temperature`, `top_p`, function `tools` with `tool_choice` and
 * `parallel_tool_calls`, `responseFormat` as `text.format`, `user`; then `providerOptions.openai` (e.g.
 * `reasoning: { effort: 'low', summary: 'auto' }`) over it. `stream: true` and `store: false` always: the provider
 * keeps no state on the server. `seed` has no Responses field and is left out.
 *
 * Throws an `invalid-request` `LLMError` for `stop` (the Responses API has no stop sequences), for a content part the
 * server cannot take, and for a required or named `toolChoice` without tools.
 *
 * @example
 * ```ts
 * toResponsesBody({ system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }], maxTokens: 50 }, { model: 'gpt-5-mini' });
 * // { model: 'gpt-5-mini', instructions: 'Be brief.', input: [{ role: 'user', content: 'Hi' }], max_output_tokens: 50, stream: true, store: false }
 * ```
 */
export function toResponsesBody(
  request: CompletionRequest,
  options: ResponsesBodyOptions,
): ResponseCreateParamsStreaming {
  const defaults = options.defaults ?? {};
  const provider = options.provider ?? 'openai';
  const stop = request.stop ?? defaults.stop;
  if (stop !== undefined && stop.length > 0) {
    throw new LLMError({
      kind: 'invalid-request',
      provider,
      message: `${provider}: the Responses API has no stop sequences; leave out stop or use Chat Completions`,
    });
  }
  const body: Record<string, unknown> = {
    ...defaults.body,
    model: request.model ?? options.model,
    ...field('instructions', systemPrompt(request)),
    input: toInputItems(request, { provider, support: options.parts ?? {} }),
    ...field('temperature', request.temperature ?? defaults.temperature),
    ...field('max_output_tokens', request.maxTokens ?? defaults.maxTokens),
    ...field('top_p', request.topP ?? defaults.topP),
    ...toolFields(request, provider),
    ...field('text', request.responseFormat && { format: toTextFormat(request.responseFormat) }),
    ...field('user', request.user),
  };
  for (const key of options.providerOptionKeys ?? ['openai']) Object.assign(body, request.providerOptions?.[key]);
  body.stream = true;
  body.store = false;
  return body as unknown as ResponseCreateParamsStreaming;
}
