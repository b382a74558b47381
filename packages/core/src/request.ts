import { LLMError } from './errors.js';

/** A tool call made by the assistant, as sent back in the conversation history. */
export interface AssistantToolCall {
  id: string;
  name: string;
  /** JSON text of the arguments. */
  arguments: string;
}

/**
 * Where the bytes of an image or a file are: a URL the vendor fetches itself (`https:`), or the bytes inline, base64
 * encoded (no `data:` prefix), with their media type.
 */
export type MediaSource =
  | { type: 'url'; url: string; mediaType?: string }
  | { type: 'base64'; data: string; mediaType: string };

/**
 * A prompt-cache breakpoint (Anthropic `cache_control`): the prompt up to and including what carries it is cached,
 * for 5 minutes or, with `ttl: '1h'`, an hour. OpenAI and Gemini cache long prompts on their own and ignore it.
 */
export interface CacheControl {
  type: 'ephemeral';
  ttl?: '5m' | '1h';
}

/** A piece of text in a message made of parts. */
export interface TextPart {
  type: 'text';
  text: string;
  cacheControl?: CacheControl;
}

/**
 * An image (`image/png`, `image/jpeg`, `image/gif`, `image/webp`). OpenAI `image_url`, Anthropic an `image` block,
 * Gemini `inlineData` (base64) or `fileData` (URL, which needs `mediaType`). `detail` is OpenAI's resolution hint.
 */
export interface ImagePart {
  type: 'image';
  source: MediaSource;
  detail?: 'auto' | 'low' | 'high';
  cacheControl?: CacheControl;
}

/**
 * A document, for example a PDF (`application/pdf`). OpenAI a `file` part (base64 only), Anthropic a `document`
 * block, Gemini `inlineData` / `fileData`.
 */
export interface FilePart {
  type: 'file';
  source: MediaSource;
  /** The file's name, where the vendor takes one (OpenAI `filename`, Anthropic `title`). */
  filename?: string;
  cacheControl?: CacheControl;
}

/** One part of a user message. */
export type ContentPart = TextPart | ImagePart | FilePart;

/**
 * One turn of the conversation. `cacheControl` on a message is a prompt-cache breakpoint at its end (its last block;
 * for `system` messages, the system prompt).
 */
export type Message = (
  | { role: 'system'; content: string }
  /** A user turn: plain text, or parts (text, images, files) in order. */
  | { role: 'user'; content: string | ContentPart[] }
  | { role: 'assistant'; content: string; toolCalls?: AssistantToolCall[] }
  | { role: 'tool'; content: string; toolCallId: string; name?: string }
) & { cacheControl?: CacheControl };

export type Role = Message['role'];

/** A function the model may call. `parameters` is a JSON Schema object. */
export interface ToolDefinition {
  name: string;
  description?: string;
  parameters: Record<string, unknown>;
  /** A prompt-cache breakpoint after this tool (the tools come first in Anthropic's prompt). */
  cacheControl?: CacheControl;
}

/**
 * Whether and which tool the model must call: `auto` (the vendor default), `none`, `required` (some tool), or one
 * named tool. OpenAI `tool_choice`, Anthropic `tool_choice` (`any` for required), Gemini `functionCallingConfig`.
 */
export type ToolChoice = 'auto' | 'none' | 'required' | { type: 'tool'; name: string };

/**
 * Ask for a JSON answer. With `schema` (a JSON Schema object) the vendor constrains the output to it: OpenAI
 * `json_schema` (strict unless `strict: false`), Anthropic its native structured output, Gemini
 * `responseJsonSchema`. Without `schema`, any JSON object (OpenAI `json_object`, Gemini `application/json`).
 */
export interface ResponseFormat {
  type: 'json';
  schema?: Record<string, unknown>;
  /** The schema's name where the vendor wants one (OpenAI: `[a-zA-Z0-9_-]`, default `response`). */
  name?: string;
  description?: string;
  strict?: boolean;
}

/**
 * What to ask a provider. Only `messages` is required; `model` falls back to the provider's default.
 *
 * @example
 * ```ts
 * const request: CompletionRequest = {
 *   messages: [{ role: 'user', content: 'Tell me a story about AI' }],
 *   maxTokens: 500,
 *   temperature: 0.3,
 * };
 * ```
 */
export interface CompletionRequest {
  model?: string;
  messages: Message[];
  /** System prompt; joined before any `system` messages. */
  system?: string;
  temperature?: number;
  maxTokens?: number;
  topP?: number;
  stop?: string[];
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  /** `false` asks for at most one tool call per turn (OpenAI `parallel_tool_calls`, Anthropic `disable_parallel_tool_use`). */
  parallelToolCalls?: boolean;
  responseFormat?: ResponseFormat;
  /** Sampling seed, where the vendor has one (OpenAI, Gemini); Anthropic has none and ignores it. */
  seed?: number;
  /** An id for the end user, for the vendor's abuse monitoring (OpenAI `user`, Anthropic `metadata.user_id`). */
  user?: string;
  /** Vendor-specific request fields, keyed by provider name: `{ anthropic: { thinking: {...} } }`. */
  providerOptions?: Record<string, Record<string, unknown>>;
}

/** The system prompt of a request: `request.system` and every `system` message, in order, joined by a blank line. */
export function systemPrompt(request: CompletionRequest): string | undefined {
  const parts = [request.system, ...request.messages.filter((m) => m.role === 'system').map((m) => m.content)].filter(
    (part): part is string => typeof part === 'string' && part.length > 0,
  );
  return parts.length > 0 ? parts.join('\n\n') : undefined;
}

/**
 * A message's content as parts: a string becomes one text part (none when empty).
 *
 * @example
 * ```ts
 * contentParts({ role: 'user', content: 'hi' }); // [{ type: 'text', text: 'hi' }]
 * ```
 */
export function contentParts(message: Message): ContentPart[] {
  if (typeof message.content !== 'string') return message.content;
  return message.content === '' ? [] : [{ type: 'text', text: message.content }];
}

/**
 * The text of a message: a string as it is, the text parts of a part list joined (images and files left out).
 *
 * @example
 * ```ts
 * messageText({ role: 'user', content: [{ type: 'text', text: 'What is this?' }, image] }); // 'What is this?'
 * ```
 */
export function messageText(message: Message): string {
  if (typeof message.content === 'string') return message.content;
  return message.content
    .filter((part): part is TextPart => part.type === 'text')
    .map((part) => part.text)
    .join('');
}

/**
 * The `invalid-request` error for a part a provider cannot send, naming the provider, the part and why (the part's
 * bytes are never quoted).
 *
 * @example
 * ```ts
 * throw unsupportedPartError('openai', part, 'files go inline as base64, not by URL');
 * ```
 */
export function unsupportedPartError(provider: string, part: ContentPart, reason?: string): LLMError {
  const media =
    part.type === 'text' ? '' : ` (${part.source.type}${part.source.mediaType ? `, ${part.source.mediaType}` : ''})`;
  const why = reason === undefined ? '' : `: ${reason}`;
  return new LLMError({
    kind: 'invalid-request',
    provider,
    message: `${provider} cannot take ${part.type === 'image' ? 'an' : 'a'} ${part.type} part${media}${why}`,
  });
}
