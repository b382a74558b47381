import { Writable } from 'node:stream';
import { anthropicProvider } from '@rxllm/anthropic';
import { createRegistry, type ProviderFactory } from '@rxllm/core';
import { geminiProvider } from '@rxllm/gemini';
import { googleGenAIProvider } from '@rxllm/google-genai';
import { ollamaProvider, openaiProvider } from '@rxllm/openai';
import * as testing from '@rxllm/testing';
import { type MockUpstream, mockUpstream } from '@rxllm/testing';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { type RunningAgent, startAgent } from './app/start-agent.js';

/** Marker keys: a test fails if any of them shows up in a log line or a response. */
export const markerKeys = {
  OPENAI_API_KEY: 'sk-openai-MARKER-7f3a9c',
  ANTHROPIC_API_KEY: 'sk-ant-MARKER-2b8d41',
  GEMINI_API_KEY: 'AIza-gemini-MARKER-c0ffee',
  GOOGLE_API_KEY: 'AIza-google-MARKER-beef42',
};

export function testRegistry() {
  const factories: Record<string, ProviderFactory> = {
    openai: openaiProvider,
    anthropic: anthropicProvider,
    gemini: geminiProvider,
    'google-genai': googleGenAIProvider,
    ollama: ollamaProvider,
  };
  const simulated = (testing as Record<string, unknown>).simulatedProviderDefinition as ProviderFactory | undefined;
  if (simulated) factories.simulated = simulated;
  return createRegistry(factories);
}

export interface TestAgent {
  agent: RunningAgent;
  upstream: MockUpstream;
  logs: string[];
  close(): Promise<void>;
}

/** An agent on 127.0.0.1:0 whose providers all point at one mock upstream, with its log captured. */
export async function startTestAgent(env: Record<string, string | undefined> = {}): Promise<TestAgent> {
  const upstream = await mockUpstream();
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, callback) {
      logs.push(...chunk.toString().split('\n').filter(Boolean));
      callback();
    },
  });
  const agent = await startAgent({
    env: {
      LLM_PROVIDER: 'openai',
      ...markerKeys,
      OPENAI_BASE_URL: upstream.baseURLs.openai,
      ANTHROPIC_BASE_URL: upstream.baseURLs.anthropic,
      GEMINI_BASE_URL: upstream.baseURLs.gemini,
      GOOGLE_GENAI_BASE_URL: upstream.baseURLs.gemini,
      OLLAMA_BASE_URL: upstream.url,
      MAX_RETRIES: '0',
      ...env,
    },
    port: 0,
    host: '127.0.0.1',
    logStream,
    registry: testRegistry(),
  });
  return {
    agent,
    upstream,
    logs,
    async close() {
      await agent.close();
      await upstream.close();
    },
  };
}

export interface ParsedEvent {
  id: string | undefined;
  event: string | undefined;
  data: unknown;
}

/** Reads a whole SSE body with eventsource-parser; `onEvent` may stop early by returning true. */
export async function readSse(
  response: Response,
  onEvent?: (event: ParsedEvent, all: ParsedEvent[]) => boolean | undefined,
): Promise<ParsedEvent[]> {
  const events: ParsedEvent[] = [];
  let stop = false;
  const parser = createParser({
    onEvent(message: EventSourceMessage) {
      // One network read can hold several events: a reader that stopped keeps none after the one it stopped at.
      if (stop) return;
      const parsed = {
        id: message.id,
        event: message.event,
        data: message.data === '[DONE]' ? '[DONE]' : JSON.parse(message.data),
      };
      events.push(parsed);
      if (onEvent?.(parsed, events)) stop = true;
    },
  });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  while (!stop) {
    const { done, value } = await reader.read();
    if (done) break;
    parser.feed(decoder.decode(value, { stream: true }));
  }
  if (stop) await reader.cancel();
  return events;
}

/** POST JSON to the agent. */
export function postJson(url: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) {
  return fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
}

/** True when no marker key appears in the text. */
export function containsNoKey(text: string): boolean {
  return Object.values(markerKeys).every((key) => !text.includes(key));
}
