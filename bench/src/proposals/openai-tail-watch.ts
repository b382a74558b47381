import {
  type Chunk,
  type CompletionRequest,
  fromAbortable,
  LLMError,
  type Provider,
  truncatedStreamError,
} from '@rxllm/core';
import { createChunkMapper, type OpenAIStreamEvent, toChatCompletionBody, toLLMError } from '@rxllm/openai';
import OpenAI from 'openai';
import { Stream } from 'openai/streaming';
import { watchDoneMarkerTailPull } from './tail-done-marker.js';

/**
 * A PROPOSAL, measured by the bench, not shipped: `createOpenAI`'s `stream` rebuilt from `@rxllm/openai`'s public
 * pieces (`toChatCompletionBody`, `createChunkMapper`, `toLLMError`), the same flow line for line, with one change:
 * the `[DONE]` watcher is {@link watchDoneMarkerTailPull} instead of `watchDoneMarker`. The library bench runs it
 * next to `@rxllm/openai`, so the difference between the two rows is the watcher alone.
 */
export function createOpenAIWithTailWatch(options: { apiKey: string; baseURL: string; model: string }): Provider {
  const name = 'openai';
  const client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseURL, maxRetries: 0 });
  async function* chunks(request: CompletionRequest, signal: AbortSignal): AsyncGenerator<Chunk> {
    const body = toChatCompletionBody(request, {
      model: options.model,
      maxTokensField: 'max_tokens',
      providerOptionKeys: ['openai'],
    });
    const mapper = createChunkMapper({ provider: name, model: body.model });
    let sawDone = () => false;
    try {
      const response = await client.chat.completions.create(body, { signal, maxRetries: 0 }).asResponse();
      if (!response.body)
        throw new LLMError({ kind: 'unknown', provider: name, message: `${name} sent no response body` });
      const watch = watchDoneMarkerTailPull(response.body);
      sawDone = watch.sawDone;
      const watched = new Response(watch.body, { status: response.status, headers: response.headers });
      const events = Stream.fromSSEResponse<OpenAIStreamEvent>(watched, new AbortController(), client);
      for await (const event of events) yield* mapper.push(event);
    } catch (error) {
      throw toLLMError(error, { provider: name, secrets: [options.apiKey] });
    }
    if (signal.aborted) throw new LLMError({ kind: 'aborted', provider: name, message: `${name} request was aborted` });
    if (mapper.rawFinishReason === undefined) throw truncatedStreamError(name, 'finish_reason');
    if (!sawDone()) throw truncatedStreamError(name, 'data: [DONE]');
    yield* mapper.end();
  }
  return {
    name,
    defaultModel: options.model,
    stream: (request: CompletionRequest) => fromAbortable((signal) => chunks(request, signal)),
  };
}
