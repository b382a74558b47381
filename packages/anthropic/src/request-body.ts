import type {
  ContentBlockParam,
  MessageCreateParamsStreaming,
  MessageParam,
  Tool,
  ToolResultBlockParam,
} from '@anthropic-ai/sdk/resources/messages';
import { type CompletionRequest, LLMError, systemPrompt } from '@rxllm/core';

/**
 * Settings applied when a request leaves them out. Anthropic requires `max_tokens`, so it always has a value.
 *
 * @example
 * ```ts
 * createAnthropic({ defaults: { maxTokens: 8000, body: { thinking: { type: 'enabled', budget_tokens: 4000 } } } });
 * ```
 */
export interface AnthropicRequestDefaults {
  /** `max_tokens` when the request sets no `maxTokens` (default {@link DEFAULT_MAX_TOKENS}). */
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stop?: string[];
  /** Extra body fields (e.g. `thinking`), under the request's own `providerOptions.anthropic`. */
  body?: Record<string, unknown>;
}

/**
 * `max_tokens` used when neither the request nor the provider's defaults set one.
 *
 * @example
 * ```ts
 * // A request that sets no `maxTokens` asks for DEFAULT_MAX_TOKENS (4096); this provider asks for twice that.
 * createAnthropic({ defaults: { maxTokens: 2 * DEFAULT_MAX_TOKENS } });
 * ```
 */
export const DEFAULT_MAX_TOKENS = 4096;

function parseToolArguments(text: string, name: string, provider: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new LLMError({
      kind: 'invalid-request',
      provider,
      message: `the arguments of the assistant's tool call "${name}" are not valid JSON`,
      cause,
    });
  }
}

function toMessages(request: CompletionRequest, provider: string): MessageParam[] {
  const messages: MessageParam[] = [];
  // Tool results travel as `tool_result` blocks of a user message; consecutive ones share that message.
  let pendingResults: ToolResultBlockParam[] | undefined;
  for (const message of request.messages) {
    if (message.role === 'system') continue;
    if (message.role === 'tool') {
      const block: ToolResultBlockParam = {
        type: 'tool_result',
        tool_use_id: message.toolCallId,
        content: message.content,
      };
      if (pendingResults) {
        pendingResults.push(block);
      } else {
        pendingResults = [block];
        messages.push({ role: 'user', content: pendingResults });
      }
      continue;
    }
    pendingResults = undefined;
    if (message.role === 'assistant' && message.toolCalls && message.toolCalls.length > 0) {
      const content: ContentBlockParam[] = [];
      if (message.content) content.push({ type: 'text', text: message.content });
      for (const call of message.toolCalls) {
        content.push({
          type: 'tool_use',
          id: call.id,
          name: call.name,
          input: parseToolArguments(call.arguments, call.name, provider),
        });
      }
      messages.push({ role: 'assistant', content });
      continue;
    }
    messages.push({ role: message.role, content: message.content });
  }
  return messages;
}

function toTools(request: CompletionRequest): Tool[] | undefined {
  if (!request.tools || request.tools.length === 0) return undefined;
  return request.tools.map((tool) => ({
    name: tool.name,
    ...(tool.description === undefined ? {} : { description: tool.description }),
    input_schema: { type: 'object', ...tool.parameters } as Tool.InputSchema,
  }));
}

/**
 * Options of {@link toMessageCreateParams}.
 *
 * @example
 * ```ts
 * const options: ToMessageCreateParamsOptions = { model: 'claude-sonnet-5-5', defaults: { maxTokens: 1024 } };
 * ```
 */
export interface ToMessageCreateParamsOptions {
  /** Model used when the request names none. */
  model: string;
  defaults?: AnthropicRequestDefaults;
  /** Provider name, for error messages (default `anthropic`). */
  provider?: string;
}

/**
 * The Anthropic Messages body for a request: `system` from `systemPrompt()`, user/assistant text, assistant tool calls
 * as `tool_use` blocks (arguments parsed), tool results as `tool_result` blocks of one user message per run,
 * `max_tokens` (request, then defaults, then 4096), `temperature`, `top_p`, `stop_sequences`, `tools`, then
 * `providerOptions.anthropic` merged over it. `stream` is always `true`.
 *
 * @example
 * ```ts
 * const body = toMessageCreateParams({ messages: [{ role: 'user', content: 'Hi' }] }, { model: 'claude-sonnet-5-5' });
 * // { model: 'claude-sonnet-5-5', max_tokens: 4096, messages: [{ role: 'user', content: 'Hi' }], stream: true }
 * ```
 */
export function toMessageCreateParams(
  request: CompletionRequest,
  options: ToMessageCreateParamsOptions,
): MessageCreateParamsStreaming {
  const provider = options.provider ?? 'anthropic';
  const defaults = options.defaults ?? {};
  const system = systemPrompt(request);
  const temperature = request.temperature ?? defaults.temperature;
  const topP = request.topP ?? defaults.topP;
  const stop = request.stop ?? defaults.stop;
  const tools = toTools(request);
  const body: Record<string, unknown> = {
    model: request.model ?? options.model,
    max_tokens: request.maxTokens ?? defaults.maxTokens ?? DEFAULT_MAX_TOKENS,
    messages: toMessages(request, provider),
    ...(system === undefined ? {} : { system }),
    ...(temperature === undefined ? {} : { temperature }),
    ...(topP === undefined ? {} : { top_p: topP }),
    ...(stop === undefined || stop.length === 0 ? {} : { stop_sequences: stop }),
    ...(tools === undefined ? {} : { tools }),
    ...defaults.body,
    ...request.providerOptions?.anthropic,
    stream: true,
  };
  return body as unknown as MessageCreateParamsStreaming;
}
