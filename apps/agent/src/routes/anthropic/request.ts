import type {
  AssistantToolCall,
  CacheControl,
  CompletionRequest,
  ContentPart,
  MediaSource,
  Message,
  ResponseFormat,
  ToolChoice,
  ToolDefinition,
} from '@rxllm/core';
import { messageText } from '@rxllm/core';
import { z } from 'zod';
import type { AgentConfig } from '../../config.js';
import { parseVendorBody } from '../../generation/chat-request.js';
import { cacheControlSchema, checkContentParts, type PartLimits } from '../../generation/content-parts.js';
import { jsonSchemaProblem } from '../../generation/json-schema.js';
import { HttpError } from '../../http/errors.js';

const text = z.string({ error: 'must be a string' });
/** Anthropic's prompt-cache breakpoint, on any block, a system block and a tool. */
const cache_control = cacheControlSchema.nullish();
const textBlock = z.looseObject({ type: z.literal('text'), text, cache_control });
const mediaSource = z.discriminatedUnion(
  'type',
  [
    z.looseObject({ type: z.literal('base64'), media_type: text, data: text }),
    z.looseObject({ type: z.literal('url'), url: text }),
  ],
  { error: 'source.type must be base64 or url (the Files API, file, is not supported)' },
);
const imageBlock = z.looseObject({ type: z.literal('image'), source: mediaSource, cache_control });
const documentBlock = z.looseObject({
  type: z.literal('document'),
  source: z.discriminatedUnion(
    'type',
    [
      z.looseObject({ type: z.literal('base64'), media_type: text, data: text }),
      z.looseObject({ type: z.literal('url'), url: text }),
      z.looseObject({ type: z.literal('text'), data: text }),
    ],
    { error: 'source.type must be base64, url or text (content and file are not supported)' },
  ),
  title: text.nullish(),
  cache_control,
});
const toolResultBlock = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: text.min(1, { error: 'must not be empty' }),
  content: z
    .union([text, z.array(textBlock, { error: 'only text blocks are supported in a tool_result' })], {
      error: 'must be a string or an array of text blocks',
    })
    .optional(),
  is_error: z.boolean({ error: 'must be true or false' }).optional(),
  cache_control,
});
const toolName = text.regex(/^[a-zA-Z0-9_-]{1,64}$/, { error: 'must be 1 to 64 letters, digits, _ or -' });
const toolUseBlock = z.looseObject({
  type: z.literal('tool_use'),
  id: text.min(1, { error: 'must not be empty' }),
  name: toolName,
  input: z.record(z.string(), z.unknown(), { error: 'must be an object' }),
  cache_control,
});
// Earlier thinking goes back to Anthropic signed; no other vendor takes it, and the core has no field for it.
const thinkingBlock = z.looseObject({ type: z.enum(['thinking', 'redacted_thinking']) });

const userBlock = z.discriminatedUnion('type', [textBlock, imageBlock, documentBlock, toolResultBlock], {
  error: 'must be a text, image, document or tool_result block',
});
const assistantBlock = z.discriminatedUnion('type', [textBlock, toolUseBlock, thinkingBlock], {
  error: 'must be a text, tool_use, thinking or redacted_thinking block',
});
const systemContent = z.union([text, z.array(textBlock)], { error: 'must be a string or an array of text blocks' });

const messageSchema = z.discriminatedUnion(
  'role',
  [
    z.looseObject({
      role: z.literal('user'),
      content: z.union([text, z.array(userBlock)], { error: 'must be a string or an array of content blocks' }),
    }),
    z.looseObject({
      role: z.literal('assistant'),
      content: z.union([text, z.array(assistantBlock)], { error: 'must be a string or an array of content blocks' }),
    }),
    z.looseObject({ role: z.literal('system'), content: systemContent }),
  ],
  { error: 'role must be user or assistant' },
);

const toolSchema = z.looseObject({
  // Server tools (web_search_…, bash_…) would need the vendor to run them: only custom tools pass through.
  type: z.literal('custom', { error: 'only custom tools are supported (server tools need Anthropic)' }).optional(),
  name: toolName,
  description: text.optional(),
  input_schema: z.record(z.string(), z.unknown(), { error: 'must be a JSON Schema object' }),
  cache_control,
});

const toolChoiceSchema = z.discriminatedUnion(
  'type',
  [
    z.looseObject({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().optional() }),
    z.looseObject({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().optional() }),
    z.looseObject({ type: z.literal('tool'), name: toolName, disable_parallel_tool_use: z.boolean().optional() }),
    z.looseObject({ type: z.literal('none') }),
  ],
  { error: 'type must be auto, any, tool or none' },
);

const thinkingSchema = z.discriminatedUnion(
  'type',
  [
    z.looseObject({ type: z.literal('enabled'), budget_tokens: z.number().int({ error: 'must be an integer' }) }),
    z.looseObject({ type: z.literal('disabled') }),
    z.looseObject({ type: z.literal('adaptive') }),
  ],
  { error: 'type must be enabled, disabled or adaptive' },
);

function requestSchema(maxMessages: number) {
  // Unknown fields are ignored (top_k, service_tier, container, cache_control …), as on /v1/chat/completions.
  return z.looseObject({
    model: text.min(1, { error: 'must not be empty' }).optional(),
    max_tokens: z
      .number({ error: 'must be a number' })
      .int({ error: 'must be an integer' })
      .min(1, { error: 'must be at least 1' })
      .max(200_000, { error: 'must be 1 to 200000' })
      .optional(),
    messages: z
      .array(messageSchema, { error: 'is required: an array of {role, content}' })
      .min(1, { error: 'must not be empty' })
      .max(maxMessages, { error: `must hold at most ${maxMessages} messages` }),
    system: systemContent.optional(),
    temperature: z.number({ error: 'must be a number' }).min(0).max(1, { error: 'must be between 0 and 1' }).optional(),
    top_p: z.number({ error: 'must be a number' }).min(0).max(1, { error: 'must be between 0 and 1' }).optional(),
    stop_sequences: z.array(text, { error: 'must be an array of strings' }).max(16).optional(),
    stream: z.boolean({ error: 'must be true or false' }).optional(),
    tools: z.array(toolSchema, { error: 'must be an array of tools' }).max(128).optional(),
    tool_choice: toolChoiceSchema.optional(),
    thinking: thinkingSchema.optional(),
    metadata: z
      .looseObject({ user_id: text.max(256, { error: 'must be at most 256 characters' }).nullish() })
      .optional(),
    output_config: z
      .looseObject({
        format: z
          .looseObject({
            type: z.literal('json_schema', { error: 'must be "json_schema"' }),
            schema: z.record(z.string(), z.unknown(), { error: 'must be a JSON Schema object' }),
          })
          .nullish(),
      })
      .optional(),
  });
}

type RequestBody = z.infer<ReturnType<typeof requestSchema>>;
type WireMessage = RequestBody['messages'][number];
type UserBlock = z.infer<typeof userBlock>;
type ToolResultBlock = z.infer<typeof toolResultBlock>;

function invalid(param: string, message: string): HttpError {
  return new HttpError({ kind: 'invalid-request', param, message: `${param}: ${message}` });
}

const joinText = (content: string | ReadonlyArray<{ text: string }>) =>
  typeof content === 'string' ? content : content.map((block) => block.text).join('\n\n');

type WireSource = { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string };

const toMediaSource = (source: WireSource): MediaSource =>
  source.type === 'base64'
    ? { type: 'base64', data: source.data, mediaType: source.media_type }
    : { type: 'url', url: source.url };

/** An image or document block in the core's terms. */
/** A block's `cache_control` as the core's `cacheControl` field, or nothing. */
const cacheOf = (block: { cache_control?: CacheControl | null | undefined }) =>
  block.cache_control ? { cacheControl: block.cache_control } : {};

function toCorePart(block: Exclude<UserBlock, ToolResultBlock>): ContentPart {
  const cache = cacheOf(block);
  if (block.type === 'text') return { type: 'text', text: block.text, ...cache };
  if (block.type === 'image') {
    return { type: 'image', source: toMediaSource(block.source), ...cache };
  }
  const { source, title } = block;
  // A plain-text document is text to the model; the title leads it so nothing the client sent is lost.
  if (source.type === 'text') {
    return { type: 'text', text: title ? `${title}\n\n${source.data}` : source.data, ...cache };
  }
  return { type: 'file', source: toMediaSource(source), ...(title ? { filename: title } : {}), ...cache };
}

/**
 * A tool result as a core `tool` message. The core has no error flag: `is_error` results go back as text starting
 * with `Error:` (how every vendor but Anthropic is told that a tool failed).
 */
function toToolMessage(block: ToolResultBlock, names: ReadonlyMap<string, string>): Message {
  const content = block.content === undefined ? '' : joinText(block.content);
  const name = names.get(block.tool_use_id);
  return {
    role: 'tool',
    toolCallId: block.tool_use_id,
    content: block.is_error ? `Error: ${content}` : content,
    ...(name ? { name } : {}),
    ...cacheOf(block),
  };
}

/** One Anthropic user turn: its tool results first (as core `tool` messages), then its other blocks. */
function userMessages(
  content: Extract<WireMessage, { role: 'user' }>['content'],
  path: string,
  context: { names: ReadonlyMap<string, string>; limits: PartLimits },
): Message[] {
  if (typeof content === 'string') return [{ role: 'user', content }];
  const results = content.filter((block): block is ToolResultBlock => block.type === 'tool_result');
  const unknownCall = results.find((block) => !context.names.has(block.tool_use_id));
  if (unknownCall) {
    const at = content.indexOf(unknownCall);
    throw invalid(`${path}.${at}.tool_use_id`, `"${unknownCall.tool_use_id}" answers no tool_use of the assistant`);
  }
  const parts = content
    .filter((block): block is Exclude<UserBlock, ToolResultBlock> => block.type !== 'tool_result')
    .map(toCorePart);
  const messages = results.map((block) => toToolMessage(block, context.names));
  if (parts.length === 0) return messages;
  // Text alone goes as one string, unless a part is a cache breakpoint, which needs its own block.
  if (parts.every((part) => part.type === 'text' && !part.cacheControl)) {
    return [...messages, { role: 'user', content: parts.map((part) => (part as { text: string }).text).join('\n\n') }];
  }
  checkContentParts(parts, path, context.limits);
  return [...messages, { role: 'user', content: parts }];
}

function assistantMessage(content: Extract<WireMessage, { role: 'assistant' }>['content']): Message {
  if (typeof content === 'string') return { role: 'assistant', content };
  const toolCalls: AssistantToolCall[] = [];
  let answer = '';
  // The core's assistant turn is one text and its calls: a breakpoint on any of its blocks marks the turn's end.
  let cache = {};
  for (const block of content) {
    if (block.type === 'text') answer += block.text;
    else if (block.type === 'tool_use')
      toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input) });
    if ('cache_control' in block && block.cache_control) cache = { cacheControl: block.cache_control };
  }
  return { role: 'assistant', content: answer, ...(toolCalls.length > 0 ? { toolCalls } : {}), ...cache };
}

function hasContent(message: Message): boolean {
  if (message.role === 'system') return false;
  if (message.role === 'tool' || (message.role === 'assistant' && message.toolCalls)) return true;
  return typeof message.content === 'string' ? message.content.trim() !== '' : message.content.length > 0;
}

/**
 * A `system` with a cache breakpoint on one of its blocks: it goes as a core `system` message carrying it (the core
 * request's `system` field has none); undefined otherwise.
 */
function cachedSystem(body: RequestBody): Message | undefined {
  const { system } = body;
  if (system === undefined || typeof system === 'string') return undefined;
  const cached = system.filter((block) => block.cache_control).at(-1);
  return cached ? { role: 'system', content: joinText(system), ...cacheOf(cached) } : undefined;
}

function toMessages(body: RequestBody, limits: MessagesLimits): Message[] {
  const names = new Map<string, string>();
  const system = cachedSystem(body);
  const messages = body.messages.flatMap((message, index): Message[] => {
    const path = `messages.${index}.content`;
    if (message.role === 'system') return [{ role: 'system', content: joinText(message.content) }];
    if (message.role === 'user') return userMessages(message.content, path, { names, limits });
    const assistant = assistantMessage(message.content);
    if (assistant.role === 'assistant') for (const call of assistant.toolCalls ?? []) names.set(call.id, call.name);
    return [assistant];
  });
  if (system) messages.unshift(system);
  messages.forEach((message) => {
    if (messageText(message).length > limits.maxMessageChars) {
      throw invalid('messages', `a message must be at most ${limits.maxMessageChars} characters`);
    }
  });
  if (!messages.some(hasContent)) throw invalid('messages', 'need a non-empty user message');
  return messages;
}

function toTools(body: RequestBody): ToolDefinition[] | undefined {
  if (!body.tools || body.tools.length === 0) return undefined;
  const names = new Set<string>();
  return body.tools.map((tool, index) => {
    if (names.has(tool.name)) throw invalid(`tools.${index}.name`, `"${tool.name}" is declared twice`);
    names.add(tool.name);
    const problem = jsonSchemaProblem(tool.input_schema);
    if (problem) throw invalid(`tools.${index}.input_schema`, problem);
    return {
      name: tool.name,
      ...(tool.description ? { description: tool.description } : {}),
      parameters: tool.input_schema,
      ...cacheOf(tool),
    };
  });
}

function toToolChoice(body: RequestBody, tools: ToolDefinition[] | undefined): ToolChoice | undefined {
  const choice = body.tool_choice;
  if (choice === undefined) return undefined;
  if (choice.type === 'none' || choice.type === 'auto') return choice.type;
  if (!tools) throw invalid('tool_choice', `type "${choice.type}" needs tools`);
  if (choice.type === 'any') return 'required';
  if (!tools.some((tool) => tool.name === choice.name)) {
    throw invalid('tool_choice.name', `"${choice.name}" is not in tools`);
  }
  return { type: 'tool', name: choice.name };
}

function toResponseFormat(body: RequestBody): ResponseFormat | undefined {
  const format = body.output_config?.format;
  if (!format) return undefined;
  const problem = jsonSchemaProblem(format.schema);
  if (problem) throw invalid('output_config.format.schema', problem);
  return { type: 'json', schema: format.schema };
}

const disablesParallelCalls = ({ tool_choice: choice }: RequestBody) =>
  choice !== undefined && 'disable_parallel_tool_use' in choice && choice.disable_parallel_tool_use === true;

function toOptions(body: RequestBody, maxTokens: number): Omit<CompletionRequest, 'model' | 'messages'> {
  const tools = toTools(body);
  const toolChoice = toToolChoice(body, tools);
  const responseFormat = toResponseFormat(body);
  const system = body.system === undefined || cachedSystem(body) ? '' : joinText(body.system);
  return {
    ...(system === '' ? {} : { system }),
    maxTokens,
    ...(body.temperature === undefined ? {} : { temperature: body.temperature }),
    ...(body.top_p === undefined ? {} : { topP: body.top_p }),
    ...(body.stop_sequences?.length ? { stop: body.stop_sequences } : {}),
    ...(tools ? { tools } : {}),
    ...(toolChoice ? { toolChoice } : {}),
    ...(tools && disablesParallelCalls(body) ? { parallelToolCalls: false } : {}),
    ...(responseFormat ? { responseFormat } : {}),
    ...(body.metadata?.user_id ? { user: body.metadata.user_id } : {}),
  };
}

/** A validated Messages request: the core request, and what the reply needs to know. */
export interface MessagesRequest {
  /** The `model` the client asked for (echoed in replies). */
  model: string;
  messages: Message[];
  /** Sampling, limits, tools and the response format, in the core request's terms (no `model`: the catalog picks it). */
  options: Omit<CompletionRequest, 'model' | 'messages'>;
  stream: boolean;
  /** `thinking` as the client sent it: only the Anthropic provider takes it (see `messages.ts`). */
  thinking: Record<string, unknown> | undefined;
}

/** The limits {@link messagesParser} applies. */
export type MessagesLimits = Pick<
  AgentConfig,
  'maxMessages' | 'maxMessageChars' | 'maxContentParts' | 'maxAttachmentBytes'
>;

/** Anthropic answers a missing required field with `<field>: Field required`. */
function required(raw: unknown, field: 'model' | 'max_tokens'): void {
  if (
    typeof raw === 'object' &&
    raw !== null &&
    !Array.isArray(raw) &&
    (raw as Record<string, unknown>)[field] == null
  ) {
    throw invalid(field, 'Field required');
  }
}

/**
 * A validator of `POST /v1/messages` bodies, its schema built once for the configured limits: `model` and
 * `max_tokens` (both required, as Anthropic requires them), `system` (a string or text blocks), `messages` (text,
 * image and document blocks; `tool_use` in assistant turns; `tool_result` in user turns, `is_error` included),
 * `temperature`, `top_p`, `stop_sequences`, custom `tools`, `tool_choice` (auto/any/tool/none, with
 * `disable_parallel_tool_use`), `thinking`, `metadata.user_id`, `output_config.format`, `stream`. Unknown fields are
 * ignored (as on `/v1/chat/completions`); a bad field is a 400 whose message names it.
 *
 * @example
 * ```ts
 * const parse = messagesParser(config);
 * const request = parse({ model: 'claude-sonnet-4-5', max_tokens: 1024, messages: [{ role: 'user', content: 'Hi' }] });
 * ```
 */
export function messagesParser(config: MessagesLimits): (raw: unknown) => MessagesRequest {
  const schema = requestSchema(config.maxMessages);
  return (raw) => {
    const body = parseVendorBody(schema, raw);
    required(raw, 'model');
    required(raw, 'max_tokens');
    return {
      model: body.model as string,
      messages: toMessages(body, config),
      options: toOptions(body, body.max_tokens as number),
      stream: body.stream === true,
      thinking: body.thinking,
    };
  };
}
