import { type ChildProcess, fork, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { SecretScanner } from './secrets.js';

/** What the agent process reports about itself over IPC. */
export interface AgentProcessStats {
  eventLoopDelayMs: { p50: number; p99: number; max: number; mean: number };
  memory: NodeJS.MemoryUsage;
  openFds: number;
  resources: Record<string, number>;
}

export interface ChildAgent {
  url: string;
  pid: number;
  child: ChildProcess;
  /** Every log line the process wrote (stdout and stderr). */
  logs: string[];
  /** Resolves with how and when (`performance.now()`) the process exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** Only for the IPC wrapper: ask the process for its figures (optionally after a full GC). */
  stats(options?: { gc?: boolean }): Promise<AgentProcessStats>;
  resetEventLoopDelay(): Promise<void>;
  /** Only for the IPC wrapper: keeps the agent's event loop busy for `ms` (resolves when it is free again). */
  block(ms: number): Promise<void>;
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);
/** The real executable, `node apps/agent/dist/main.js`. */
export const agentMain = join(dirname(require.resolve('@rxllm/agent/package.json')), 'dist', 'main.js');
const wrapper = fileURLToPath(new URL('../../scripts/agent-process.mjs', import.meta.url));

export interface ChildAgentOptions {
  env: Record<string, string>;
  scanner: SecretScanner;
  /** `wrapper` (default): startAgent plus an IPC stats channel. `main`: the shipped executable, for signal tests. */
  entry?: 'wrapper' | 'main';
  /** Extra node flags, e.g. `--max-old-space-size`. */
  execArgv?: string[];
}

/**
 * Runs the agent in its own process, so the load client's CPU and the agent's event loop are measured apart.
 *
 * @example
 * ```ts
 * const agent = await startChildAgent({ env: vendorEnv(mock.url), scanner });
 * const { eventLoopDelayMs } = await agent.stats();
 * ```
 */
export async function startChildAgent(options: ChildAgentOptions): Promise<ChildAgent> {
  const entry = options.entry ?? 'wrapper';
  const env = { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...options.env };
  const execArgv = ['--expose-gc', ...(options.execArgv ?? [])];
  const child =
    entry === 'wrapper'
      ? fork(wrapper, [], { env, execArgv, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] })
      : spawn(process.execPath, [...execArgv, agentMain], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: string[] = [];
  let listening: ((url: string) => void) | undefined;
  const collect = (stream: NodeJS.ReadableStream | null) => {
    let pending = '';
    stream?.on('data', (data: Buffer) => {
      pending += data.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (!line) continue;
        logs.push(line);
        options.scanner.logLine(line, 'child-agent');
        const match = /Listening on (http:\/\/[^"\s]+)/.exec(line);
        if (match && listening) listening(match[1] as string);
      }
    });
  };
  collect(child.stdout);
  collect(child.stderr);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() }));
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`agent did not start within 20 s:\n${logs.join('\n')}`)), 20_000);
    listening = (found) => {
      clearTimeout(timer);
      resolve(found);
    };
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`agent exited with ${code} before listening:\n${logs.join('\n')}`));
    });
  });

  let requestId = 0;
  const ask = <T>(type: string, extra: Record<string, unknown> = {}) =>
    new Promise<T>((resolve, reject) => {
      if (entry !== 'wrapper') return reject(new Error('stats need the IPC wrapper'));
      requestId += 1;
      const id = requestId;
      const onMessage = (message: { id?: number } & T) => {
        if (message.id !== id) return;
        child.off('message', onMessage);
        resolve(message);
      };
      child.on('message', onMessage);
      child.send({ type, id, ...extra });
    });

  return {
    url,
    pid: child.pid as number,
    child,
    logs,
    exited,
    stats: (statsOptions = {}) => ask<AgentProcessStats>('stats', { gc: statsOptions.gc ?? false }),
    resetEventLoopDelay: () => ask<void>('reset-event-loop-delay'),
    block: (ms) => ask<void>('block', { ms }),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
