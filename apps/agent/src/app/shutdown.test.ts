import { type ChildProcess, spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { mockUpstream } from '@rxllm/testing';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { markerKeys, postJson, readSse, startTestAgent, type TestAgent } from '../test-helpers.js';

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
    const ready = await fetch(`${agent.url}/readyz`);
    expect(ready.status).toBe(503);

    const [longEvents, shortEvents] = await Promise.all([long, short]);
    expect(shortEvents.at(-1)?.event).toBe('done');
    expect(longEvents.at(-1)).toMatchObject({ event: 'error', data: { error: { kind: 'shutdown' } } });
    expect(longEvents.filter((event) => event.event === 'text').length).toBeGreaterThan(0);
    expect(await closeCode).toBe(1001);
    await stopping;
  });
});

/** One request on a fresh connection (no keep-alive pool), the way a kubelet probes: status, headers, body. */
function freshRequest(
  url: string,
  options: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; connection: string | undefined; body: string; ms: number } | { error: string }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const request = httpRequest(
      url,
      { method: options.method ?? 'GET', agent: false, timeout: 2_000, headers: options.headers },
      (response) => {
        const parts: Buffer[] = [];
        response.on('data', (part: Buffer) => parts.push(part));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            connection: response.headers.connection,
            body: Buffer.concat(parts).toString(),
            ms: performance.now() - started,
          }),
        );
      },
    );
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    request.end(options.body);
  });
}

describe('the listener during the drain', () => {
  let harness: TestAgent | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('answers probes and new work with 503 on new connections, closes idle keep-alive sockets, then closes', async () => {
    harness = await startTestAgent();
    const { agent, upstream } = harness;
    upstream.enqueue(slow(100, 10), slow(20, 10));
    const long = readSse(await postJson(`${agent.url}/chat`, { message: 'long' }));
    await upstream.waitForRequests(1);
    // A short stream on a kept-alive connection: once it ends during the drain, its idle socket must close too.
    const short = connect({ host: '127.0.0.1', port: agent.port });
    let shortText = '';
    let shortDoneAt = 0;
    short.on('data', (data: Buffer) => {
      shortText += data.toString();
      if (!shortDoneAt && shortText.includes('event: done')) shortDoneAt = performance.now();
    });
    const shortClosed = new Promise<number>((resolve) => short.once('close', () => resolve(performance.now())));
    const shortBody = '{"message":"short"}';
    short.write(
      `POST /chat HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${shortBody.length}\r\n\r\n${shortBody}`,
    );
    await upstream.waitForRequests(2);
    // A kept-alive connection that is idle when the drain starts must not hold the process open.
    const idle = connect({ host: '127.0.0.1', port: agent.port });
    await new Promise((resolve) => idle.once('connect', resolve));
    const idleClosed = new Promise<number>((resolve) => idle.once('close', () => resolve(performance.now())));
    idle.on('data', () => undefined);
    idle.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await new Promise((resolve) => idle.once('data', resolve));

    const drainStarted = performance.now();
    const stopping = agent.shutdown(2_000);
    const readiness = [];
    for (let index = 0; index < 5; index += 1) readiness.push(await freshRequest(`${agent.url}/readyz`));
    const health = await freshRequest(`${agent.url}/healthz`);
    const json = { 'Content-Type': 'application/json' };
    const chat = await freshRequest(`${agent.url}/chat`, { method: 'POST', body: '{"message":"Hi"}', headers: json });
    const completions = await freshRequest(`${agent.url}/v1/chat/completions`, {
      method: 'POST',
      body: '{"messages":[{"role":"user","content":"Hi"}],"stream":true}',
      headers: json,
    });
    const resume = await freshRequest(`${agent.url}/chat/00000000-0000-4000-8000-000000000000`);
    const upgrade = new WebSocket(`${agent.url.replace('http', 'ws')}/ws`);
    const upgradeStatus = await new Promise<number>((resolve) => {
      upgrade.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      upgrade.once('open', () => resolve(101));
      upgrade.once('error', () => resolve(-1));
    });
    upgrade.terminate();

    console.info(
      `readiness during the drain: ${readiness.map((answer) => ('ms' in answer ? `${answer.ms.toFixed(1)} ms` : answer.error)).join(', ')}; idle keep-alive socket closed ${((await idleClosed) - drainStarted).toFixed(1)} ms after shutdown began`,
    );
    for (const answer of readiness) expect(answer).toMatchObject({ status: 503, connection: 'close' });
    expect(health).toMatchObject({ status: 200, connection: 'close' });
    for (const answer of [chat, completions, resume]) {
      expect(answer).toMatchObject({ status: 503, connection: 'close' });
      expect(JSON.parse('body' in answer ? answer.body : '{}').error).toMatchObject({ kind: 'shutdown' });
    }
    expect(upgradeStatus).toBe(503);
    expect(await idleClosed).toBeLessThan(drainStarted + 500);

    const shortClosedAt = await shortClosed;
    expect(shortDoneAt).toBeGreaterThan(0);
    const longPending = await Promise.race([long.then(() => false), Promise.resolve(true)]);
    console.info(
      `kept-alive socket of a stream that ended during the drain closed ${(shortClosedAt - shortDoneAt).toFixed(1)} ms after its done event`,
    );
    expect(longPending).toBe(true);
    expect(shortClosedAt - shortDoneAt).toBeLessThan(300);
    const events = await long;
    expect(events.at(-1)?.event).toBe('done');
    await stopping;
    const drainMs = performance.now() - drainStarted;
    console.info(`drain ended with the last stream, ${drainMs.toFixed(0)} ms after shutdown began (budget 2000 ms)`);
    expect(drainMs).toBeLessThan(2_000);
    expect(await freshRequest(`${agent.url}/readyz`)).toEqual({ error: 'ECONNREFUSED' });
  });
});

const mainScript = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

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
