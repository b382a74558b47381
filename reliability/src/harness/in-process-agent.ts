import { Writable } from 'node:stream';
import { type RunningAgent, startAgent } from '@rxllm/agent';
import {
  type FaultProxy,
  type FaultProxyOptions,
  faultProxy,
  type MockResponder,
  type MockUpstream,
  mockUpstream,
} from '@rxllm/testing';
import type { SecretScanner } from './secrets.js';
import { markerKeys } from './secrets.js';

export interface HarnessOptions {
  /** Extra agent environment (timeouts, limits, `AGENT_API_KEY`, …). */
  env?: Record<string, string>;
  /** Put the fault proxy between agent and mock with these faults. */
  faults?: FaultProxyOptions['faults'];
  respond?: MockResponder;
  scanner: SecretScanner;
}

/** An agent in this process, its mock upstream, and (optionally) the fault proxy between them. */
export interface Harness {
  agent: RunningAgent;
  mock: MockUpstream;
  proxy: FaultProxy | undefined;
  logs: string[];
  close(): Promise<void>;
}

/** The provider environment for an agent whose three vendors all go to `upstreamUrl` (a mock or a proxy). */
export function vendorEnv(upstreamUrl: string): Record<string, string> {
  return {
    LLM_PROVIDER: 'openai',
    ...markerKeys,
    OPENAI_BASE_URL: `${upstreamUrl}/v1`,
    ANTHROPIC_BASE_URL: upstreamUrl,
    GEMINI_BASE_URL: upstreamUrl,
    GOOGLE_GENAI_BASE_URL: upstreamUrl,
    MAX_RETRIES: '0',
  };
}

/**
 * Starts mock upstream → (fault proxy) → agent on 127.0.0.1, every log line fed to the secrets scanner.
 *
 * @example
 * ```ts
 * const harness = await startHarness({ scanner, faults: { splitBytes: 1 } });
 * ```
 */
export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const mock = await mockUpstream(options.respond ? { respond: options.respond } : {});
  const proxy =
    options.faults === undefined ? undefined : await faultProxy({ target: mock.url, faults: options.faults });
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue;
        logs.push(line);
        options.scanner.logLine(line);
      }
      callback();
    },
  });
  const agent = await startAgent({
    env: { ...vendorEnv(proxy?.url ?? mock.url), ...options.env },
    port: 0,
    host: '127.0.0.1',
    logStream,
  });
  return {
    agent,
    mock,
    proxy,
    logs,
    async close() {
      await agent.close();
      await proxy?.close();
      await mock.close();
    },
  };
}
