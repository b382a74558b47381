import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, spawnProgram, waitForHttp } from './processes.js';
import { modelFor, type StreamShape } from './wire.js';

/** A way to reach the upstream: straight, or through a gateway process that the bench starts and stops. */
export interface GatewaySubject {
  id: 'direct' | 'agent-openai' | 'agent-chat' | 'portkey';
  label: string;
  /** Starts the gateway (if any) in front of `upstreamUrl`; resolves once it answers HTTP. */
  start(upstreamUrl: string, models: readonly string[]): Promise<RunningGateway>;
}

export interface RunningGateway {
  origin: string;
  /** The gateway's process id, for `/proc` CPU and RSS; undefined when there is no gateway. */
  pid: number | undefined;
  request(shape: StreamShape): { path: string; headers: Record<string, string>; body: string };
  /** The tail of the gateway's stdout/stderr, to check that the marker key never shows up in it. */
  output?: () => string;
  stop(): Promise<void>;
}

/** A marker secret: the agent and Portkey must forward it upstream and never print it. */
export const BENCH_API_KEY = 'sk-bench-marker-0123456789';

const here = dirname(fileURLToPath(import.meta.url));
const repositoryRoot = join(here, '..', '..');
export const AGENT_MAIN = join(repositoryRoot, 'apps', 'agent', 'dist', 'main.js');

function openAIBody(shape: StreamShape): string {
  return JSON.stringify({
    model: modelFor(shape),
    messages: [{ role: 'user', content: 'Say something.' }],
    stream: true,
  });
}

const jsonHeaders = { 'content-type': 'application/json', authorization: `Bearer ${BENCH_API_KEY}` };

export const direct: GatewaySubject = {
  id: 'direct',
  label: 'direct to the upstream (no gateway)',
  async start(upstreamUrl) {
    return {
      origin: upstreamUrl,
      pid: undefined,
      request: (shape) => ({ path: '/v1/chat/completions', headers: jsonHeaders, body: openAIBody(shape) }),
      stop: async () => undefined,
    };
  },
};

/**
 * Starts the built agent (`node [nodeArgs] apps/agent/dist/main.js`) on the OpenAI provider pointed at `upstreamUrl`,
 * serving `models`, and waits for `/healthz`. `nodeArgs` is for the profiler (`--cpu-prof`).
 */
export async function startAgent(
  upstreamUrl: string,
  models: readonly string[],
  nodeArgs: readonly string[] = [],
): Promise<{ origin: string; pid: number; output: () => string; stop: () => Promise<void> }> {
  if (!existsSync(AGENT_MAIN)) throw new Error(`the agent is not built (${AGENT_MAIN} is missing)`);
  const port = await freePort();
  const agent = spawnProgram(process.execPath, [...nodeArgs, AGENT_MAIN], {
    label: 'agent',
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      HOST: '127.0.0.1',
      // The agent's default level (info: one line per request, none per chunk) is what it runs with in production.
      LOG_LEVEL: process.env.BENCH_AGENT_LOG_LEVEL ?? 'info',
      LLM_PROVIDER: 'openai',
      OPENAI_API_KEY: BENCH_API_KEY,
      OPENAI_BASE_URL: `${upstreamUrl}/v1`,
      OPENAI_MODEL: models[0],
      // The agent only serves listed models; the bench encodes each stream's shape in the model id.
      OPENAI_MODELS: models.join(','),
    },
  });
  const origin = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${origin}/healthz`);
  } catch (error) {
    await agent.stop();
    throw new Error(`${String(error)}\nagent output:\n${agent.output().slice(-3000)}`);
  }
  return { origin, pid: agent.pid, output: agent.output, stop: agent.stop };
}

export const agentOpenAI: GatewaySubject = {
  id: 'agent-openai',
  label: 'rxllm agent, POST /v1/chat/completions',
  async start(upstreamUrl, models) {
    const agent = await startAgent(upstreamUrl, models);
    return {
      ...agent,
      request: (shape) => ({ path: '/v1/chat/completions', headers: jsonHeaders, body: openAIBody(shape) }),
    };
  },
};

export const agentChat: GatewaySubject = {
  id: 'agent-chat',
  label: 'rxllm agent, POST /chat (SSE)',
  async start(upstreamUrl, models) {
    const agent = await startAgent(upstreamUrl, models);
    return {
      ...agent,
      request: (shape) => ({
        path: '/chat',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ message: 'Say something.', provider: 'openai', model: modelFor(shape) }),
      }),
    };
  },
};

export function portkeyEntry(): string {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve('@portkey-ai/gateway/package.json');
  return join(dirname(packageJson), 'build', 'start-server.js');
}

export const portkey: GatewaySubject = {
  id: 'portkey',
  label: 'Portkey gateway 1.15.2, POST /v1/chat/completions',
  async start(upstreamUrl) {
    const port = await freePort();
    const gateway = spawnProgram(
      process.execPath,
      ['--import', join(here, 'portkey-fetch-fix.js'), portkeyEntry(), `--port=${port}`, '--headless'],
      { label: 'portkey', env: { PATH: process.env.PATH, NODE_ENV: 'production' } },
    );
    const origin = `http://127.0.0.1:${port}`;
    try {
      await waitForHttp(`${origin}/`);
    } catch (error) {
      await gateway.stop();
      throw new Error(`${String(error)}\nportkey output:\n${gateway.output().slice(-3000)}`);
    }
    return {
      origin,
      pid: gateway.pid,
      request: (shape) => ({
        path: '/v1/chat/completions',
        headers: {
          ...jsonHeaders,
          'x-portkey-provider': 'openai',
          'x-portkey-custom-host': `${upstreamUrl}/v1`,
        },
        body: openAIBody(shape),
      }),
      output: gateway.output,
      stop: gateway.stop,
    };
  },
};

export const GATEWAY_SUBJECTS: readonly GatewaySubject[] = [direct, agentOpenAI, agentChat, portkey];
