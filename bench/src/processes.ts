import { type ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Process orchestration for the benchmarks: every party (load client, gateway, upstream) runs in its own process so
 * its CPU time can be read from `/proc/<pid>/stat` and attributed to it alone.
 */

const CLOCK_TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU time of a process (all its threads), in milliseconds. Resolution: one clock tick (10 ms). */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces; fields after the closing parenthesis are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const userTicks = Number(fields[11]);
  const systemTicks = Number(fields[12]);
  return ((userTicks + systemTicks) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** Resident set size of a process, in bytes. */
export function processRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

/** A port that was free a moment ago (for programs that cannot listen on port 0 and report back). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** Polls `url` until it answers at all (any status), or throws after `timeoutMs`. */
export async function waitForHttp(url: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      return;
    } catch (error) {
      lastError = error;
      await sleep(100);
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms: ${String(lastError)}`);
}

interface RpcReply {
  rpcId: number;
  result?: unknown;
  error?: string;
}

/** A forked bench process that answers `call(type, payload)` over IPC. */
export interface Worker {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves with what the worker sent in its `ready` message. */
  readonly ready: Promise<Record<string, unknown>>;
  call<TResult>(type: string, payload?: unknown, timeoutMs?: number): Promise<TResult>;
  stop(): Promise<void>;
}

export function forkWorker(
  modulePath: string,
  options: { args?: string[]; execArgv?: string[]; env?: NodeJS.ProcessEnv; label?: string } = {},
): Worker {
  const child = fork(modulePath, options.args ?? [], {
    execArgv: options.execArgv ?? [],
    env: options.env ?? process.env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let resolveReady: (value: Record<string, unknown>) => void = () => undefined;
  let rejectReady: (error: Error) => void = () => undefined;
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  child.on('message', (message: unknown) => {
    const reply = message as RpcReply & { type?: string };
    if (reply.type === 'ready') {
      resolveReady(reply as unknown as Record<string, unknown>);
      return;
    }
    const entry = pending.get(reply.rpcId);
    if (!entry) return;
    pending.delete(reply.rpcId);
    if (reply.error !== undefined) entry.reject(new Error(reply.error));
    else entry.resolve(reply.result);
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      const error = new Error(`${options.label ?? modulePath} exited (${code ?? signal})`);
      rejectReady(error);
      for (const entry of pending.values()) entry.reject(error);
      pending.clear();
      resolve();
    });
  });
  return {
    child,
    pid: child.pid ?? -1,
    ready,
    call<TResult>(type: string, payload?: unknown, timeoutMs = 120_000): Promise<TResult> {
      const rpcId = nextId++;
      return new Promise<TResult>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(rpcId);
          reject(new Error(`${options.label ?? modulePath}: ${type} timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(rpcId, {
          resolve: (value) => {
            clearTimeout(timer);
            resolve(value as TResult);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        child.send({ rpcId, type, payload });
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** In a forked worker: answer RPC calls with `handlers`, then announce `ready` with `readyInfo`. */
export function serveRpc(
  handlers: Record<string, (payload: unknown) => unknown | Promise<unknown>>,
  readyInfo: Record<string, unknown> = {},
): void {
  process.on('message', (message: { rpcId: number; type: string; payload: unknown }) => {
    const handler = handlers[message.type];
    if (!handler) {
      process.send?.({ rpcId: message.rpcId, error: `unknown call ${message.type}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(message.payload))
      .then(
        (result) => process.send?.({ rpcId: message.rpcId, result }),
        (error: unknown) =>
          process.send?.({
            rpcId: message.rpcId,
            error: error instanceof Error ? (error.stack ?? error.message) : String(error),
          }),
      );
  });
  // Exit with the parent: a bench must never leave processes behind.
  process.on('disconnect', () => process.exit(0));
  process.send?.({ type: 'ready', ...readyInfo });
}

/** Spawns a plain program (not a bench worker), e.g. the agent or the Portkey gateway. */
export function spawnProgram(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; label: string; quiet?: boolean },
): { child: ChildProcess; pid: number; output: () => string; stop: () => Promise<void> } {
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // A plain program has no IPC channel to notice the bench going away: kill it when this process exits, however.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  let output = '';
  const keep = (part: Buffer) => {
    // Bounded: only the last 64 KiB of a program's output is kept, for error messages.
    output = (output + part.toString('utf8')).slice(-65_536);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    pid: child.pid ?? -1,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}
