import Anthropic from '@anthropic-ai/sdk';
import type { Chunk, CompletionRequest, Provider } from '@rxllm/core';
import OpenAI from 'openai';
import type { Observable } from 'rxjs';
import { BENCH_API_KEY } from './gateway-subjects.js';
import { loadExport, loadOperators, pipeline } from './pipeline.js';
import { modelFor, type StreamShape } from './wire.js';

/**
 * The in-process library subjects: each consumes one whole stream from the bench upstream and returns how many
 * text characters it saw (checked against the expected count, so a subject that drops text is caught, not timed).
 */
export interface LibrarySubject {
  id: string;
  vendor: 'openai' | 'anthropic';
  label: string;
  /** Builds the client once (outside the timed runs); resolves to the function that runs one stream. */
  prepare(upstreamUrl: string): Promise<(shape: StreamShape) => Promise<number>>;
}

const PROMPT = 'Say something.';

function request(shape: StreamShape): CompletionRequest {
  return { model: modelFor(shape), messages: [{ role: 'user', content: PROMPT }], maxTokens: 1024 };
}

/** Counts text characters of a chunk stream; rejects with the stream's error. */
function countText(stream: Observable<Chunk>): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let characters = 0;
    stream.subscribe({
      next: (chunk) => {
        if (chunk.type === 'text') characters += chunk.text.length;
      },
      error: reject,
      complete: () => resolve(characters),
    });
  });
}

function countStrings(stream: Observable<string>): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let characters = 0;
    stream.subscribe({
      next: (text) => (characters += text.length),
      error: reject,
      complete: () => resolve(characters),
    });
  });
}

type ProviderFactory = (options: { apiKey: string; baseURL: string; model: string }) => Provider;

export const LIBRARY_SUBJECTS: readonly LibrarySubject[] = [
  {
    id: 'openai-sdk',
    vendor: 'openai',
    label: '`openai` SDK, bare `for await` loop',
    async prepare(upstreamUrl) {
      const client = new OpenAI({ apiKey: BENCH_API_KEY, baseURL: `${upstreamUrl}/v1`, maxRetries: 0 });
      return async (shape) => {
        const stream = await client.chat.completions.create({
          model: modelFor(shape),
          messages: [{ role: 'user', content: PROMPT }],
          stream: true,
        });
        let characters = 0;
        for await (const event of stream) {
          const text = event.choices[0]?.delta?.content;
          if (text) characters += text.length;
        }
        return characters;
      };
    },
  },
  {
    id: 'rxllm-openai',
    vendor: 'openai',
    label: '`@rxllm/openai` alone',
    async prepare(upstreamUrl) {
      const createOpenAI = await loadExport<ProviderFactory>('@rxllm/openai', 'createOpenAI');
      const provider = createOpenAI({ apiKey: BENCH_API_KEY, baseURL: `${upstreamUrl}/v1`, model: 'bench-32-0' });
      return (shape) => countText(provider.stream(request(shape)));
    },
  },
  {
    id: 'rxllm-openai-pipeline',
    vendor: 'openai',
    label: '`@rxllm/openai` + timeout + metrics + buffer + textDeltas',
    async prepare(upstreamUrl) {
      const createOpenAI = await loadExport<ProviderFactory>('@rxllm/openai', 'createOpenAI');
      const provider = createOpenAI({ apiKey: BENCH_API_KEY, baseURL: `${upstreamUrl}/v1`, model: 'bench-32-0' });
      const withPipeline = pipeline(await loadOperators());
      return (shape) => countStrings(withPipeline(provider.stream(request(shape))));
    },
  },
  {
    id: 'ai-sdk-openai',
    vendor: 'openai',
    label: 'Vercel AI SDK `streamText` + `@ai-sdk/openai` (chat)',
    async prepare(upstreamUrl) {
      const { streamText } = await import('ai');
      const { createOpenAI } = await import('@ai-sdk/openai');
      const provider = createOpenAI({ apiKey: BENCH_API_KEY, baseURL: `${upstreamUrl}/v1` });
      return async (shape) => {
        let failure: unknown;
        const result = streamText({
          model: provider.chat(modelFor(shape)),
          prompt: PROMPT,
          maxOutputTokens: 1024,
          maxRetries: 0,
          onError: ({ error }) => {
            failure = error;
          },
        });
        let characters = 0;
        for await (const text of result.textStream) characters += text.length;
        if (failure) throw failure;
        return characters;
      };
    },
  },
  {
    id: 'anthropic-sdk',
    vendor: 'anthropic',
    label: '`@anthropic-ai/sdk`, bare `for await` loop',
    async prepare(upstreamUrl) {
      const client = new Anthropic({ apiKey: BENCH_API_KEY, baseURL: upstreamUrl, maxRetries: 0 });
      return async (shape) => {
        const stream = await client.messages.create({
          model: modelFor(shape),
          max_tokens: 1024,
          messages: [{ role: 'user', content: PROMPT }],
          stream: true,
        });
        let characters = 0;
        for await (const event of stream) {
          if (event.type === 'content_block_delta' && event.delta.type === 'text_delta')
            characters += event.delta.text.length;
        }
        return characters;
      };
    },
  },
  {
    id: 'rxllm-anthropic',
    vendor: 'anthropic',
    label: '`@rxllm/anthropic` alone',
    async prepare(upstreamUrl) {
      const createAnthropic = await loadExport<ProviderFactory>('@rxllm/anthropic', 'createAnthropic');
      const provider = createAnthropic({ apiKey: BENCH_API_KEY, baseURL: upstreamUrl, model: 'bench-32-0' });
      return (shape) => countText(provider.stream(request(shape)));
    },
  },
  {
    id: 'rxllm-anthropic-pipeline',
    vendor: 'anthropic',
    label: '`@rxllm/anthropic` + timeout + metrics + buffer + textDeltas',
    async prepare(upstreamUrl) {
      const createAnthropic = await loadExport<ProviderFactory>('@rxllm/anthropic', 'createAnthropic');
      const provider = createAnthropic({ apiKey: BENCH_API_KEY, baseURL: upstreamUrl, model: 'bench-32-0' });
      const withPipeline = pipeline(await loadOperators());
      return (shape) => countStrings(withPipeline(provider.stream(request(shape))));
    },
  },
  {
    id: 'ai-sdk-anthropic',
    vendor: 'anthropic',
    label: 'Vercel AI SDK `streamText` + `@ai-sdk/anthropic`',
    async prepare(upstreamUrl) {
      const { streamText } = await import('ai');
      const { createAnthropic } = await import('@ai-sdk/anthropic');
      const provider = createAnthropic({ apiKey: BENCH_API_KEY, baseURL: `${upstreamUrl}/v1` });
      return async (shape) => {
        let failure: unknown;
        const result = streamText({
          model: provider(modelFor(shape)),
          prompt: PROMPT,
          maxOutputTokens: 1024,
          maxRetries: 0,
          onError: ({ error }) => {
            failure = error;
          },
        });
        let characters = 0;
        for await (const text of result.textStream) characters += text.length;
        if (failure) throw failure;
        return characters;
      };
    },
  },
];
