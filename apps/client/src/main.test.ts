import { existsSync } from 'node:fs';
import { type RunningAgent, startAgent } from '@rxllm/agent';
import { type MockScript, type MockUpstream, mockUpstream, type RecordedRequest } from '@rxllm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, freePort, runCli as run, silent, startCli } from './test-cli.js';

// End to end: the built CLI (`node dist/main.js`) against the real agent in this process, whose OpenAI provider
// talks to the mock upstream on 127.0.0.1.
const secretMarker = 'sk-marker-SECRET-0123456789';

const unicodeParts = ['Grüße, ', 'мир ', '世界', ' 🎉🚀', ' done.\n', 'Zweite Zeile: ñ é ü'];
const unicodeText = unicodeParts.join('');
const unicodeScript: MockScript = {
  events: unicodeParts.map((text) => ({ type: 'text' as const, text })),
  usage: { inputTokens: 5, outputTokens: 17 },
  // Split the upstream bytes every 3 bytes, so UTF-8 characters arrive cut in half.
  delivery: { split: 3 },
};
const slowScript: MockScript = {
  events: Array.from({ length: 200 }, (_, index) => ({ type: 'text' as const, text: `w${index} ` })),
  delivery: { eventDelayMs: 20 },
};

function lastUserMessage(request: RecordedRequest): string {
  const messages =
    (request.body as { messages?: Array<{ role: string; content: unknown }> } | undefined)?.messages ?? [];
  const content = messages.filter((message) => message.role === 'user').at(-1)?.content;
  return typeof content === 'string' ? content : JSON.stringify(content ?? '');
}

let mock: MockUpstream;
let agent: RunningAgent;
let lockedAgent: RunningAgent;

beforeAll(async () => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`pnpm --filter @rxllm/client build\` first`);
  mock = await mockUpstream({
    respond: (request) => {
      const prompt = lastUserMessage(request);
      if (prompt.includes('slow')) return slowScript;
      if (prompt.includes('unicode')) return unicodeScript;
      return undefined;
    },
  });
  const env = {
    OPENAI_API_KEY: 'test',
    LLM_PROVIDER: 'openai',
    OPENAI_BASE_URL: mock.baseURLs.openai,
    LOG_LEVEL: 'warn',
  };
  agent = await startAgent({ env, port: 0, host: '127.0.0.1', logStream: silent() });
  lockedAgent = await startAgent({
    env: { ...env, AGENT_API_KEY: 'the-right-agent-key' },
    port: 0,
    host: '127.0.0.1',
    logStream: silent(),
  });
}, 30_000);

afterAll(async () => {
  await agent?.close();
  await lockedAgent?.close();
  await mock?.close();
});

describe('rxllm CLI end to end', () => {
  it.each([
    ['SSE', [] as string[]],
    ['WebSocket', ['--ws']],
  ])('streams the exact text to stdout over %s, metrics on stderr', async (_name, flags) => {
    const result = await run(['--url', agent.url, ...flags, 'unicode please']);
    expect(result.stderr).toMatch(/Complete: 6 chunks, \d+ chars, TTFT \d+ ms, [\d.]+ tokens\/s/);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(unicodeText);
  });

  it('--json prints every event as one JSON line, ending with done', async () => {
    const result = await run(['--url', agent.url, '--json', 'unicode please']);
    expect(result.code).toBe(0);
    const events = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; text?: string });
    expect(events[0]!.type).toBe('start');
    expect(events.at(-1)!.type).toBe('done');
    expect(events.filter((event) => event.type === 'text').map((event) => event.text)).toEqual(unicodeParts);
    expect(events.map((event) => event.type)).toContain('usage');
  });

  it('reads the prompt from stdin when none is given', async () => {
    const before = mock.requests.length;
    const result = await run(['--url', agent.url], { input: 'unicode from stdin\n' });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(unicodeText);
    expect(lastUserMessage(mock.requests[before]!)).toBe('unicode from stdin');
  });

  it('takes the agent URL from RXLLM_URL', async () => {
    const result = await run(['unicode please'], { env: { RXLLM_URL: agent.url } });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(unicodeText);
  });

  it.each([
    ['SSE', [] as string[]],
    ['WebSocket', ['--ws']],
  ])('exits 3 with a clear message when the agent is down (%s)', async (_name, flags) => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const result = await run(['--url', url, ...flags, 'hello']);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`error: network: cannot reach the agent at ${url} (ECONNREFUSED)`);
  });

  it.each([
    ['SSE', [] as string[]],
    ['WebSocket', ['--ws']],
  ])('exits 1 when the agent rejects the request (%s)', async (_name, flags) => {
    const result = await run(['--url', agent.url, ...flags, '--provider', 'no-such-provider', 'hello']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: invalid-request: .*no-such-provider/m);
  });

  it('exits 1 on a wrong agent key and never prints the key', async () => {
    for (const flags of [[], ['--ws'], ['--json']]) {
      const result = await run(['--url', lockedAgent.url, ...flags, '--api-key', secretMarker, 'hello']);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^error: auth: /m);
      expect(result.stdout + result.stderr).not.toContain(secretMarker);
    }
  });

  it('sends the agent key from AGENT_API_KEY', async () => {
    const result = await run(['--url', lockedAgent.url, 'unicode please'], {
      env: { AGENT_API_KEY: 'the-right-agent-key' },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(unicodeText);
  });

  it.each([
    ['SSE', [] as string[]],
    ['WebSocket', ['--ws']],
  ])(
    'Ctrl-C mid-stream (%s) exits 130 and the upstream connection closes',
    async (_name, flags) => {
      const before = mock.requests.length;
      const { child, done, stdoutSoFar } = startCli(['--url', agent.url, ...flags, 'slow story']);
      child.stdin!.end();
      const [upstream] = (await mock.waitForRequests(before + 1)).slice(before);
      // Wait until text is flowing, then interrupt like a terminal would.
      while (!stdoutSoFar().includes('w3 ')) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const interruptedAt = performance.now();
      child.kill('SIGINT');
      const result = await done;
      await upstream!.closed;
      const latencyMs = upstream!.closedEarlyAt! - interruptedAt;
      console.log(`[client] SIGINT → upstream closed (${_name}): ${latencyMs.toFixed(1)} ms`);
      expect(result.code).toBe(130);
      expect(result.stderr).toContain('interrupted');
      expect(upstream!.closedEarlyAt).toBeDefined();
      expect(upstream!.finishedAt).toBeUndefined();
      expect(latencyMs).toBeLessThan(1000);
      expect(result.stdout).not.toContain('w199');
    },
    20_000,
  );

  it('stops the request quietly when stdout closes early (`rxllm … | head`)', async () => {
    const before = mock.requests.length;
    const { child, done, stdoutSoFar } = startCli(['--url', agent.url, 'slow story']);
    child.stdin!.end();
    const [upstream] = (await mock.waitForRequests(before + 1)).slice(before);
    while (!stdoutSoFar().includes('w2 ')) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    child.stdout!.destroy();
    const result = await done;
    await upstream!.closed;
    expect(result.code).toBe(0);
    expect(upstream!.closedEarlyAt).toBeDefined();
    expect(upstream!.finishedAt).toBeUndefined();
  }, 20_000);

  it('exits 2 on a usage error and 0 on --help', async () => {
    const usage = await run(['--bogus']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('error: usage:');
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: rxllm [options] [prompt...]');
  });

  it('exits 2 when there is no prompt at all', async () => {
    const result = await run(['--url', agent.url], { input: '' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no prompt');
  });
});
