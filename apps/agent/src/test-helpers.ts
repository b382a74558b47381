import { Writable } from 'node:stream';
import { anthropicProvider } from '@rxllm/anthropic';
import { createRegistry, type ProviderFactory } from '@rxllm/core';
import { geminiProvider } from '@rxllm/gemini';
import { googleGenAIProvider } from '@rxllm/google-genai';
import { ollamaProvider, openaiProvider } from '@rxllm/openai';
import * as testing from '@rxllm/testing';
import { type MockUpstream, type MockUpstreamOptions, mockUpstream } from '@rxllm/testing';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { InjectOptions, Response as InjectResponse } from 'light-my-request';
import { createAgentServer } from './app/server.js';
import { type RunningAgent, startAgent, withOpenAICompatibleDefault } from './app/start-agent.js';
import { loadConfig } from './config.js';
import { createLogger } from './observability/logger.js';

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

/** The environment of a test agent whose providers all point at `upstream`. */
function testEnv(upstream: MockUpstream, env: Record<string, string | undefined>): Record<string, string | undefined> {
  return {
    LLM_PROVIDER: 'openai',
    ...markerKeys,
    OPENAI_BASE_URL: upstream.baseURLs.openai,
    ANTHROPIC_BASE_URL: upstream.baseURLs.anthropic,
    GEMINI_BASE_URL: upstream.baseURLs.gemini,
    GOOGLE_GENAI_BASE_URL: upstream.baseURLs.gemini,
    OLLAMA_BASE_URL: upstream.url,
    MAX_RETRIES: '0',
    ...env,
  };
}

function captureLogs(logs: string[]): Writable {
  return new Writable({
    write(chunk, _encoding, callback) {
      logs.push(...chunk.toString().split('\n').filter(Boolean));
      callback();
    },
  });
}

/** An agent built in process, never listening: requests go straight to its Fastify instance (light-my-request). */
export interface InProcessAgent {
  inject(options: InjectOptions): Promise<InjectResponse>;
  upstream: MockUpstream;
  logs: string[];
  close(): Promise<void>;
}

/**
 * The agent's routes without a socket, for tests of HTTP semantics (status codes, headers, validation, auth).
 * Streams, backpressure, disconnects and shutdown keep real sockets ({@link startTestAgent}).
 */
export async function injectTestAgent(env: Record<string, string | undefined> = {}): Promise<InProcessAgent> {
  const upstream = await mockUpstream();
  const logs: string[] = [];
  const config = loadConfig(withOpenAICompatibleDefault(testEnv(upstream, env)));
  const logger = createLogger(config.logLevel, captureLogs(logs));
  const agent = await createAgentServer({ config, registry: testRegistry(), logger });
  return {
    inject: (options) => agent.inject(options),
    upstream,
    logs,
    async close() {
      await agent.shutdown(0);
      await upstream.close();
    },
  };
}

export interface TestAgent {
  agent: RunningAgent;
  upstream: MockUpstream;
  logs: string[];
  close(): Promise<void>;
}

/**
 * An agent on 127.0.0.1:0 whose providers all point at one mock upstream, with its log captured; `mock` options
 * (a `respond` that answers by what the request holds) go to the mock.
 */
export async function startTestAgent(
  env: Record<string, string | undefined> = {},
  mock: MockUpstreamOptions = {},
): Promise<TestAgent> {
  const upstream = await mockUpstream(mock);
  const logs: string[] = [];
  const agent = await startAgent({
    env: testEnv(upstream, env),
    port: 0,
    host: '127.0.0.1',
    logStream: captureLogs(logs),
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
