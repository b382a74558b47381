import {
  type AssistantToolCall,
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
import { parseVendorBody } from '../../generation/chat-request.js';
import { checkContentParts, type PartLimits } from '../../generation/content-parts.js';
import { jsonSchemaProblem } from '../../generation/json-schema.js';
import { HttpError } from '../../http/errors.js';
import type { ChatCompletionsLimits } from '../openai/request.js';

const text = z.string({ error: 'must be a string' });
const toolName = text.regex(/^[a-zA-Z0-9_-]{1,64}$/, { error: 'must be 1 to 64 letters, digits, _ or -' });
const jsonObject = z.record(z.string(), z.unknown(), { error: 'must be a JSON Schema object' });

const inputPart = z.discriminatedUnion(
  'type',
  [
    z.looseObject({ type: z.literal('input_text'), text }),
    z.looseObject({
      type: z.literal('input_image'),
      image_url: text.nullish(),
      file_id: text.nullish(),
      detail: z.enum(['auto', 'low', 'high', 'original'], { error: 'must be auto, low, high or original' }).optional(),
    }),
    z.looseObject({
      type: z.literal('input_file'),
      file_data: text.optional(),
      file_url: text.optional(),
      file_id: text.nullish(),
      filename: text.max(255, { error: 'must be at most 255 characters' }).optional(),
    }),
  ],
  { error: 'must be an input_text, input_image or input_file part (input_audio is not supported)' },
);
// What a previous response's `output` holds (sent back as history): `output_text` and `refusal` parts.
const assistantPart = z.discriminatedUnion(
  'type',
  [
    z.looseObject({ type: z.literal('output_text'), text }),
    z.looseObject({ type: z.literal('input_text'), text }),
    z.looseObject({ type: z.literal('refusal'), refusal: text }),
  ],
  { error: 'must be an output_text or refusal part' },
);

const messageItem = z.discriminatedUnion(
  'role',
  [
    z.looseObject({
      role: z.enum(['user', 'system', 'developer']),
      content: z.union([text, z.array(inputPart)], { error: 'must be a string or an array of input parts' }),
    }),
    z.looseObject({
      role: z.literal('assistant'),
      content: z.union([text, z.array(assistantPart)], { error: 'must be a string or an array of output parts' }),
    }),
  ],
  { error: 'role must be user, system, developer or assistant' },
);
const functionCallItem = z.looseObject({
  type: z.literal('function_call'),
  call_id: text.min(1, { error: 'must not be empty' }),
  name: toolName,
  arguments: text,
});
const functionCallOutputItem = z.looseObject({
  type: z.literal('function_call_output'),
  call_id: text.min(1, { error: 'must not be empty' }),
  output: z.union([text, z.array(inputPart)], { error: 'must be a string or an array of input parts' }),
});
/** An input item; its `type` is checked by hand so an unsupported one is named in the error. */
const inputItem = z.looseObject({ type: text.optional() });

const toolChoiceSchema = z.union(
  [z.enum(['none', 'auto', 'required']), z.looseObject({ type: text, name: text.optional() })],
  { error: 'must be none, auto, required or {type:"function", name}' },
);

const textFormat = z.discriminatedUnion(
  'type',
  [
    z.looseObject({ type: z.literal('text') }),
    z.looseObject({ type: z.literal('json_object') }),
    z.looseObject({
      type: z.literal('json_schema'),
      name: toolName,
      schema: jsonObject,
      description: text.nullish(),
      strict: z.boolean().nullish(),
    }),
  ],
  { error: 'type must be text, json_object or json_schema' },
);

const tokenLimit = z
  .number({ error: 'must be a number' })
  .int({ error: 'must be an integer' })
  .min(1)
  .max(200_000, { error: 'must be 1 to 200000' });

function requestSchema(maxMessages: number) {
  // Unknown fields are ignored (include, truncation, service_tier, prompt_cache_key …), as on /v1/chat/completions.
  return z.looseObject({
    model: text.nullish(),
    input: z.union(
      [
        text,
        z
          .array(inputItem, { error: 'must be an array of items' })
          .min(1, { error: 'must not be empty' })
          .max(maxMessages, { error: `must hold at most ${maxMessages} items` }),
      ],
      { error: 'is required: a string or an array of input items' },
    ),
    instructions: text.nullish(),
    tools: z
      .array(z.looseObject({ type: text }), { error: 'must be an array of tools' })
      .max(128)
      .nullish(),
    tool_choice: toolChoiceSchema.nullish(),
    parallel_tool_calls: z.boolean({ error: 'must be true or false' }).nullish(),
    max_output_tokens: tokenLimit.nullish(),
    temperature: z.number({ error: 'must be a number' }).min(0).max(2, { error: 'must be between 0 and 2' }).nullish(),
    top_p: z.number({ error: 'must be a number' }).min(0).max(1, { error: 'must be between 0 and 1' }).nullish(),
    text: z.looseObject({ format: textFormat.nullish() }).nullish(),
    reasoning: z
      .looseObject({
        effort: z
          .enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh'], {
            error: 'must be none, minimal, low, medium, high or xhigh',
          })
          .nullish(),
      })
      .nullish(),
    stream: z.boolean({ error: 'must be true or false' }).nullish(),
    store: z.boolean({ error: 'must be true or false' }).nullish(),
    background: z.boolean({ error: 'must be true or false' }).nullish(),
    previous_response_id: text.nullish(),
    // OpenAI's stored objects: present only to be refused by name (see refuseStoredState).
    conversation: z.unknown().optional(),
    prompt: z.unknown().optional(),
    metadata: z.record(z.string(), text.max(512), { error: 'must be an object of strings' }).nullish(),
    user: text.max(256, { error: 'must be at most 256 characters' }).nullish(),
    safety_identifier: text.max(256, { error: 'must be at most 256 characters' }).nullish(),
  });
}

type RequestBody = z.infer<ReturnType<typeof requestSchema>>;
type InputPart = z.infer<typeof inputPart>;

function invalid(param: string, message: string): HttpError {
  return new HttpError({ kind: 'invalid-request', param, message: `${param}: ${message}` });
}

/** Parses one item with its schema, its errors named under the item's path. */
function parseAt<T>(schema: z.ZodType<T>, value: unknown, path: string): T {
  try {
    return parseVendorBody(schema, value);
  } catch (error) {
    if (error instanceof HttpError) throw invalid(path, error.message);
    throw error;
  }
}

/** A data: URL as inline base64, anything else as a URL the vendor fetches. */
function mediaSource(url: string, path: string) {
  if (!url.startsWith('data:')) return { type: 'url' as const, url };
  const inline = parseDataUrl(url);
  if (!inline) throw invalid(path, 'is not a base64 data: URL');
  return { type: 'base64' as const, ...inline };
}

/** A Responses input part in the core's terms (`file_id` needs the vendor's Files API: a 400). */
function toCorePart(part: InputPart, path: string): ContentPart {
  if (part.type === 'input_text') return { type: 'text', text: part.text };
  if (part.type === 'input_image') {
    if (!part.image_url) throw invalid(`${path}.image_url`, 'is required (file_id needs the vendor Files API)');
    // `original` (full resolution) has no core equivalent: the vendor's default applies.
    const detail = part.detail === 'original' ? undefined : part.detail;
    return { type: 'image', source: mediaSource(part.image_url, `${path}.image_url`), ...(detail ? { detail } : {}) };
  }
  const filename = part.filename ? { filename: part.filename } : {};
  if (part.file_url !== undefined)
    return { type: 'file', source: mediaSource(part.file_url, `${path}.file_url`), ...filename };
  if (part.file_data === undefined) {
    throw invalid(path, 'needs file_data or file_url (file_id needs the vendor Files API)');
  }
  if (part.file_data.startsWith('data:')) {
    return { type: 'file', source: mediaSource(part.file_data, `${path}.file_data`), ...filename };
  }
  const mediaType = sniffMediaType(part.file_data);
  if (mediaType === undefined) throw invalid(`${path}.file_data`, 'send a data: URL with the media type');
  return { type: 'file', source: { type: 'base64', data: part.file_data, mediaType }, ...filename };
}

const joinText = (parts: ReadonlyArray<{ text?: string; refusal?: string }>) =>
  parts.map((part) => part.text ?? part.refusal ?? '').join('');

/** The messages being built, and the names of the calls so far (a tool result goes upstream under its call's name). */
interface History {
  messages: Message[];
  callNames: Map<string, string>;
  limits: PartLimits;
}

function userContent(content: string | InputPart[], path: string, limits: PartLimits): string | ContentPart[] {
  if (typeof content === 'string') return content;
  const parts = content.map((part, index) => toCorePart(part, `${path}.${index}`));
  if (parts.every((part) => part.type === 'text')) return joinText(parts as Array<{ text: string }>);
  checkContentParts(parts, path, limits);
  return parts;
}

function addMessage(item: unknown, path: string, history: History): void {
  const message = parseAt(messageItem, item, path);
  if (message.role === 'assistant') {
    const content = typeof message.content === 'string' ? message.content : joinText(message.content);
    history.messages.push({ role: 'assistant', content });
    return;
  }
  if (message.role === 'user') {
    history.messages.push({ role: 'user', content: userContent(message.content, `${path}.content`, history.limits) });
    return;
  }
  const content = userContent(message.content, `${path}.content`, history.limits);
  if (typeof content !== 'string')
    throw invalid(`${path}.content`, `only input_text parts in a ${message.role} message`);
  history.messages.push({ role: 'system', content });
}

/** A call joins the assistant turn just before it (its text, or the calls before it), as the core holds them. */
function addFunctionCall(item: unknown, path: string, history: History): void {
  const call = parseAt(functionCallItem, item, path);
  const toolCall: AssistantToolCall = { id: call.call_id, name: call.name, arguments: call.arguments };
  history.callNames.set(call.call_id, call.name);
  const last = history.messages[history.messages.length - 1];
  if (last?.role === 'assistant') {
    last.toolCalls = [...(last.toolCalls ?? []), toolCall];
    return;
  }
  history.messages.push({ role: 'assistant', content: '', toolCalls: [toolCall] });
}

function addFunctionCallOutput(item: unknown, path: string, history: History): void {
  const result = parseAt(functionCallOutputItem, item, path);
  const name = history.callNames.get(result.call_id);
  if (name === undefined) throw invalid(`${path}.call_id`, `"${result.call_id}" answers no function_call before it`);
  let content: string;
  if (typeof result.output === 'string') content = result.output;
  else if (result.output.every((part) => part.type === 'input_text')) content = joinText(result.output);
  else throw invalid(`${path}.output`, 'only input_text parts are supported (the core tool result is text)');
  history.messages.push({ role: 'tool', toolCallId: result.call_id, name, content });
}

const supportedItems = 'send message, function_call, function_call_output or reasoning items';

/** Items the agent cannot honour, each with why. */
const refusedItems: Record<string, string> = {
  item_reference: 'needs stored items, and the agent does not store responses: send the items themselves',
};

function addItem(item: z.infer<typeof inputItem>, path: string, history: History): void {
  const type = item.type ?? 'message';
  if (type === 'message') addMessage(item, path, history);
  else if (type === 'function_call') addFunctionCall(item, path, history);
  else if (type === 'function_call_output') addFunctionCallOutput(item, path, history);
  // A previous response's reasoning goes back to OpenAI only; the core request has no field for it.
  else if (type !== 'reasoning') {
    throw invalid(`${path}.type`, `"${type}" is not supported: ${refusedItems[type] ?? supportedItems}`);
  }
}

function isAnswerable(message: Message): boolean {
  if (message.role === 'tool') return true;
  if (message.role !== 'user') return false;
  return typeof message.content === 'string' ? message.content.trim() !== '' : message.content.length > 0;
}

function toMessages(body: RequestBody, limits: ResponsesLimits): Message[] {
  if (typeof body.input === 'string') {
    if (body.input.trim() === '') throw invalid('input', 'must not be empty');
    if (body.input.length > limits.maxMessageChars) {
      throw invalid('input', `must be at most ${limits.maxMessageChars} characters`);
    }
    return [{ role: 'user', content: body.input }];
  }
  const history: History = { messages: [], callNames: new Map(), limits };
  for (const [index, item] of body.input.entries()) addItem(item, `input.${index}`, history);
  for (const message of history.messages) {
    if (messageText(message).length > limits.maxMessageChars) {
      throw invalid('input', `an item must be at most ${limits.maxMessageChars} characters`);
    }
  }
  if (!history.messages.some(isAnswerable)) throw invalid('input', 'need a non-empty user message');
  return history.messages;
}

function toTools(body: RequestBody): ToolDefinition[] | undefined {
  if (!body.tools || body.tools.length === 0) return undefined;
  const names = new Set<string>();
  return body.tools.map((tool, index) => {
    const path = `tools.${index}`;
    if (tool.type !== 'function') {
      throw invalid(
        `${path}.type`,
        `"${tool.type}" is not supported: only function tools (the agent runs no hosted tools)`,
      );
    }
    const { name, description, parameters } = parseAt(
      z.looseObject({ name: toolName, description: text.nullish(), parameters: jsonObject.nullish() }),
      tool,
      path,
    );
    if (names.has(name)) throw invalid(`${path}.name`, `"${name}" is declared twice`);
    names.add(name);
    const problem = parameters == null ? undefined : jsonSchemaProblem(parameters);
    if (problem) throw invalid(`${path}.parameters`, problem);
    return {
      name,
      ...(description ? { description } : {}),
      parameters: parameters ?? { type: 'object', properties: {} },
    };
  });
}

function toToolChoice(body: RequestBody, tools: ToolDefinition[] | undefined): ToolChoice | undefined {
  const choice = body.tool_choice;
  if (choice == null) return undefined;
  if (choice === 'none' || choice === 'auto') return choice;
  if (typeof choice !== 'string' && choice.type !== 'function') {
    throw invalid('tool_choice.type', `"${choice.type}" is not supported: use none, auto, required or a function`);
  }
  if (!tools) throw invalid('tool_choice', `${typeof choice === 'string' ? choice : 'a named function'} needs tools`);
  if (choice === 'required') return 'required';
  const name = choice.name;
  if (name === undefined) throw invalid('tool_choice.name', 'is required for type "function"');
  if (!tools.some((tool) => tool.name === name)) throw invalid('tool_choice.name', `"${name}" is not in tools`);
  return { type: 'tool', name };
}

function toResponseFormat(body: RequestBody): ResponseFormat | undefined {
  const format = body.text?.format;
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_object') return { type: 'json' };
  const problem = jsonSchemaProblem(format.schema);
  if (problem) throw invalid('text.format.schema', problem);
  return {
    type: 'json',
    name: format.name,
    schema: format.schema,
    ...(format.description ? { description: format.description } : {}),
    ...(format.strict == null ? {} : { strict: format.strict }),
  };
}

function toOptions(body: RequestBody): Omit<CompletionRequest, 'model' | 'messages'> {
  const tools = toTools(body);
  const toolChoice = toToolChoice(body, tools);
  const responseFormat = toResponseFormat(body);
  const user = body.user || body.safety_identifier;
  return {
    ...(body.instructions ? { system: body.instructions } : {}),
    ...(body.temperature == null ? {} : { temperature: body.temperature }),
    ...(body.top_p == null ? {} : { topP: body.top_p }),
    ...(body.max_output_tokens == null ? {} : { maxTokens: body.max_output_tokens }),
    ...(tools ? { tools } : {}),
    ...(toolChoice ? { toolChoice } : {}),
    ...(tools && body.parallel_tool_calls != null ? { parallelToolCalls: body.parallel_tool_calls } : {}),
    ...(responseFormat ? { responseFormat } : {}),
    ...(user ? { user } : {}),
  };
}

/** Server-side state the agent does not keep (stored responses, conversations, prompts): each a 400 saying why. */
function refuseStoredState(body: RequestBody): void {
  const stateless = 'the agent does not store responses';
  if (body.previous_response_id) {
    throw invalid('previous_response_id', `is not supported: ${stateless}; send the whole conversation in input`);
  }
  if (body.store === true) throw invalid('store', `true is not supported: ${stateless}; send store: false`);
  if (body.conversation != null) throw invalid('conversation', 'is not supported: the agent stores no conversations');
  if (body.prompt != null) throw invalid('prompt', 'is not supported: prompt templates are stored at OpenAI');
  if (body.background === true) {
    throw invalid('background', `true is not supported: ${stateless}, so it cannot run one in the background`);
  }
}

/** A validated Responses request: the core request, and what the reply echoes. */
export interface ResponsesRequest {
  /** The `model` the client asked for (echoed in replies), if any. */
  model: string | undefined;
  messages: Message[];
  /** Sampling, limits, tools and the response format, in the core request's terms (no `model`: the catalog picks it). */
  options: Omit<CompletionRequest, 'model' | 'messages'>;
  stream: boolean;
  /** `reasoning.effort`: only the OpenAI provider takes it (see `responses.ts`). */
  reasoningEffort: string | undefined;
  /** What the `Response` object echoes of the request. */
  echo: ResponseEcho;
}

/** The request fields a `Response` object repeats. */
export interface ResponseEcho {
  instructions: string | null;
  maxOutputTokens: number | null;
  temperature: number | null;
  topP: number | null;
  parallelToolCalls: boolean;
  toolChoice: unknown;
  tools: unknown[];
  textFormat: unknown;
  metadata: Record<string, string>;
  user: string | null;
}

function toEcho(body: RequestBody): ResponseEcho {
  return {
    instructions: body.instructions ?? null,
    maxOutputTokens: body.max_output_tokens ?? null,
    temperature: body.temperature ?? null,
    topP: body.top_p ?? null,
    parallelToolCalls: body.parallel_tool_calls ?? true,
    toolChoice: body.tool_choice ?? 'auto',
    tools: (body.tools ?? []).map((tool) => ({ strict: null, description: null, parameters: null, ...tool })),
    textFormat: body.text?.format ?? { type: 'text' },
    metadata: body.metadata ?? {},
    user: body.user ?? null,
  };
}

/** The limits {@link responsesParser} applies: the same as `/v1/chat/completions`'. */
export type ResponsesLimits = ChatCompletionsLimits;

/**
 * A validator of `POST /v1/responses` bodies, its schema built once for the configured limits: `input` (a string,
 * or `message` items with `input_text`/`input_image`/`input_file` parts, `function_call` and
 * `function_call_output` items, `reasoning` items accepted and dropped), `instructions`, function `tools`,
 * `tool_choice`, `parallel_tool_calls`, `max_output_tokens`, `temperature`, `top_p`, `text.format`,
 * `reasoning.effort`, `metadata`, `user`, `stream`. `previous_response_id`, `store: true`, `background: true`,
 * `conversation` and `prompt` are a 400 (the agent keeps no server-side state); other unknown fields are ignored,
 * as on `/v1/chat/completions`. A bad field is a 400 whose `param` names it.
 *
 * @example
 * ```ts
 * const parse = responsesParser(config);
 * const request = parse({ model: 'gpt-4o-mini', input: 'Hi', instructions: 'Be brief.', stream: true });
 * ```
 */
export function responsesParser(config: ResponsesLimits): (raw: unknown) => ResponsesRequest {
  const schema = requestSchema(config.maxMessages);
  return (raw) => {
    const body = parseVendorBody(schema, raw);
    refuseStoredState(body);
    return {
      model: body.model ? body.model : undefined,
      messages: toMessages(body, config),
      options: toOptions(body),
      stream: body.stream === true,
      reasoningEffort: body.reasoning?.effort ?? undefined,
      echo: toEcho(body),
    };
  };
}
