import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';

/** The built CLI the end-to-end tests run (`node dist/main.js`). */
export const cli = join(import.meta.dirname, '..', 'dist', 'main.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Spawns the built CLI with only `PATH` (plus `env`) in its environment, collects its output, and kills it after 20 s
 * so a hung run fails instead of hanging the suite. Standard input is left open for the caller.
 */
export function startCli(
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; done: Promise<CliRun>; stdoutSoFar: () => string } {
  const child = spawn(process.execPath, [cli, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
  });
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const done = new Promise<CliRun>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, done, stdoutSoFar: () => stdout };
}

/** Runs the built CLI to its end with `input` on stdin (empty by default). */
export function runCli(
  args: string[],
  options: { input?: string; env?: Record<string, string> } = {},
): Promise<CliRun> {
  const { child, done } = startCli(args, options.env);
  child.stdin!.end(options.input ?? '');
  return done;
}

/** A port on 127.0.0.1 where nothing listens (it was free a moment ago). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A log stream that drops everything, for an agent started by a test. */
export const silent = () => new Writable({ write: (_chunk, _encoding, callback) => callback() });
