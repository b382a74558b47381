import { existsSync } from 'node:fs';
import { Writable } from 'node:stream';
import { type RunningAgent, startAgent } from '@rxllm/agent';
import { type FaultProxy, faultProxy, type MockScript, type MockUpstream, mockUpstream } from '@rxllm/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cli, startCli } from './test-cli.js';

// End to end: the built CLI against the real agent with RESUMABLE_STREAMS=true (in this process), whose OpenAI
// provider talks to the mock upstream. A fault proxy between the CLI and the agent cuts the CLI's first connection
// after some bytes, as a flaky network would.

const words = Array.from({ length: 60 }, (_, index) => `r${index} `);
const fullText = words.join('');
const slowScript: MockScript = {
  events: words.map((text) => ({ type: 'text' as const, text })),
  usage: { inputTokens: 4, outputTokens: words.length },
  delivery: { eventDelayMs: 15 },
};

const silent = () => new Writable({ write: (_chunk, _encoding, callback) => callback() });

let mock: MockUpstream;
let agent: RunningAgent;
let proxy: FaultProxy | undefined;

beforeAll(async () => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`pnpm --filter @rxllm/client build\` first`);
  mock = await mockUpstream({ respond: () => slowScript });
  agent = await startAgent({
    env: {
      OPENAI_API_KEY: 'test',
      LLM_PROVIDER: 'openai',
      OPENAI_BASE_URL: mock.baseURLs.openai,
      LOG_LEVEL: 'warn',
      RESUMABLE_STREAMS: 'true',
    },
    port: 0,
    host: '127.0.0.1',
    logStream: silent(),
  });
}, 30_000);

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

afterAll(async () => {
  await agent?.close();
  await mock?.close();
});

function start(args: string[]): ReturnType<typeof startCli> {
  const run = startCli(args);
  run.child.stdin!.end();
  return run;
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A proxy to the agent whose first connection (the one that starts the reply) breaks after `bytes`. */
async function cutFirstConnection(how: 'closeAfterBytes' | 'resetAfterBytes', bytes: number): Promise<FaultProxy> {
  proxy = await faultProxy({ target: agent.url, faults: (index) => (index === 0 ? { [how]: bytes } : {}) });
  return proxy;
}

describe('rxllm --resume against a resumable agent', () => {
  it.each([
    ['SSE, connection closed (FIN)', [] as string[], 'closeAfterBytes' as const],
    ['SSE, connection reset (RST)', [] as string[], 'resetAfterBytes' as const],
    ['WebSocket, connection reset (RST)', ['--ws'], 'resetAfterBytes' as const],
  ])(
    '%s: stdout is the whole reply exactly, from one upstream request',
    async (_name, flags, how) => {
      const cut = await cutFirstConnection(how, 1500);
      const before = mock.requests.length;
      const result = await start(['--url', cut.url, '--resume', ...flags, 'tell me a resumable story']).done;
      expect(result.stderr).toMatch(/reconnecting to stream [0-9a-f-]{36} after event \d+ \(attempt 1\/5, in 250 ms\)/);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(fullText);
      expect(cut.connections[0]!.faultTriggered).toBe(true);
      expect(cut.connections.length).toBeGreaterThanOrEqual(2);
      expect(mock.requests.length - before).toBe(1);
      expect(mock.requests[before]!.finishedAt).toBeDefined();
    },
    20_000,
  );

  it('without --resume, the same cut exits 1 with a clear error and a hint to follow the stream', async () => {
    const cut = await cutFirstConnection('resetAfterBytes', 1500);
    const result = await start(['--url', cut.url, 'tell me a resumable story']).done;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: network: connection to the agent at .* failed/m);
    expect(result.stderr).toMatch(/rxllm --follow [0-9a-f-]{36} --after \d+/);
    expect(result.stdout.length).toBeLessThan(fullText.length);
    expect(fullText.startsWith(result.stdout)).toBe(true);
  }, 20_000);

  it('--follow prints the same text as the client that started the reply', async () => {
    const starter = start(['--url', agent.url, '--json', 'tell me a resumable story']);
    await until(() => starter.stdoutSoFar().includes('"type":"start"'), 'the start event');
    const startLine = starter.stdoutSoFar().split('\n')[0]!;
    const { streamId } = JSON.parse(startLine) as { streamId: string };
    const follower = await start(['--url', agent.url, '--follow', streamId]).done;
    const started = await starter.done;
    expect(started.code).toBe(0);
    const startedText = started.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; text?: string })
      .filter((event) => event.type === 'text')
      .map((event) => event.text)
      .join('');
    expect(startedText).toBe(fullText);
    expect(follower.code).toBe(0);
    expect(follower.stdout).toBe(fullText);
    expect(follower.stderr).toMatch(
      new RegExp(
        `^Followed ${streamId}: received 60 chunks, \\d+ chars; the agent measured TTFT \\d+ ms, 60 chunks, \\d+ ms$`,
        'm',
      ),
    );

    // From a given event on: only what came after it.
    const tail = await start(['--url', agent.url, '--follow', streamId, '--after', '31', '--json']).done;
    const tailEvents = tail.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; text?: string });
    expect(tail.code).toBe(0);
    // Event 1 is `start`, so text events 2..61 carry words 0..59: after 31 come words 30..59.
    expect(tailEvents.filter((event) => event.type === 'text').map((event) => event.text)).toEqual(words.slice(30));
  }, 20_000);

  it('--follow of an unknown stream exits 1 with not-found', async () => {
    const result = await start(['--url', agent.url, '--follow', '00000000-0000-4000-8000-000000000000']).done;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: not-found: /m);
  });

  it.each([
    ['SSE', [] as string[]],
    ['WebSocket', ['--ws']],
  ])(
    'Ctrl-C (%s) cancels the generation: the upstream closes although a disconnect only detaches',
    async (_name, flags) => {
      const before = mock.requests.length;
      const run = start(['--url', agent.url, ...flags, 'tell me a resumable story']);
      const [upstream] = (await mock.waitForRequests(before + 1)).slice(before);
      await until(() => run.stdoutSoFar().includes('r3 '), 'text to flow');
      const interruptedAt = performance.now();
      run.child.kill('SIGINT');
      const result = await run.done;
      await Promise.race([
        upstream!.closed,
        new Promise((_, reject) => setTimeout(() => reject(new Error('upstream still open 3 s after Ctrl-C')), 3000)),
      ]);
      const latencyMs = upstream!.closedEarlyAt! - interruptedAt;
      console.log(`[client] resumable agent, SIGINT → upstream closed (${_name}): ${latencyMs.toFixed(1)} ms`);
      expect(result.code).toBe(130);
      expect(upstream!.closedEarlyAt).toBeDefined();
      expect(upstream!.finishedAt).toBeUndefined();
      expect(latencyMs).toBeLessThan(1000);
    },
    20_000,
  );

  it('a closed stdout (`rxllm … | head`) cancels the generation too, quietly, exit 0', async () => {
    const before = mock.requests.length;
    const run = start(['--url', agent.url, 'tell me a resumable story']);
    const [upstream] = (await mock.waitForRequests(before + 1)).slice(before);
    await until(() => run.stdoutSoFar().includes('r2 '), 'text to flow');
    run.child.stdout!.destroy();
    const result = await run.done;
    await Promise.race([
      upstream!.closed,
      new Promise((_, reject) => setTimeout(() => reject(new Error('upstream still open 3 s after EPIPE')), 3000)),
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(upstream!.closedEarlyAt).toBeDefined();
    expect(upstream!.finishedAt).toBeUndefined();
  }, 20_000);
});
