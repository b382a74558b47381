import Anthropic, { APIError, type ClientOptions } from '@anthropic-ai/sdk';
import type { RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';
import {
  type Chunk,
  type CompletionRequest,
  createSseReader,
  fromAbortableBatches,
  type Provider,
  readEventBatches,
  type SseEvent,
} from '@rxllm/core';
import type { Observable } from 'rxjs';
import { toLLMError } from './errors.js';
import { type AnthropicEventMapper, createEventMapper } from './event-mapper.js';
import { type AnthropicRequestDefaults, toMessageCreateParams } from './request-body.js';
import { jsonResponseToolName } from './response-format.js';

/**
 * Model used when neither the options nor the request name one: the current Sonnet id in the installed SDK's
 * `Model` type (`@anthropic-ai/sdk` 1.13.0). Its 4.5 predecessor is on the SDK's deprecation list.
 *
 * @example
 * ```ts
 * createAnthropic().defaultModel === DEFAULT_ANTHROPIC_MODEL; // true
 * ```
 */
export const DEFAULT_ANTHROPIC_MODEL = 'claude-sonnet-5-5';

const parseOrUndefined = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/**
 * One event to chunks, by the SDK's own rules: `ping` and unnamed events are skipped, an `error` event is an `APIError`
 * with no status, every other named event with data is JSON.
 */
function mapEvent({ event, data }: SseEvent, mapper: AnthropicEventMapper, headers: Headers): Chunk[] {
  if (event === undefined || event === 'ping') return [];
  // The SDK's `APIError` reads `error.type` from the body itself.
  if (event === 'error') throw new APIError(undefined, (parseOrUndefined(data) ?? data) as object, undefined, headers);
  if (!data) return [];
  return mapper.map(JSON.parse(data) as RawMessageStreamEvent);
}

/**
 * Options of {@link createAnthropic}. Every field is optional.
 *
 * @example
 * ```ts
 * const options: AnthropicProviderOptions = { model: 'claude-opus-5-5', defaults: { maxTokens: 2048 }, timeout: 30_000 };
 * ```
 */
export interface AnthropicProviderOptions {
  /** API key. Default: what the SDK reads, `process.env.ANTHROPIC_API_KEY`. Ignored when `client` is given. */
  apiKey?: string;
  /** API origin without `/v1`. Default: what the SDK reads, `ANTHROPIC_BASE_URL`, else `https://api.anthropic.com`. */
  baseURL?: string;
  /** Model when the request names none (default {@link DEFAULT_ANTHROPIC_MODEL}). */
  model?: string;
  /** Settings for requests that leave them out: `maxTokens` (default 4096), `temperature`, `topP`, `stop`, `body`. */
  defaults?: AnthropicRequestDefaults;
  /** An SDK client to reuse (its connection pool, middleware, credentials). SDK retries stay off per request. */
  client?: Anthropic;
  /** A `fetch` for the SDK to use, e.g. one bound to a shared keep-alive agent. Ignored when `client` is given. */
  fetch?: ClientOptions['fetch'];
  /** Extra `fetch` init, e.g. `{ dispatcher }` (an undici `Agent`) for connection reuse. Ignored when `client` is given. */
  fetchOptions?: ClientOptions['fetchOptions'];
  /**
   * Milliseconds to wait for the response headers (the SDK's `timeout`, default 10 minutes); a miss is a `timeout`
   * error. The SDK does not time the streamed body: use `@rxllm/timeout` for first-chunk and idle limits.
   */
  timeout?: number;
  /** Registry name reported on chunks and errors (default `anthropic`). */
  name?: string;
  /** Longest single SSE event read, in characters; a longer one fails the stream. Default 8 MiB (`MAX_SSE_EVENT_CHARS`). */
  maxEventChars?: number;
}

/**
 * A {@link Provider} on the official `@anthropic-ai/sdk`: each subscription sends one
 * `client.messages.create({ ..., stream: true }, { signal })` with SDK retries off, maps every raw stream event to a
 * chunk, and turns every failure into an `LLMError`. Unsubscribing aborts the HTTP request at once.
 *
 * @example
 * ```ts
 * import { createAnthropic } from '@rxllm/anthropic';
 * import { textDeltas } from '@rxllm/core';
 *
 * const anthropic = createAnthropic({ apiKey: process.env.ANTHROPIC_API_KEY, defaults: { maxTokens: 1024 } });
 * anthropic
 *   .stream({ messages: [{ role: 'user', content: 'Tell me a story about AI' }] })
 *   .pipe(textDeltas())
 *   .subscribe((text) => process.stdout.write(text));
 * ```
 */
export function createAnthropic(options: AnthropicProviderOptions = {}): Provider {
  const name = options.name ?? 'anthropic';
  const defaultModel = options.model ?? DEFAULT_ANTHROPIC_MODEL;
  const client =
    options.client ??
    new Anthropic({
      ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
      ...(options.baseURL === undefined ? {} : { baseURL: options.baseURL }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...(options.fetchOptions === undefined ? {} : { fetchOptions: options.fetchOptions }),
      ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
      maxRetries: 0,
    });
  const secrets = [options.apiKey, client.apiKey, client.authToken];

  async function* chunks(request: CompletionRequest, signal: AbortSignal): AsyncGenerator<Chunk[]> {
    try {
      const body = toMessageCreateParams(request, { model: defaultModel, defaults: options.defaults, provider: name });
      const jsonToolName = jsonResponseToolName(request);
      const mapper = createEventMapper({
        provider: name,
        requestedModel: body.model,
        ...(jsonToolName === undefined ? {} : { jsonToolName }),
      });
      const events = createSseReader({
        provider: name,
        ...(options.maxEventChars === undefined ? {} : { maxEventChars: options.maxEventChars }),
      });
      // The SDK makes the request (auth, headers, base URL, HTTP errors); the body is parsed here, one batch of
      // chunks per network read, with the SDK's rules, and no per-event async generators in the way.
      const response = await client.messages.create(body, { signal, maxRetries: 0 }).asResponse();
      if (!response.body) throw new Error(`${name} sent no response body`);
      const { headers } = response;
      yield* readEventBatches(response.body, events, (event) => mapEvent(event, mapper, headers));
      mapper.end();
    } catch (error) {
      throw toLLMError(error, { provider: name, secrets });
    }
  }

  const stream = (request: CompletionRequest): Observable<Chunk> =>
    fromAbortableBatches((signal) => chunks(request, signal));

  return { name, defaultModel, stream };
}
