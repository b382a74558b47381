import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running throwaway Redis: its `redis://127.0.0.1:PORT` URL, port, and how to stop it. */
export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a throwaway `redis-server` (the Debian package, or `REDIS_SERVER=<path>`) on a free loopback port, without
 * persistence, for tests of code that shares state on Redis. `stop()` is safe after the server has already exited.
 *
 * @example
 * ```ts
 * const redis = await startRedisServer();
 * const agent = await startAgent({ env: { REDIS_URL: redis.url, RESUMABLE_STREAMS: 'true' } });
 * // …
 * await redis.stop();
 * ```
 */
export async function startRedisServer(): Promise<RedisServer> {
  const binary = process.env.REDIS_SERVER ?? 'redis-server';
  const port = await freePort();
  const directory = mkdtempSync(join(tmpdir(), 'rxllm-redis-'));
  const child: ChildProcess = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', directory],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${output}`)), 10_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${binary} (install the Debian package redis-server): ${error.message}`));
    });
    child.stdout?.on('data', (data: Buffer) => {
      output += data.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          rmSync(directory, { recursive: true, force: true });
          resolve();
          return;
        }
        child.once('exit', () => {
          rmSync(directory, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
