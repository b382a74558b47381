import {
  type CacheControl,
  type CompletionRequest,
  type ContentPart,
  type Message,
  messageText,
  parseDataUrl,
  type ResponseFormat,
  sniffMediaType,
  type ToolChoice,
  type ToolDefinition,
} from '@rxllm/core';
import { z } from 'zod';
import type { AgentConfig } from '../../config.js';
import { parseVendorBody } from '../../generation/chat-request.js';
import { cacheControlSchema, checkContentParts, type PartLimits } from '../../generation/content-parts.js';
import { jsonSchemaProblem } from '../../generation/json-schema.js';
import { HttpError } from '../../http/errors.js';

/** Anthropic's prompt-cache breakpoint on a part or a tool, as LiteLLM takes it in the OpenAI format. */
const cache_control = cacheControlSchema.nullish();
const textPart = z.looseObject({
  type: z.literal('text'),
  text: z.string({ error: 'must be a string' }),
  cache_control,
});
const userPart = z.discriminatedUnion(
  'type',
  [
    textPart,
    z.looseObject({
      type: z.literal('image_url'),
      image_url: z.looseObject({
        url: z.string({ error: 'must be an https: or data: URL' }),
        detail: z.enum(['auto', 'low', 'high'], { error: 'must be auto, low or high' }).optional(),
      }),
      cache_control,
    }),
    z.looseObject({
      type: z.literal('file'),
      file: z.looseObject({
        file_data: z.string({ error: 'must be a base64 string or data: URL' }).optional(),
        file_id: z.string().optional(),
        filename: z.string().max(255, { error: 'must be at most 255 characters' }).optional(),
      }),
      cache_control,
    }),
  ],
  { error: 'must be a text, image_url or file part (input_audio is not supported)' },
);
const textContent = z.union([z.string(), z.array(textPart)], { error: 'must be a string or an array of text parts' });
const assistantPart = z.union([textPart, z.looseObject({ type: z.literal('refusal'), refusal: z.string() })]);
const toolName = z
  .string({ error: 'must be a string' })
  .regex(/^[a-zA-Z0-9_-]{1,64}$/, { error: 'must be 1 to 64 letters, digits, _ or -' });

const messageSchema = z.discriminatedUnion(
  'role',
  [
    z.looseObject({ role: z.enum(['system', 'developer']), content: textContent }),
    z.looseObject({
      role: z.literal('user'),
      content: z.union([z.string(), z.array(userPart)], { error: 'must be a string or an array of parts' }),
    }),
    z.looseObject({
      role: z.literal('assistant'),
      content: z.union([z.string(), z.array(assistantPart), z.null()]).optional(),
      tool_calls: z
        .array(
          z.looseObject({
            id: z.string({ error: 'must be a string' }).min(1),
            type: z.literal('function', { error: 'must be "function"' }),
            function: z.looseObject({ name: toolName, arguments: z.string({ error: 'must be a JSON string' }) }),
          }),
        )
        .optional(),
    }),
    z.looseObject({
      role: z.literal('tool'),
      tool_call_id: z.string({ error: 'is required: the id of the call this answers' }).min(1),
      content: textContent,
    }),
  ],
  { error: 'role must be one of system, developer, user, assistant, tool' },
);

const toolSchema = z.looseObject({
  type: z.literal('function', { error: 'must be "function"' }),
  function: z.looseObject({
    name: toolName,
    description: z.string({ error: 'must be a string' }).optional(),
    parameters: z.record(z.string(), z.unknown(), { error: 'must be a JSON Schema object' }).optional(),
    strict: z.boolean().nullish(),
  }),
  cache_control,
});

const responseFormatSchema = z.discriminatedUnion(
  'type',
  [
    z.looseObject({ type: z.literal('text') }),
    z.looseObject({ type: z.literal('json_object') }),
    z.looseObject({
      type: z.literal('json_schema'),
      json_schema: z.looseObject({
        name: toolName,
        description: z.string().optional(),
        schema: z.record(z.string(), z.unknown(), { error: 'must be a JSON Schema object' }).optional(),
        strict: z.boolean().nullish(),
      }),
    }),
  ],
  { error: 'type must be text, json_object or json_schema' },
);

const tokenLimit = z
  .number()
  .int({ error: 'must be an integer' })
  .min(1)
  .max(200_000, { error: 'must be 1 to 200000' });

function requestSchema(maxMessages: number) {
  // Unknown fields are ignored here (OpenAI clients send many: logprobs=false, metadata, …), unlike on /chat.
  return z.looseObject({
    model: z.string({ error: 'must be a string' }).optional(),
    messages: z
      .array(messageSchema, { error: 'is required: an array of {role, content}' })
      .min(1, { error: 'must not be empty' })
      .max(maxMessages, { error: `must hold at most ${maxMessages} messages` }),
    temperature: z.number({ error: 'must be a number' }).min(0).max(2, { error: 'must be between 0 and 2' }).nullish(),
    top_p: z.number({ error: 'must be a number' }).min(0).max(1, { error: 'must be between 0 and 1' }).nullish(),
    max_tokens: tokenLimit.nullish(),
    max_completion_tokens: tokenLimit.nullish(),
    stop: z.union([z.string(), z.array(z.string()).max(4)], { error: 'must be a string or up to 4 strings' }).nullish(),
    stream: z.boolean({ error: 'must be true or false' }).nullish(),
    stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
    n: z
      .number({ error: 'must be a number' })
      .refine((n) => n === 1, { error: 'n > 1 is not supported: the agent streams one choice per request' })
      .nullish(),
    tools: z.array(toolSchema, { error: 'must be an array of function tools' }).max(128).nullish(),
    tool_choice: z
      .union(
        [
          z.enum(['none', 'auto', 'required']),
          z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: toolName }) }),
        ],
        { error: 'must be none, auto, required or {type:"function", function:{name}}' },
      )
      .nullish(),
    parallel_tool_calls: z.boolean({ error: 'must be true or false' }).nullish(),
    response_format: responseFormatSchema.nullish(),
    seed: z.number({ error: 'must be an integer' }).int({ error: 'must be an integer' }).nullish(),
    user: z.string({ error: 'must be a string' }).max(256, { error: 'must be at most 256 characters' }).nullish(),
  });
}

type RequestBody = z.infer<ReturnType<typeof requestSchema>>;
type WireMessage = RequestBody['messages'][number];
type UserPart = z.infer<typeof userPart>;

function invalid(param: string, message: string): HttpError {
  return new HttpError({ kind: 'invalid-request', param, message: `${param}: ${message}` });
}

function textOf(content: string | ReadonlyArray<{ text?: string; refusal?: string }> | null | undefined): string {
  if (content === undefined || content === null) return '';
  if (typeof content === 'string') return content;
  return content.map((part) => part.text ?? part.refusal ?? '').join('');
}

/** A part's `cache_control` as the core's `cacheControl` field, or nothing. */
const cacheOf = (part: { cache_control?: CacheControl | null | undefined }) =>
  part.cache_control ? { cacheControl: part.cache_control } : {};

/** The breakpoint of a message whose parts become one string: the last part's that has one. */
function messageCache(content: ReadonlyArray<{ cache_control?: CacheControl | null }> | string | null | undefined) {
  if (!Array.isArray(content)) return {};
  const cached = content.filter((part) => part.cache_control).at(-1);
  return cached ? cacheOf(cached) : {};
}

/** An OpenAI part in the core's terms, with its cache breakpoint. */
const toCorePart = (part: UserPart, path: string): ContentPart =>
  ({ ...corePart(part, path), ...cacheOf(part) }) as ContentPart;

/** An OpenAI `image_url` / `file` part in the core's terms: data URLs become inline base64. */
function corePart(part: UserPart, path: string): ContentPart {
  if (part.type === 'text') return { type: 'text', text: part.text };
  if (part.type === 'image_url') {
    const { url, detail } = part.image_url;
    const inline = url.startsWith('data:') ? parseDataUrl(url) : undefined;
    if (url.startsWith('data:') && !inline) throw invalid(`${path}.image_url.url`, 'is not a base64 data: URL');
    const source = inline ? { type: 'base64' as const, ...inline } : { type: 'url' as const, url };
    return { type: 'image', source, ...(detail ? { detail } : {}) };
  }
  const { file_data: data, file_id: fileId, filename } = part.file;
  if (data === undefined) {
    const why = fileId === undefined ? 'needs file_data' : 'file_id needs the vendor Files API: send file_data';
    throw invalid(`${path}.file`, why);
  }
  const inline = data.startsWith('data:') ? parseDataUrl(data) : undefined;
  if (data.startsWith('data:') && !inline) throw invalid(`${path}.file.file_data`, 'is not a base64 data: URL');
  const mediaType = inline?.mediaType ?? sniffMediaType(data);
  if (mediaType === undefined) throw invalid(`${path}.file.file_data`, 'send a data: URL with the media type');
  return {
    type: 'file',
    source: { type: 'base64', data: inline?.data ?? data, mediaType },
    ...(filename ? { filename } : {}),
  };
}

function userContent(
  content: Extract<WireMessage, { role: 'user' }>['content'],
  path: string,
  limits: PartLimits,
): string | ContentPart[] {
  if (typeof content === 'string') return content;
  const parts = content.map((part, index) => toCorePart(part, `${path}.${index}`));
  // Text alone goes as one string, unless a part is a cache breakpoint, which needs its own block.
  if (parts.every((part) => part.type === 'text' && !part.cacheControl)) {
    return textOf(parts as Array<{ text: string }>);
  }
  // Field names in the error are the core's (source.mediaType …) under the OpenAI message path.
  checkContentParts(parts, path, limits);
  return parts;
}

function toMessage(message: WireMessage, index: number, limits: PartLimits): Message {
  const path = `messages.${index}.content`;
  switch (message.role) {
    case 'system':
    case 'developer':
      return { role: 'system', content: textOf(message.content), ...messageCache(message.content) };
    case 'user':
      return { role: 'user', content: userContent(message.content, path, limits) };
    case 'assistant': {
      const toolCalls = (message.tool_calls ?? []).map((call) => ({
        id: call.id,
        name: call.function.name,
        arguments: call.function.arguments,
      }));
      return {
        role: 'assistant',
        content: textOf(message.content),
        ...(toolCalls.length ? { toolCalls } : {}),
        ...messageCache(message.content as ReadonlyArray<{ cache_control?: CacheControl | null }> | null | undefined),
      };
    }
    case 'tool':
      return {
        role: 'tool',
        toolCallId: message.tool_call_id,
        content: textOf(message.content),
        ...messageCache(message.content),
      };
  }
}

function hasContent(message: Message): boolean {
  if (message.role === 'system') return false;
  if (message.role === 'tool' || (message.role === 'assistant' && message.toolCalls)) return true;
  return typeof message.content === 'string' ? message.content.trim() !== '' : message.content.length > 0;
}

function toMessages(body: RequestBody, config: ChatCompletionsLimits): Message[] {
  const messages = body.messages.map((message, index) => toMessage(message, index, config));
  messages.forEach((message, index) => {
    if (messageText(message).length > config.maxMessageChars) {
      throw invalid(`messages.${index}.content`, `must be at most ${config.maxMessageChars} characters`);
    }
  });
  if (!messages.some(hasContent)) throw invalid('messages', 'need a non-empty user message');
  return messages;
}

function toTools(body: RequestBody): ToolDefinition[] | undefined {
  if (!body.tools || body.tools.length === 0) return undefined;
  const names = new Set<string>();
  return body.tools.map((tool, index) => {
    const { name, description, parameters } = tool.function;
    if (names.has(name)) throw invalid(`tools.${index}.function.name`, `"${name}" is declared twice`);
    names.add(name);
    const problem = parameters === undefined ? undefined : jsonSchemaProblem(parameters);
    if (problem) throw invalid(`tools.${index}.function.parameters`, problem);
    return {
      name,
      ...(description ? { description } : {}),
      parameters: parameters ?? { type: 'object', properties: {} },
      ...cacheOf(tool),
    };
  });
}

function toToolChoice(body: RequestBody, tools: ToolDefinition[] | undefined): ToolChoice | undefined {
  const choice = body.tool_choice;
  if (choice == null) return undefined;
  if (choice === 'none' || choice === 'auto') return choice;
  if (!tools) throw invalid('tool_choice', `${typeof choice === 'string' ? choice : 'a named function'} needs tools`);
  if (choice === 'required') return 'required';
  const { name } = choice.function;
  if (!tools.some((tool) => tool.name === name)) throw invalid('tool_choice', `names "${name}", which is not in tools`);
  return { type: 'tool', name };
}

function toResponseFormat(body: RequestBody): ResponseFormat | undefined {
  const format = body.response_format;
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_object') return { type: 'json' };
  const { name, description, schema, strict } = format.json_schema;
  const problem = schema === undefined ? undefined : jsonSchemaProblem(schema);
  if (problem) throw invalid('response_format.json_schema.schema', problem);
  return {
    type: 'json',
    name,
    ...(schema ? { schema } : {}),
    ...(description ? { description } : {}),
    ...(strict == null ? {} : { strict }),
  };
}

function toOptions(body: RequestBody): Omit<CompletionRequest, 'model' | 'messages'> {
  const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? undefined;
  const tools = toTools(body);
  const toolChoice = toToolChoice(body, tools);
  const responseFormat = toResponseFormat(body);
  return {
    ...(body.temperature == null ? {} : { temperature: body.temperature }),
    ...(body.top_p == null ? {} : { topP: body.top_p }),
    ...(maxTokens === undefined ? {} : { maxTokens }),
    ...(body.stop == null ? {} : { stop: typeof body.stop === 'string' ? [body.stop] : body.stop }),
    ...(tools ? { tools } : {}),
    ...(toolChoice ? { toolChoice } : {}),
    ...(tools && body.parallel_tool_calls != null ? { parallelToolCalls: body.parallel_tool_calls } : {}),
    ...(responseFormat ? { responseFormat } : {}),
    ...(body.seed == null ? {} : { seed: body.seed }),
    ...(body.user ? { user: body.user } : {}),
  };
}

/** A validated Chat Completions request: the core request, and what the reply needs to know. */
export interface ChatCompletionsRequest {
  /** The `model` the client asked for (echoed in replies), if any. */
  model: string | undefined;
  messages: Message[];
  /** Sampling, limits, tools and the response format, in the core request's terms (no `model`: the catalog picks it). */
  options: Omit<CompletionRequest, 'model' | 'messages'>;
  stream: boolean;
  includeUsage: boolean;
}

/** The limits {@link chatCompletionsParser} applies. */
export type ChatCompletionsLimits = Pick<
  AgentConfig,
  'maxMessages' | 'maxMessageChars' | 'maxContentParts' | 'maxAttachmentBytes'
>;

/**
 * A validator of `POST /v1/chat/completions` bodies, its schema built once for the configured limits: the whole
 * Chat Completions request (tool and assistant `tool_calls` messages, `image_url` and `file` parts, `tools`,
 * `tool_choice`, `parallel_tool_calls`, `response_format`, `seed`, `user`). Unknown fields are ignored (OpenAI
 * clients send many); a bad field is a 400 whose `param` names it; `n` > 1 is a 400.
 *
 * @example
 * ```ts
 * const parse = chatCompletionsParser(config);
 * const request = parse({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true });
 * ```
 */
export function chatCompletionsParser(config: ChatCompletionsLimits): (raw: unknown) => ChatCompletionsRequest {
  const schema = requestSchema(config.maxMessages);
  return (raw) => {
    const body = parseVendorBody(schema, raw);
    return {
      model: body.model && body.model.length > 0 ? body.model : undefined,
      messages: toMessages(body, config),
      options: toOptions(body),
      stream: body.stream === true,
      includeUsage: body.stream_options?.include_usage === true,
    };
  };
}
