import { type CompletionRequest, LLMError, type ResponseFormat, systemPrompt, type ToolChoice } from '@rxllm/core';
import type {
  ChatCompletionCreateParamsStreaming,
  ChatCompletionMessageParam,
  ChatCompletionToolChoiceOption,
} from 'openai/resources/chat/completions';
import type { ResponseFormatJSONObject, ResponseFormatJSONSchema } from 'openai/resources/shared';
import { type OpenAIPartSupport, type PartContext, toOpenAIUserContent } from './content-parts.js';

/**
 * Which body field carries `maxTokens`: OpenAI wants `max_completion_tokens`, most compatible servers `max_tokens`.
 *
 * @example
 * ```ts
 * createOpenAI({ baseURL: 'http://vllm:8000/v1', apiKey, maxTokensField: 'max_tokens' });
 * ```
 */
export type MaxTokensField = 'max_completion_tokens' | 'max_tokens';

/**
 * Request settings applied when a request leaves them out.
 *
 * @example
 * ```ts
 * createOpenAI({ apiKey, defaults: { temperature: 0.3, maxTokens: 500, body: { seed: 7 } } });
 * ```
 */
export interface OpenAIRequestDefaults {
  temperature?: number;
  maxTokens?: number;
  topP?: number;
  stop?: string[];
  /**
   * Extra body fields. Every field the request maps goes over them (a request's `seed` beats `body.seed`), and the
   * request's `providerOptions` go over everything.
   */
  body?: Record<string, unknown>;
}

/**
 * How {@link toChatCompletionBody} fills what the request leaves out.
 *
 * @example
 * ```ts
 * const options: RequestBodyOptions = { model: 'gpt-4.1-mini', maxTokensField: 'max_completion_tokens' };
 * ```
 */
export interface RequestBodyOptions {
  model: string;
  maxTokensField: MaxTokensField;
  defaults?: OpenAIRequestDefaults;
  /** `providerOptions` keys merged into the body, in order (e.g. `['openai']`, or `['openai', 'ollama']`). */
  providerOptionKeys?: readonly string[];
  /** Provider name in errors about the request (a part the server cannot take); default `openai`. */
  provider?: string;
  /** Which content parts the server takes; default all of them (OpenAI). */
  parts?: OpenAIPartSupport;
}

function toMessages(request: CompletionRequest, context: PartContext): ChatCompletionMessageParam[] {
  const messages: ChatCompletionMessageParam[] = [];
  const system = systemPrompt(request);
  if (system !== undefined) messages.push({ role: 'system', content: system });
  for (const message of request.messages) {
    switch (message.role) {
      case 'system':
        break; // already joined into the one system prompt above
      case 'user':
        messages.push({ role: 'user', content: toOpenAIUserContent(message.content, context) });
        break;
      case 'assistant': {
        const toolCalls = message.toolCalls ?? [];
        if (toolCalls.length === 0) {
          messages.push({ role: 'assistant', content: message.content });
          break;
        }
        messages.push({
          role: 'assistant',
          content: message.content === '' ? null : message.content,
          tool_calls: toolCalls.map((call) => ({
            id: call.id,
            type: 'function' as const,
            function: { name: call.name, arguments: call.arguments },
          })),
        });
        break;
      }
      case 'tool':
        messages.push({ role: 'tool', tool_call_id: message.toolCallId, content: message.content });
        break;
    }
  }
  return messages;
}

/**
 * `responseFormat` as Chat Completions' `response_format`: with a schema, Structured Outputs (`json_schema`, name
 * `response` unless given, strict unless `strict: false`); without, JSON mode (`json_object`).
 */
function toResponseFormat(format: ResponseFormat): ResponseFormatJSONSchema | ResponseFormatJSONObject {
  if (format.schema === undefined) return { type: 'json_object' };
  return {
    type: 'json_schema',
    json_schema: {
      name: format.name ?? 'response',
      ...(format.description === undefined ? {} : { description: format.description }),
      schema: format.schema,
      strict: format.strict ?? true,
    },
  };
}

function toToolChoice(choice: ToolChoice): ChatCompletionToolChoiceOption {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}

/**
 * Whether the request has tools. Without them `auto`/`none` mean what no tools mean, but a required or named tool
 * call cannot be met: that is an `invalid-request` error, thrown before any request. Internal (both body mappers).
 */
export function hasTools(request: CompletionRequest, provider: string): boolean {
  if ((request.tools ?? []).length > 0) return true;
  const choice = request.toolChoice;
  if (choice === 'required' || typeof choice === 'object') {
    const what = choice === 'required' ? "toolChoice 'required'" : `toolChoice naming "${choice.name}"`;
    throw new LLMError({ kind: 'invalid-request', provider, message: `${provider}: ${what} needs tools` });
  }
  return false;
}

/**
 * `tools`, `tool_choice` and `parallel_tool_calls`. The last two go only with tools, since OpenAI refuses them
 * alone; `auto`/`none` without tools mean what no tools mean, but a required or named tool call cannot be met.
 */
function toolFields(request: CompletionRequest, provider: string): Record<string, unknown> {
  const tools = request.tools ?? [];
  const choice = request.toolChoice;
  if (!hasTools(request, provider)) return {};
  return {
    tools: tools.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description === undefined ? {} : { description: tool.description }),
        parameters: tool.parameters,
      },
    })),
    ...(choice === undefined ? {} : { tool_choice: toToolChoice(choice) }),
    ...(request.parallelToolCalls === undefined ? {} : { parallel_tool_calls: request.parallelToolCalls }),
  };
}

/** `{ [name]: value }`, or nothing when the value is undefined. Internal (both body mappers). */
export function field(name: string, value: unknown): Record<string, unknown> {
  return value === undefined ? {} : { [name]: value };
}

/**
 * Maps a {@link CompletionRequest} to a streaming Chat Completions body: one system message (core's
 * `systemPrompt()`), the conversation (user content parts as `text` / `image_url` / `file` parts, assistant tool
 * calls, tool results), sampling settings (request first, then `defaults`), function tools with `tool_choice` and
 * `parallel_tool_calls`, `response_format`, `seed`, `user`, `stream: true` with `stream_options.include_usage`, and
 * finally `providerOptions.openai` (and any other listed key) merged over the body. `defaults.body` sits under
 * every mapped field. `stream` always stays `true`.
 *
 * Throws an `invalid-request` `LLMError` for a content part the server cannot take (a file by URL, or what
 * `options.parts` rules out) and for a required or named `toolChoice` without tools.
 *
 * @example
 * ```ts
 * toChatCompletionBody({ messages: [{ role: 'user', content: 'Hi' }], maxTokens: 50, seed: 7 }, {
 *   model: 'gpt-4.1-mini',
 *   maxTokensField: 'max_completion_tokens',
 * });
 * // { model: 'gpt-4.1-mini', messages: [...], max_completion_tokens: 50, seed: 7, stream: true, stream_options: { include_usage: true } }
 * ```
 */
export function toChatCompletionBody(
  request: CompletionRequest,
  options: RequestBodyOptions,
): ChatCompletionCreateParamsStreaming {
  const defaults = options.defaults ?? {};
  const provider = options.provider ?? 'openai';
  const stop = request.stop ?? defaults.stop;
  const body: Record<string, unknown> = {
    ...defaults.body,
    model: request.model ?? options.model,
    messages: toMessages(request, { provider, support: options.parts ?? {} }),
    ...field('temperature', request.temperature ?? defaults.temperature),
    ...field(options.maxTokensField, request.maxTokens ?? defaults.maxTokens),
    ...field('top_p', request.topP ?? defaults.topP),
    ...(stop === undefined || stop.length === 0 ? {} : { stop }),
    ...toolFields(request, provider),
    ...field('response_format', request.responseFormat && toResponseFormat(request.responseFormat)),
    ...field('seed', request.seed),
    ...field('user', request.user),
  };
  for (const key of options.providerOptionKeys ?? ['openai']) Object.assign(body, request.providerOptions?.[key]);
  const streamOptions =
    typeof body.stream_options === 'object' && body.stream_options !== null ? body.stream_options : {};
  body.stream = true;
  body.stream_options = { ...streamOptions, include_usage: true };
  return body as unknown as ChatCompletionCreateParamsStreaming;
}
