/**
 * The four official SDKs behind one small interface, so each wire-level test runs against every client that speaks
 * the dialect. Test-only (excluded from the build).
 */
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { GoogleGenerativeAI } from '@google/generative-ai';
import OpenAI from 'openai';
import type { MockUpstream } from './api.js';

export interface StreamResult {
  text: string;
  reasoning: string;
  /** The vendor's finish reason, if the stream carried one. */
  finishReason: string | undefined;
  /** Whether the vendor's terminal event arrived (`[DONE]`/finish chunk, `message_stop`, a Gemini `finishReason`). */
  sawTerminal: boolean;
  toolCalls: Array<{ id?: string; name?: string; arguments: string }>;
  outputTokens: number | undefined;
}

export interface SdkClient {
  name: 'openai' | 'anthropic' | 'generative-ai' | 'genai';
  vendor: 'openai' | 'anthropic' | 'gemini';
  /** Streams one completion; `onText` sees each text delta as it arrives. Throws what the SDK throws. */
  stream(
    mock: MockUpstream,
    options?: { signal?: AbortSignal; onText?: (text: string) => void },
  ): Promise<StreamResult>;
}

const empty = (): StreamResult => ({
  text: '',
  reasoning: '',
  finishReason: undefined,
  sawTerminal: false,
  toolCalls: [],
  outputTokens: undefined,
});

export const openaiClient: SdkClient = {
  name: 'openai',
  vendor: 'openai',
  async stream(mock, options = {}) {
    const client = new OpenAI({ apiKey: 'sk-test-marker', baseURL: mock.baseURLs.openai, maxRetries: 0 });
    const stream = await client.chat.completions.create(
      {
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Hi' }],
        stream: true,
        stream_options: { include_usage: true },
      },
      { signal: options.signal },
    );
    const result = empty();
    for await (const chunk of stream) {
      if (chunk.usage) result.outputTokens = chunk.usage.completion_tokens;
      const choice = chunk.choices[0];
      if (!choice) continue;
      const delta = choice.delta as typeof choice.delta & { reasoning_content?: string };
      if (delta.content) {
        result.text += delta.content;
        options.onText?.(delta.content);
      }
      if (delta.reasoning_content) result.reasoning += delta.reasoning_content;
      for (const call of delta.tool_calls ?? []) {
        result.toolCalls[call.index] ??= { arguments: '' };
        const collected = result.toolCalls[call.index]!;
        if (call.id) collected.id = call.id;
        if (call.function?.name) collected.name = call.function.name;
        collected.arguments += call.function?.arguments ?? '';
      }
      if (choice.finish_reason) {
        result.finishReason = choice.finish_reason;
        result.sawTerminal = true;
      }
    }
    return result;
  },
};

export const anthropicClient: SdkClient = {
  name: 'anthropic',
  vendor: 'anthropic',
  async stream(mock, options = {}) {
    const client = new Anthropic({ apiKey: 'sk-ant-test-marker', baseURL: mock.baseURLs.anthropic, maxRetries: 0 });
    const stream = await client.messages.create(
      { model: 'claude-sonnet-4-6', max_tokens: 256, messages: [{ role: 'user', content: 'Hi' }], stream: true },
      { signal: options.signal },
    );
    const result = empty();
    const toolByBlock = new Map<number, StreamResult['toolCalls'][number]>();
    for await (const event of stream) {
      if (event.type === 'content_block_start' && event.content_block.type === 'tool_use') {
        const call = { id: event.content_block.id, name: event.content_block.name, arguments: '' };
        toolByBlock.set(event.index, call);
        result.toolCalls.push(call);
      } else if (event.type === 'content_block_delta') {
        if (event.delta.type === 'text_delta') {
          result.text += event.delta.text;
          options.onText?.(event.delta.text);
        } else if (event.delta.type === 'thinking_delta') {
          result.reasoning += event.delta.thinking;
        } else if (event.delta.type === 'input_json_delta') {
          const call = toolByBlock.get(event.index);
          if (call) call.arguments += event.delta.partial_json;
        }
      } else if (event.type === 'message_delta') {
        result.finishReason = event.delta.stop_reason ?? undefined;
        result.outputTokens = event.usage.output_tokens;
      } else if (event.type === 'message_stop') {
        result.sawTerminal = true;
      }
    }
    return result;
  },
};

interface GeminiPart {
  text?: string;
  thought?: boolean;
  functionCall?: { name?: string; args?: unknown };
}
interface GeminiChunk {
  candidates?: Array<{ content?: { parts?: GeminiPart[] }; finishReason?: string }>;
  usageMetadata?: { candidatesTokenCount?: number };
}

function foldGeminiChunk(result: StreamResult, chunk: GeminiChunk, onText?: (text: string) => void): void {
  const candidate = chunk.candidates?.[0];
  for (const part of candidate?.content?.parts ?? []) {
    if (part.functionCall) {
      result.toolCalls.push({ name: part.functionCall.name, arguments: JSON.stringify(part.functionCall.args ?? {}) });
    } else if (part.thought) {
      result.reasoning += part.text ?? '';
    } else if (part.text) {
      result.text += part.text;
      onText?.(part.text);
    }
  }
  if (chunk.usageMetadata?.candidatesTokenCount !== undefined) {
    result.outputTokens = chunk.usageMetadata.candidatesTokenCount;
  }
  if (candidate?.finishReason) {
    result.finishReason = candidate.finishReason;
    result.sawTerminal = true;
  }
}

export const generativeAiClient: SdkClient = {
  name: 'generative-ai',
  vendor: 'gemini',
  async stream(mock, options = {}) {
    const model = new GoogleGenerativeAI('AIza-test-marker').getGenerativeModel(
      { model: 'gemini-2.5-flash' },
      { baseUrl: mock.baseURLs.gemini },
    );
    const response = await model.generateContentStream('Hi', { signal: options.signal });
    // The SDK also aggregates the stream into `response.response`; when the stream fails that promise rejects too,
    // and nobody awaits it here: without this the failure surfaces a second time as an unhandled rejection.
    response.response.catch(() => undefined);
    const result = empty();
    for await (const chunk of response.stream) foldGeminiChunk(result, chunk as GeminiChunk, options.onText);
    return result;
  },
};

export const genaiClient: SdkClient = {
  name: 'genai',
  vendor: 'gemini',
  async stream(mock, options = {}) {
    const client = new GoogleGenAI({ apiKey: 'AIza-test-marker', httpOptions: { baseUrl: mock.baseURLs.gemini } });
    const stream = await client.models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: 'Hi',
      config: { abortSignal: options.signal },
    });
    const result = empty();
    for await (const chunk of stream) foldGeminiChunk(result, chunk as GeminiChunk, options.onText);
    return result;
  },
};

export const sdkClients: readonly SdkClient[] = [openaiClient, anthropicClient, generativeAiClient, genaiClient];

/** Runs `run` and reports how it ended, for cases where SDKs differ (Stainless SDKs end quietly on abort). */
export async function settle<T>(run: () => Promise<T>): Promise<{ result?: T; error?: unknown }> {
  try {
    return { result: await run() };
  } catch (error) {
    return { error };
  }
}

/** Runs `run` and returns what it threw (or fails the test if it did not throw). */
export async function thrown(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw, it resolved');
}
