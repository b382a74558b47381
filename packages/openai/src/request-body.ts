import { type CompletionRequest, systemPrompt } from '@rxllm/core';
import type {
  ChatCompletionCreateParamsStreaming,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';

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
  /** Extra body fields, merged before the request's `providerOptions`. */
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
}

function toMessages(request: CompletionRequest): ChatCompletionMessageParam[] {
  const messages: ChatCompletionMessageParam[] = [];
  const system = systemPrompt(request);
  if (system !== undefined) messages.push({ role: 'system', content: system });
  for (const message of request.messages) {
    switch (message.role) {
      case 'system':
        break; // already joined into the one system prompt above
      case 'user':
        messages.push({ role: 'user', content: message.content });
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
 * Maps a {@link CompletionRequest} to a streaming Chat Completions body: one system message (core's
 * `systemPrompt()`), the conversation with assistant tool calls and tool results, sampling settings (request first,
 * then `defaults`), function tools, `stream: true` with `stream_options.include_usage`, and finally
 * `providerOptions.openai` (and any other listed key) merged over the body. `stream` always stays `true`.
 *
 * @example
 * ```ts
 * toChatCompletionBody({ messages: [{ role: 'user', content: 'Hi' }], maxTokens: 50 }, {
 *   model: 'gpt-4.1-mini',
 *   maxTokensField: 'max_completion_tokens',
 * });
 * // { model: 'gpt-4.1-mini', messages: [...], max_completion_tokens: 50, stream: true, stream_options: { include_usage: true } }
 * ```
 */
export function toChatCompletionBody(
  request: CompletionRequest,
  options: RequestBodyOptions,
): ChatCompletionCreateParamsStreaming {
  const defaults = options.defaults ?? {};
  const temperature = request.temperature ?? defaults.temperature;
  const maxTokens = request.maxTokens ?? defaults.maxTokens;
  const topP = request.topP ?? defaults.topP;
  const stop = request.stop ?? defaults.stop;
  const body: Record<string, unknown> = {
    model: request.model ?? options.model,
    messages: toMessages(request),
    ...(temperature === undefined ? {} : { temperature }),
    ...(maxTokens === undefined ? {} : { [options.maxTokensField]: maxTokens }),
    ...(topP === undefined ? {} : { top_p: topP }),
    ...(stop === undefined || stop.length === 0 ? {} : { stop }),
    ...(request.tools && request.tools.length > 0
      ? {
          tools: request.tools.map((tool) => ({
            type: 'function',
            function: {
              name: tool.name,
              ...(tool.description === undefined ? {} : { description: tool.description }),
              parameters: tool.parameters,
            },
          })),
        }
      : {}),
    ...defaults.body,
  };
  for (const key of options.providerOptionKeys ?? ['openai']) Object.assign(body, request.providerOptions?.[key]);
  const streamOptions =
    typeof body.stream_options === 'object' && body.stream_options !== null ? body.stream_options : {};
  body.stream = true;
  body.stream_options = { ...streamOptions, include_usage: true };
  return body as unknown as ChatCompletionCreateParamsStreaming;
}
