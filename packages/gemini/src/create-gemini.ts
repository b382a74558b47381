import { GoogleGenerativeAI, type RequestOptions } from '@google/generative-ai';
import { type Chunk, type CompletionRequest, fromAbortable, type Provider } from '@rxllm/core';
import type { GeminiResponse } from '@rxllm/gemini-common';
import { createResponseMapper } from '@rxllm/gemini-common/internal';
import type { Observable } from 'rxjs';
import { toLLMError } from './errors.js';
import { escapeLineSeparators } from './escape-line-separators.js';
import { type GeminiRequestBody, toGeminiRequestBody } from './request-body.js';
import { withScopedFetch } from './scoped-fetch.js';

/** A current Gemini model id, used when neither the options nor the request name one. */
export const DEFAULT_GEMINI_MODEL = 'gemini-2.5-flash';

/**
 * Options of {@link createGemini}: only `apiKey` is required.
 *
 * @example
 * ```ts
 * const options: GeminiOptions = { apiKey: process.env.GEMINI_API_KEY!, model: 'gemini-2.5-pro', requestOptions: { timeout: 30_000 } };
 * ```
 */
export interface GeminiOptions {
  apiKey: string;
  /** Root URL of the API, without the version: `https://generativelanguage.googleapis.com` (the SDK default). */
  baseURL?: string;
  /** Default model; {@link DEFAULT_GEMINI_MODEL} when omitted. */
  model?: string;
  /** Defaults merged under every request (the request's own fields win). */
  defaults?: Partial<Omit<CompletionRequest, 'messages'>>;
  /** `@google/generative-ai` `RequestOptions` for every call: `timeout`, `apiVersion`, `apiClient`, `customHeaders`. */
  requestOptions?: Omit<RequestOptions, 'baseUrl'>;
  /**
   * A `fetch` for the SDK's requests (a proxy agent, a recorder). The SDK has no such option; the provider swaps
   * `globalThis.fetch` for the synchronous start of each call only (see `withScopedFetch`).
   */
  fetch?: typeof fetch;
  /** Registry name reported in chunks and errors; default `gemini`. */
  name?: string;
}

/**
 * A {@link Provider} for Google Gemini on `@google/generative-ai` (`streamGenerateContent?alt=sse`). Cold: each
 * subscription is one request; unsubscribing aborts it. Thought parts become `reasoning` chunks, `functionCall`
 * parts `tool-call` chunks; a stream without a `finishReason` errors.
 *
 * @example
 * ```ts
 * const gemini = createGemini({ apiKey: process.env.GEMINI_API_KEY! });
 * gemini.stream({ messages: [{ role: 'user', content: 'Hi' }] }).pipe(textDeltas()).subscribe((text) => process.stdout.write(text));
 * ```
 */
export function createGemini(options: GeminiOptions): Provider {
  const name = options.name ?? 'gemini';
  const defaultModel = options.model ?? DEFAULT_GEMINI_MODEL;
  const client = new GoogleGenerativeAI(options.apiKey);
  const secrets = [options.apiKey];

  const stream = (request: CompletionRequest): Observable<Chunk> => {
    const merged: CompletionRequest = { ...options.defaults, ...request };
    const model = merged.model ?? defaultModel;
    return fromAbortable<Chunk>(async function* (signal) {
      const mapper = createResponseMapper({ provider: name, requestedModel: model, secrets });
      let body: GeminiRequestBody;
      try {
        body = toGeminiRequestBody(name, merged);
      } catch (error) {
        throw toLLMError(error, { provider: name, secrets });
      }
      const generativeModel = client.getGenerativeModel(
        { model },
        { ...options.requestOptions, ...(options.baseURL ? { baseUrl: options.baseURL } : {}) },
      );
      // GoogleGenerativeAIFetchError drops the response headers; keep them for `retry-after` and the request id.
      const baseFetch = options.fetch ?? globalThis.fetch;
      let responseHeaders: Headers | undefined;
      const capturingFetch: typeof fetch = async (input, init) => {
        const response = await baseFetch(input, init);
        responseHeaders = response.headers;
        return escapeStreamingBody(response);
      };
      let result: Awaited<ReturnType<typeof generativeModel.generateContentStream>>;
      try {
        // The body is built by us; the SDK's request type does not know newer fields (thinkingConfig).
        result = await withScopedFetch(capturingFetch, () =>
          generativeModel.generateContentStream(body as never, { signal }),
        );
      } catch (error) {
        throw toLLMError(error, { provider: name, secrets, signal, ...(responseHeaders ? { responseHeaders } : {}) });
      }
      // The SDK also aggregates the stream into `result.response`; its rejection would otherwise go unhandled.
      result.response.catch(() => undefined);
      try {
        for await (const response of result.stream) {
          yield* mapper.map(response as unknown as GeminiResponse);
        }
      } catch (error) {
        throw toLLMError(error, { provider: name, secrets, signal });
      }
      yield* mapper.end();
    });
  };

  return { name, defaultModel, stream };
}

/**
 * A successful streaming reply with raw U+2028/U+2029 rewritten as JSON escapes, read by read (the SDK's event regex
 * cannot cross them). The SDK reads only `ok`, `status`, `statusText` and `body` of a response.
 */
function escapeStreamingBody(response: Response): Response {
  if (!response.ok || !response.body) return response;
  return new Response(response.body.pipeThrough(escapeLineSeparators()), {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}
