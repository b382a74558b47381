import { type GenerateContentConfig, GoogleGenAI, type GoogleGenAIOptions, type HttpOptions } from '@google/genai';
import { type Chunk, type CompletionRequest, fromAbortable, LLMError, type Provider, redactSecrets } from '@rxllm/core';
import type { GeminiResponse } from '@rxllm/gemini-common';
import { createResponseMapper } from '@rxllm/gemini-common/internal';
import type { Observable } from 'rxjs';
import { toLLMError } from './errors.js';
import { type GoogleGenAIRequest, toGoogleGenAIRequest } from './request-body.js';

/** A current Gemini model id, used when neither the options nor the request name one. */
export const DEFAULT_GOOGLE_GENAI_MODEL = 'gemini-2.5-flash';

/**
 * Vertex AI instead of the Gemini API: project and location (or an API key, Vertex express mode).
 *
 * @example
 * ```ts
 * createGoogleGenAI({ vertexai: { project: 'my-project', location: 'us-central1' } satisfies VertexOptions });
 * ```
 */
export interface VertexOptions {
  project?: string;
  location?: string;
}

/**
 * Options of {@link createGoogleGenAI}; all optional (the SDK reads its own environment variables for what is left out).
 *
 * @example
 * ```ts
 * const options: GoogleGenAIProviderOptions = { vertexai: { project: 'my-project', location: 'us-central1' }, model: 'gemini-2.5-pro' };
 * ```
 */
export interface GoogleGenAIProviderOptions {
  /** Gemini API key (or a Vertex express-mode key). Omitted: the SDK reads `GOOGLE_API_KEY` / `GEMINI_API_KEY`. */
  apiKey?: string;
  /** Use Vertex AI. Without an `apiKey` the SDK authenticates with Application Default Credentials (google-auth-library). */
  vertexai?: VertexOptions | boolean;
  /** Root URL of the API, e.g. `https://generativelanguage.googleapis.com` or a proxy / mock. */
  baseURL?: string;
  /** Default model; {@link DEFAULT_GOOGLE_GENAI_MODEL} when omitted. */
  model?: string;
  /** Defaults merged under every request (the request's own fields win). */
  defaults?: Partial<Omit<CompletionRequest, 'messages'>>;
  /** SDK `HttpOptions` for every call: `headers`, `timeout`, `apiVersion`, `fetch`. Retries stay off: no `retryOptions`. */
  httpOptions?: Omit<HttpOptions, 'baseUrl' | 'retryOptions'>;
  /** Passed to the SDK for Vertex AI without a key (service account credentials, scopes, a custom auth client). */
  googleAuthOptions?: GoogleGenAIOptions['googleAuthOptions'];
  /** Registry name reported in chunks and errors; default `google-genai`. */
  name?: string;
}

type Fetch = typeof fetch;

function construct(provider: string, clientOptions: GoogleGenAIOptions): GoogleGenAI {
  try {
    return new GoogleGenAI(clientOptions);
  } catch (cause) {
    // e.g. Vertex with neither project/location nor a key nor a base URL.
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new LLMError({
      kind: 'invalid-request',
      provider,
      message: redactSecrets(`${provider}: ${message}`, [clientOptions.apiKey]),
      cause,
    });
  }
}

/**
 * A {@link Provider} for the Gemini API and Vertex AI on the maintained `@google/genai` SDK. Cold: each
 * subscription is one request; unsubscribing aborts it (`config.abortSignal`). SDK retries, automatic function
 * calling and automatic continuation are off, so one subscription is exactly one HTTP request.
 *
 * @example
 * ```ts
 * const gemini = createGoogleGenAI({ apiKey: process.env.GEMINI_API_KEY! });
 * const vertex = createGoogleGenAI({ vertexai: { project: 'my-project', location: 'us-central1' } });
 * gemini.stream({ messages: [{ role: 'user', content: 'Hi' }] }).pipe(textDeltas()).subscribe((text) => process.stdout.write(text));
 * ```
 */
export function createGoogleGenAI(options: GoogleGenAIProviderOptions = {}): Provider {
  const name = options.name ?? 'google-genai';
  const defaultModel = options.model ?? DEFAULT_GOOGLE_GENAI_MODEL;
  const vertex = options.vertexai === true ? {} : options.vertexai || undefined;
  const { fetch: customFetch, ...httpOptions } = options.httpOptions ?? {};
  const client = construct(name, {
    vertexai: vertex !== undefined,
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    ...(vertex?.project ? { project: vertex.project } : {}),
    ...(vertex?.location ? { location: vertex.location } : {}),
    ...(options.googleAuthOptions ? { googleAuthOptions: options.googleAuthOptions } : {}),
    httpOptions: { ...httpOptions, ...(options.baseURL ? { baseUrl: options.baseURL } : {}) },
  });
  const secrets = [options.apiKey];

  const stream = (request: CompletionRequest): Observable<Chunk> => {
    const merged: CompletionRequest = { ...options.defaults, ...request };
    const model = merged.model ?? defaultModel;
    return fromAbortable<Chunk>(async function* (signal) {
      const mapper = createResponseMapper({ provider: name, requestedModel: model, secrets });
      let parameters: GoogleGenAIRequest;
      try {
        parameters = toGoogleGenAIRequest(name, merged);
      } catch (error) {
        throw toLLMError(error, { provider: name, secrets });
      }
      // ApiError drops the response headers; keep them for `retry-after` and the request id.
      let responseHeaders: Headers | undefined;
      const capturingFetch: Fetch = async (input, init) => {
        const response = await (customFetch ?? globalThis.fetch)(input, init);
        responseHeaders = response.headers;
        return response;
      };
      const config: GenerateContentConfig = {
        ...parameters.config,
        abortSignal: signal,
        httpOptions: { fetch: capturingFetch },
        automaticFunctionCalling: { disable: true },
        // A continuation re-requests after a dropped hop: a hidden retry, and two requests for one subscription.
        automaticContinuation: false,
      };
      let responses: AsyncGenerator<unknown>;
      try {
        responses = await client.models.generateContentStream({ model, contents: parameters.contents, config });
      } catch (error) {
        throw toLLMError(error, { provider: name, secrets, signal, ...(responseHeaders ? { responseHeaders } : {}) });
      }
      try {
        for await (const response of responses) {
          yield* mapper.map(response as GeminiResponse);
        }
      } catch (error) {
        throw toLLMError(error, { provider: name, secrets, signal, streaming: true });
      }
      yield* mapper.end();
    });
  };

  return { name, defaultModel, stream };
}
