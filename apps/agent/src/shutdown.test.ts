import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mockUpstream } from '@rxllm/testing';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { markerKeys, postJson, readSse, startTestAgent, type TestAgent } from './test-helpers.js';

const slow = (count: number, eventDelayMs = 20) => ({
  events: Array.from({ length: count }, (_, index) => ({ type: 'text' as const, text: `t${index} ` })),
  delivery: { eventDelayMs },
});

describe('graceful shutdown (in process)', () => {
  let harness: TestAgent | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('readiness fails at once, short streams finish, long ones end with kind "shutdown", WebSockets close 1001', async () => {
    harness = await startTestAgent();
    const { agent, upstream } = harness;
    upstream.enqueue(slow(500), slow(5));
    const long = readSse(await postJson(`${agent.url}/chat`, { message: 'long' }));
    const short = readSse(await postJson(`${agent.url}/chat`, { message: 'short' }));
    const socket = new WebSocket(`${agent.url.replace('http', 'ws')}/ws`);
    await new Promise((resolve) => socket.once('open', resolve));
    const closeCode = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    await upstream.waitForRequests(2);

    const stopping = agent.shutdown(400);
    const ready = await fetch(`${agent.url}/readyz`).catch(() => undefined);
    // Either 503 on a kept-alive connection, or refused because the listener already closed: never 200.
    expect(ready?.status ?? 503).toBe(503);

    const [longEvents, shortEvents] = await Promise.all([long, short]);
    expect(shortEvents.at(-1)?.event).toBe('done');
    expect(longEvents.at(-1)).toMatchObject({ event: 'error', data: { error: { kind: 'shutdown' } } });
    expect(longEvents.filter((event) => event.event === 'text').length).toBeGreaterThan(0);
    expect(await closeCode).toBe(1001);
    await stopping;
  });
});

const mainScript = fileURLToPath(new URL('../dist/main.js', import.meta.url));

describe('the executable (node dist/main.js)', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    child = undefined;
  });

  function start(env: Record<string, string>) {
    // `turbo run test` builds first; run `pnpm turbo run build --filter=@rxllm/agent...` when calling vitest directly.
    const output: string[] = [];
    const process_ = spawn(process.execPath, [mainScript], {
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = process_;
    const url = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no Listening line: ${output.join('')}`)), 10_000);
      const onData = (data: Buffer) => {
        output.push(data.toString());
        const match = /Listening on (http:\/\/[^"\s]+)/.exec(output.join(''));
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      process_.stdout?.on('data', onData);
      process_.stderr?.on('data', (data: Buffer) => output.push(data.toString()));
    });
    const exited = new Promise<number | null>((resolve) => process_.once('exit', (code) => resolve(code)));
    return { url, exited, output };
  }

  it('with no key it runs on the simulated provider and says so in its first lines', async () => {
    const { url, output } = start({});
    const base = await url;
    const lines = output
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line).msg as string);
    expect(lines[0]).toBe('Streaming Chatbot Agent starting...');
    expect(lines[1]).toMatch(/^Provider: simulated/);
    expect(lines[2]).toMatch(/^Model: /);
    expect(lines[3]).toMatch(/running on the SIMULATED provider/);
    const events = await readSse(await postJson(`${base}/chat`, { message: 'hello', maxTokens: 5 }));
    expect(events.at(-1)?.event).toBe('done');
    child?.kill('SIGTERM');
  });

  it('SIGTERM drains, ends a long stream with "shutdown", exits 0, and never logs a key', async () => {
    const upstream = await mockUpstream();
    try {
      upstream.enqueue(slow(500));
      const { url, exited, output } = start({
        LLM_PROVIDER: 'anthropic',
        ANTHROPIC_API_KEY: markerKeys.ANTHROPIC_API_KEY,
        ANTHROPIC_BASE_URL: upstream.baseURLs.anthropic,
        SHUTDOWN_DRAIN_MS: '300',
        LOG_LEVEL: 'debug',
      });
      const base = await url;
      const events = readSse(await postJson(`${base}/chat`, { message: 'a long story' }));
      await upstream.waitForRequests(1);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const signalledAt = performance.now();
      child?.kill('SIGTERM');
      const received = await events;
      expect(received.at(-1)).toMatchObject({ event: 'error', data: { error: { kind: 'shutdown' } } });
      expect(await exited).toBe(0);
      const exitMs = performance.now() - signalledAt;
      console.log(`SIGTERM → exit: ${exitMs.toFixed(0)} ms (drain 300 ms)`);
      const log = output.join('');
      expect(log).toContain('Shutdown complete');
      expect(log).toMatch(/Chunk \d+: /);
      expect(log).not.toContain(markerKeys.ANTHROPIC_API_KEY);
    } finally {
      await upstream.close();
    }
  }, 20_000);
});
