import type {
  ContentBlockParam,
  MessageCreateParamsStreaming,
  MessageParam,
  Tool,
  ToolResultBlockParam,
} from '@anthropic-ai/sdk/resources/messages';
import { type CacheControl, type CompletionRequest, type ContentPart, LLMError, systemPrompt } from '@rxllm/core';
import { toContentBlocks } from './content-blocks.js';
import { jsonResponseTool, jsonResponseToolName, outputConfigOf } from './response-format.js';
import { toToolChoice } from './tool-choice.js';

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

/** A user turn's content: a string as it is, parts as content blocks (`''` when none is left). */
function toUserContent(content: string | ContentPart[], provider: string): MessageParam['content'] {
  if (typeof content === 'string') return content;
  const blocks = toContentBlocks(content, provider);
  return blocks.length > 0 ? blocks : '';
}

/**
 * A message's `cacheControl` as the `cache_control` of its last block (string content becomes one text block to carry
 * it); a message without one as it is.
 */
function withCacheBreakpoint(
  role: 'user' | 'assistant',
  content: string | ContentBlockParam[],
  cacheControl: CacheControl | undefined,
): MessageParam {
  if (!cacheControl) return { role, content };
  const blocks: ContentBlockParam[] = typeof content === 'string' ? [{ type: 'text', text: content }] : [...content];
  const last = blocks.at(-1);
  if (!last || (last.type === 'text' && last.text === '')) return { role, content };
  blocks[blocks.length - 1] = { ...last, cache_control: cacheControl } as ContentBlockParam;
  return { role, content: blocks };
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
        ...(message.cacheControl ? { cache_control: message.cacheControl } : {}),
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
      messages.push(withCacheBreakpoint('assistant', content, message.cacheControl));
      continue;
    }
    const content = message.role === 'user' ? toUserContent(message.content, provider) : message.content;
    messages.push(withCacheBreakpoint(message.role, content as string | ContentBlockParam[], message.cacheControl));
  }
  return messages;
}

/**
 * The system prompt: a string, or one text block carrying `cache_control` when a `system` message has a
 * `cacheControl` (the last one given wins).
 */
function toSystem(request: CompletionRequest): MessageCreateParamsStreaming['system'] {
  const system = systemPrompt(request);
  if (system === undefined) return undefined;
  const cacheControl = request.messages
    .filter((message) => message.role === 'system' && message.cacheControl)
    .at(-1)?.cacheControl;
  return cacheControl ? [{ type: 'text', text: system, cache_control: cacheControl }] : system;
}

/** The request's tools, then the forced tool of a schemaless `responseFormat`; `undefined` when there are none. */
function toTools(request: CompletionRequest, provider: string): Tool[] | undefined {
  const tools: Tool[] = (request.tools ?? []).map((tool) => ({
    name: tool.name,
    ...(tool.description === undefined ? {} : { description: tool.description }),
    input_schema: { type: 'object', ...tool.parameters } as Tool.InputSchema,
    ...(tool.cacheControl ? { cache_control: tool.cacheControl } : {}),
  }));
  const jsonTool = jsonResponseTool(request, provider);
  if (jsonTool) tools.push(jsonTool);
  return tools.length === 0 ? undefined : tools;
}

const asRecord = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/**
 * Object fields the request sets (`metadata`, `output_config`) are merged key by key with the same fields of
 * `defaults.body` (under them) and `providerOptions.anthropic` (over them), instead of one replacing the others.
 */
function mergeObjectFields(
  body: Record<string, unknown>,
  fields: Record<string, Record<string, unknown> | undefined>,
  under: Record<string, unknown> | undefined,
  over: Record<string, unknown> | undefined,
): void {
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    body[key] = { ...asRecord(under?.[key]), ...value, ...asRecord(over?.[key]) };
  }
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
 * The Anthropic Messages body for a request: `system` from `systemPrompt()`, user/assistant text, user content parts
 * as `text` / `image` / `document` blocks, assistant tool calls as `tool_use` blocks (arguments parsed), tool results
 * as `tool_result` blocks of one user message per run, `max_tokens` (request, then defaults, then 4096),
 * `temperature`, `top_p`, `stop_sequences`, `tools`, `tool_choice` (with `disable_parallel_tool_use` for
 * `parallelToolCalls: false`), `cacheControl` (on parts, messages, `system` messages and tools) as `cache_control`
 * on the block, the message's last block, the system prompt and the tool, `responseFormat` as `output_config.format` (with a schema) or a forced `json_response`
 * tool (without), `user` as `metadata.user_id`, then `providerOptions.anthropic` merged over it. `seed` is not sent
 * (Anthropic has none). `stream` is always `true`. Throws an `invalid-request` `LLMError` for a part or a
 * combination Anthropic cannot take.
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
  const system = toSystem(request);
  const temperature = request.temperature ?? defaults.temperature;
  const topP = request.topP ?? defaults.topP;
  const stop = request.stop ?? defaults.stop;
  const tools = toTools(request, provider);
  const toolChoice = toToolChoice(
    request,
    (tools ?? []).map((tool) => tool.name),
    provider,
    jsonResponseToolName(request),
  );
  const body: Record<string, unknown> = {
    model: request.model ?? options.model,
    max_tokens: request.maxTokens ?? defaults.maxTokens ?? DEFAULT_MAX_TOKENS,
    messages: toMessages(request, provider),
    ...(system === undefined ? {} : { system }),
    ...(temperature === undefined ? {} : { temperature }),
    ...(topP === undefined ? {} : { top_p: topP }),
    ...(stop === undefined || stop.length === 0 ? {} : { stop_sequences: stop }),
    ...(tools === undefined ? {} : { tools }),
    ...(toolChoice === undefined ? {} : { tool_choice: toolChoice }),
    ...defaults.body,
    ...request.providerOptions?.anthropic,
    stream: true,
  };
  // `seed` has no Anthropic equivalent and is not sent.
  mergeObjectFields(
    body,
    {
      metadata: request.user === undefined ? undefined : { user_id: request.user },
      output_config: outputConfigOf(request) as Record<string, unknown> | undefined,
    },
    defaults.body,
    request.providerOptions?.anthropic,
  );
  return body as unknown as MessageCreateParamsStreaming;
}
