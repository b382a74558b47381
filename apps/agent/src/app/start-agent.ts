import type { AddressInfo } from 'node:net';
import type { ProviderRegistry } from '@rxllm/core';
import type { Logger } from 'pino';
import { type AgentEnv, assertSafeBind, isLoopbackHost, loadConfig } from '../config.js';
import { createLogger } from '../observability/logger.js';
import { createAgentServer } from './server.js';

export interface StartAgentOptions {
  /** Environment to read (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Overrides `PORT`; `0` picks a free port. */
  port?: number;
  /** Overrides `HOST`. */
  host?: string;
  /** Where pino writes (default stdout). */
  logStream?: NodeJS.WritableStream;
  /** Provider registry (default: every rxllm provider). */
  registry?: ProviderRegistry;
}

/** A listening agent. */
export interface RunningAgent {
  /** `http://127.0.0.1:PORT` (or the host it listens on). */
  url: string;
  port: number;
  /** Stops at once: streams in flight end with a `shutdown` error, sockets close with 1001. */
  close(): Promise<void>;
  /** Graceful stop: readiness fails, streams drain for `drainMs` (default `SHUTDOWN_DRAIN_MS`), the rest end. */
  shutdown(drainMs?: number): Promise<void>;
  /** The agent's pino logger. */
  logger: Logger;
}

/**
 * `OPENAI_BASE_URL` alone (a local vLLM, llama.cpp or LM Studio server needs no key) selects the openai provider:
 * it gets a placeholder key, since the SDK insists on one.
 */
export function withOpenAICompatibleDefault(env: AgentEnv): AgentEnv {
  const selected = env.LLM_PROVIDER?.trim().toLowerCase();
  if (!env.OPENAI_BASE_URL?.trim() || env.OPENAI_API_KEY?.trim() || (selected && selected !== 'openai')) return env;
  return { ...env, OPENAI_API_KEY: 'not-needed' };
}

function hasAnyKey(env: AgentEnv): boolean {
  return ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'GEMINI_API_KEY', 'GOOGLE_API_KEY'].some((name) => env[name]?.trim());
}

/**
 * Starts the streaming agent and logs its first lines (provider, model, where it listens).
 *
 * @example
 * ```ts
 * const agent = await startAgent({ env: { LLM_PROVIDER: 'simulated' }, port: 0, host: '127.0.0.1' });
 * const response = await fetch(`${agent.url}/chat`, { method: 'POST', body: JSON.stringify({ message: 'Hi' }) });
 * await agent.close();
 * ```
 */
export async function startAgent(options: StartAgentOptions = {}): Promise<RunningAgent> {
  const env = withOpenAICompatibleDefault(options.env ?? process.env);
  const loaded = loadConfig(env);
  // The address decides which Host names are served (see isHostAllowed), so an override replaces HOST everywhere.
  const config = options.host === undefined ? loaded : { ...loaded, host: options.host };
  assertSafeBind(config.host, config);
  const logger = createLogger(config.logLevel, options.logStream);
  const registry = options.registry ?? (await import('../generation/default-registry.js')).defaultRegistry();
  logger.info('Streaming Chatbot Agent starting...');
  if (!isLoopbackHost(config.host) && config.agentApiKey === undefined && config.agentKeysFile === undefined) {
    logger.warn(
      `ALLOW_UNAUTHENTICATED=true and HOST=${config.host}: anyone who can reach this machine can use the agent ` +
        'and its provider key. Set AGENT_API_KEY to require a bearer token.',
    );
  }
  const agent = await createAgentServer({ config, registry, logger });
  const { active } = agent.context.catalog;
  logger.info({ provider: active.name, reason: active.reason }, `Provider: ${active.name} (${active.reason})`);
  logger.info({ model: active.provider.defaultModel }, `Model: ${active.provider.defaultModel}`);
  if (active.name === 'simulated' && !env.LLM_PROVIDER?.trim()) {
    logger.warn(
      'No API key is set: running on the SIMULATED provider (canned text, no network). To use a real model set ' +
        'OPENAI_API_KEY, or LLM_PROVIDER=anthropic with ANTHROPIC_API_KEY, or LLM_PROVIDER=gemini with GEMINI_API_KEY, ' +
        'or OPENAI_BASE_URL for any OpenAI-compatible server (no key needed).',
    );
  } else if (active.name === 'simulated' && !hasAnyKey(env)) {
    logger.info('Running on the simulated provider (LLM_PROVIDER=simulated): canned text, no network.');
  }
  const others = agent.context.catalog.entries.slice(1).map((entry) => entry.name);
  if (others.length > 0) logger.info({ providers: others }, `Also available per request: ${others.join(', ')}`);
  const { host } = config;
  const port = options.port ?? config.port;
  await new Promise<void>((resolve, reject) => {
    agent.server.once('error', reject);
    // A deep accept backlog: a burst of thousands of connections must queue, not be reset (Node's default is 511).
    agent.server.listen({ port, host, backlog: 4096 }, () => {
      agent.server.off('error', reject);
      resolve();
    });
  });
  const address = agent.server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${address.port}`;
  logger.info(`Listening on ${url}`);
  if (config.agentApiKey) logger.info('AGENT_API_KEY is set: clients must send Authorization: Bearer <key>');
  if (config.agentKeysFile)
    logger.info('AGENT_KEYS is set: clients must send one of its keys as Authorization: Bearer <key>');
  return {
    url,
    port: address.port,
    close: () => agent.shutdown(0),
    shutdown: (drainMs?: number) => agent.shutdown(drainMs),
    logger,
  };
}
