import {
  type Chunk,
  type CompletionRequest,
  createSseReader,
  fromAbortableBatches,
  LLMError,
  type Provider,
  readEventBatches,
  truncatedStreamError,
} from '@rxllm/core';
import OpenAI, { APIError, type ClientOptions } from 'openai';
import type { ChatModel } from 'openai/resources/shared';
import type { Observable } from 'rxjs';
import { type ChunkMapper, createChunkMapper, type OpenAIStreamEvent } from './chunk-mapper.js';
import type { OpenAIPartSupport } from './content-parts.js';
import { toLLMError } from './errors.js';
import { createEventReader, MAX_EVENT_CHARS } from './event-reader.js';
import { type MaxTokensField, type OpenAIRequestDefaults, toChatCompletionBody } from './request-body.js';
import { toResponsesBody } from './responses-body.js';
import {
  createResponsesMapper,
  type ResponsesMapper,
  type ResponsesStreamEvent,
  responsesErrorBody,
} from './responses-mapper.js';

/**
 * The model used when neither the options nor the request name one: `gpt-4.1-mini`, a current Chat Completions model
 * in the installed SDK's `ChatModel` union (typed as such, so an SDK that drops it fails the build). It accepts
 * `temperature`, unlike the gpt-5 reasoning models.
 *
 * @example
 * ```ts
 * createOpenAI({ apiKey }).defaultModel === DEFAULT_OPENAI_MODEL; // true
 * ```
 */
export const DEFAULT_OPENAI_MODEL = 'gpt-4.1-mini' satisfies ChatModel;

/** One event's JSON payload to chunks; an `{"error":…}` event fails the stream as the SDK's own parser would. */
function mapEvent(data: string, mapper: ChunkMapper, headers: Headers): Chunk[] {
  const payload: unknown = JSON.parse(data);
  if (typeof payload !== 'object' || payload === null) throw new SyntaxError('the event is not a JSON object');
  const { error } = payload as { error?: unknown };
  // The SDK's `APIError` with no status, as its parser throws for an in-stream error.
  if (error) throw new APIError(undefined, error as object, undefined, headers);
  return mapper.push(payload as OpenAIStreamEvent);
}

/** One Responses API event to chunks; `error` and `response.failed` fail the stream with the vendor's error body. */
function mapResponsesEvent(
  event: { event: string | undefined; data: string },
  mapper: ResponsesMapper,
  headers: Headers,
): Chunk[] {
  const payload: unknown = JSON.parse(event.data);
  if (typeof payload !== 'object' || payload === null) throw new SyntaxError('the event is not a JSON object');
  const typed = payload as ResponsesStreamEvent;
  // The payload's `type` names the event; an `event:` line is the fallback for a server that leaves it out.
  if (typed.type === undefined && event.event !== undefined) typed.type = event.event;
  const error = responsesErrorBody(typed);
  if (error) throw new APIError(undefined, error, undefined, headers);
  return mapper.push(typed);
}

/** What keyless servers get as a key (the SDK refuses an empty one); it is no secret, so it is not redacted. Internal. */
export const PLACEHOLDER_API_KEY = 'ollama';

/**
 * Options of {@link createOpenAI}. Every field is optional.
 *
 * @example
 * ```ts
 * import { Agent } from 'undici';
 *
 * const options: OpenAIProviderOptions = {
 *   apiKey: process.env.OPENAI_API_KEY,
 *   model: 'gpt-4.1-mini',
 *   defaults: { temperature: 0.3, maxTokens: 500 },
 *   fetchOptions: { dispatcher: new Agent({ keepAliveTimeout: 30_000 }) },
 * };
 * ```
 */
export interface OpenAIProviderOptions {
  /** API key; default `process.env.OPENAI_API_KEY`. Never appears in errors or chunks. */
  apiKey?: string;
  /** Base URL, e.g. `http://localhost:11434/v1`; default the SDK's (`OPENAI_BASE_URL`, else `https://api.openai.com/v1`). */
  baseURL?: string;
  /** Model used when a request names none; default {@link DEFAULT_OPENAI_MODEL}. */
  model?: string;
  /** Provider name in chunks and errors; default `openai`. Also the extra `providerOptions` key merged into the body. */
  name?: string;
  /** Settings applied when a request leaves them out (temperature, maxTokens, topP, stop, extra body fields). */
  defaults?: OpenAIRequestDefaults;
  /**
   * Body field for `maxTokens`. Default: `max_completion_tokens` when the base URL is api.openai.com, else
   * `max_tokens` (what Ollama, vLLM and llama.cpp read).
   */
  maxTokensField?: MaxTokensField;
  /**
   * Require `data: [DONE]` as well as a `finish_reason` for a stream to count as complete; default `true`. Turn it off
   * only for a server known to close without `[DONE]`.
   */
  requireDoneMarker?: boolean;
  /** An existing SDK client, for connection reuse; `apiKey`, `baseURL`, `fetch`, `fetchOptions`, `headers` are then ignored. */
  client?: OpenAI;
  /** A `fetch` for the SDK client, e.g. one bound to a shared keep-alive agent. */
  fetch?: ClientOptions['fetch'];
  /** `RequestInit` extras for every request, e.g. `{ dispatcher: new Agent({ keepAliveTimeout: 30_000 }) }` (undici). */
  fetchOptions?: ClientOptions['fetchOptions'];
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** Time limit until response headers, in ms (the SDK's `timeout`); default the SDK's 10 minutes. */
  timeoutMs?: number;
  /** Longest single SSE event read, in characters; a longer one fails the stream. Default {@link MAX_EVENT_CHARS}. */
  maxEventChars?: number;
  /**
   * Which OpenAI API to stream from: `'chat'` (default) is Chat Completions (`POST /chat/completions`), which every
   * OpenAI-compatible server speaks; `'responses'` is the Responses API (`POST /responses`, `store: false`), with
   * reasoning summaries as `reasoning` chunks. `maxTokensField` and `requireDoneMarker` apply to `'chat'` only.
   */
  api?: 'chat' | 'responses';
  /**
   * Which content parts the server takes beyond text and inline images; default all (OpenAI). A part it cannot take
   * fails the stream with `invalid-request` before any request is sent.
   */
  parts?: OpenAIPartSupport;
}

/**
 * A {@link Provider} backed by the `openai` SDK, exposing the client it uses.
 *
 * @example
 * ```ts
 * const provider: OpenAIProvider = createOpenAI({ apiKey });
 * const models = await provider.client.models.list();
 * ```
 */
export interface OpenAIProvider extends Provider {
  readonly client: OpenAI;
}

function defaultMaxTokensField(baseURL: string): MaxTokensField {
  try {
    return new URL(baseURL).hostname === 'api.openai.com' ? 'max_completion_tokens' : 'max_tokens';
  } catch {
    return 'max_tokens';
  }
}

function createClient(options: OpenAIProviderOptions, name: string): { client: OpenAI; apiKey: string | undefined } {
  if (options.client) return { client: options.client, apiKey: options.client.apiKey };
  const apiKey = options.apiKey ?? process.env.OPENAI_API_KEY;
  if (!apiKey) {
    throw new LLMError({
      kind: 'auth',
      provider: name,
      message: `${name} needs an API key: pass apiKey or set OPENAI_API_KEY`,
    });
  }
  const client = new OpenAI({
    apiKey,
    ...(options.baseURL === undefined ? {} : { baseURL: options.baseURL }),
    // Retries belong to @rxllm/retry, which knows whether a chunk has already reached the caller.
    maxRetries: 0,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(options.fetchOptions === undefined ? {} : { fetchOptions: options.fetchOptions }),
    ...(options.headers === undefined ? {} : { defaultHeaders: options.headers }),
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
  });
  return { client, apiKey };
}

/**
 * Creates a streaming {@link Provider} on the official `openai` SDK (Chat Completions, `stream: true` with
 * `stream_options.include_usage`), for OpenAI and any OpenAI-compatible server.
 *
 * Each subscription makes one request (cold); unsubscribing aborts it and closes the connection. The stream emits
 * `start`, then `text` / `reasoning` / `tool-call` chunks as the server sends them, then `usage` and `finish`. Every
 * failure is an `LLMError`; a stream that ends without a `finish_reason` and `data: [DONE]` is a `network` error
 * with `details.truncated`, after whatever text came. SDK retries are off.
 *
 * With `api: 'responses'` it streams the Responses API instead (`POST /responses`, `store: false`): the same chunks,
 * reasoning summaries as `reasoning`, `error` / `response.failed` events as an `LLMError` of the kind their code
 * names, `response.incomplete` as `finish` `length` (or `content-filter`), and a stream that ends without
 * `response.completed` / `response.incomplete` as the same truncation error.
 *
 * @example
 * ```ts
 * import { createOpenAI } from '@rxllm/openai';
 * import { textDeltas } from '@rxllm/core';
 *
 * const openai = createOpenAI({ apiKey: process.env.OPENAI_API_KEY, model: 'gpt-4.1-mini' });
 * openai
 *   .stream({ messages: [{ role: 'user', content: 'Tell me a story about AI' }], maxTokens: 500, temperature: 0.3 })
 *   .pipe(textDeltas())
 *   .subscribe((text) => process.stdout.write(text));
 *
 * const responses = createOpenAI({ apiKey: process.env.OPENAI_API_KEY, api: 'responses', model: 'gpt-5-mini' });
 * responses.stream({
 *   messages: [{ role: 'user', content: 'Why is the sky blue?' }],
 *   providerOptions: { openai: { reasoning: { effort: 'low', summary: 'auto' } } },
 * });
 * ```
 */
export function createOpenAI(options: OpenAIProviderOptions = {}): OpenAIProvider {
  const name = options.name ?? 'openai';
  const { client, apiKey } = createClient(options, name);
  const defaultModel = options.model ?? DEFAULT_OPENAI_MODEL;
  const maxTokensField = options.maxTokensField ?? defaultMaxTokensField(client.baseURL);
  const requireDoneMarker = options.requireDoneMarker ?? true;
  const providerOptionKeys = name === 'openai' ? ['openai'] : ['openai', name];
  const secrets = apiKey === PLACEHOLDER_API_KEY ? [] : [apiKey];

  const bodyOptions = {
    model: defaultModel,
    providerOptionKeys,
    provider: name,
    ...(options.parts === undefined ? {} : { parts: options.parts }),
    ...(options.defaults === undefined ? {} : { defaults: options.defaults }),
  };
  const aborted = () => new LLMError({ kind: 'aborted', provider: name, message: `${name} request was aborted` });
  const bodyOf = (response: Response): ReadableStream<Uint8Array> => {
    if (!response.body)
      throw new LLMError({ kind: 'unknown', provider: name, message: `${name} sent no response body` });
    return response.body;
  };

  async function* chatChunks(request: CompletionRequest, signal: AbortSignal): AsyncGenerator<Chunk[]> {
    const body = toChatCompletionBody(request, { ...bodyOptions, maxTokensField });
    const mapper = createChunkMapper({ provider: name, model: body.model });
    const events = createEventReader(name, options.maxEventChars);
    try {
      // The SDK makes the request (auth, headers, base URL, HTTP errors); the body is parsed here, one batch of
      // chunks per network read, so that `[DONE]` is seen and no per-event async generators stand in the way.
      const response = await client.chat.completions.create(body, { signal, maxRetries: 0 }).asResponse();
      const { headers } = response;
      yield* readEventBatches(bodyOf(response), events, (data) => mapEvent(data, mapper, headers));
    } catch (error) {
      throw toLLMError(error, { provider: name, secrets });
    }
    if (signal.aborted) throw aborted();
    if (mapper.rawFinishReason === undefined) throw truncatedStreamError(name, 'finish_reason');
    if (requireDoneMarker && !events.sawDone()) throw truncatedStreamError(name, 'data: [DONE]');
    yield mapper.end();
  }

  async function* responsesChunks(request: CompletionRequest, signal: AbortSignal): AsyncGenerator<Chunk[]> {
    const body = toResponsesBody(request, bodyOptions);
    const mapper = createResponsesMapper({ provider: name, model: body.model ?? defaultModel });
    // Responses events carry names and end with `response.completed` (no `[DONE]`): core's reader as it is.
    const events = createSseReader({ provider: name, maxEventChars: options.maxEventChars ?? MAX_EVENT_CHARS });
    try {
      const response = await client.responses.create(body, { signal, maxRetries: 0 }).asResponse();
      const { headers } = response;
      yield* readEventBatches(bodyOf(response), events, (event) => mapResponsesEvent(event, mapper, headers));
    } catch (error) {
      throw toLLMError(error, { provider: name, secrets });
    }
    if (signal.aborted) throw aborted();
    if (!mapper.ended) throw truncatedStreamError(name, 'response.completed');
  }

  const chunks = options.api === 'responses' ? responsesChunks : chatChunks;

  return {
    name,
    defaultModel,
    client,
    stream: (request: CompletionRequest): Observable<Chunk> =>
      fromAbortableBatches((signal) => chunks(request, signal)),
  };
}
