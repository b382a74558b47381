import { existsSync } from 'node:fs';
import { Readable } from 'node:stream';
import { type RunningAgent, startAgent } from '@rxllm/agent';
import type { AgentEvent } from '@rxllm/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runClient } from './run-client.js';
import { cli, runCli as run, silent } from './test-cli.js';
import type { AskFunction } from './tool-approval.js';

// End to end: the built CLI (`node dist/main.js`) against the real agent on the simulated provider, which answers
// "What is 6 * 7?" by calling the calculator, then quotes its result (or its error: see the simulated provider's
// toolAnswer). One agent runs its tools freely, the other asks for approval of the calculator (TOOL_APPROVAL).
const simulated = {
  LLM_PROVIDER: 'simulated',
  SIMULATED_TTFT_MS: '0',
  SIMULATED_TOKENS_PER_SECOND: '0',
  LOG_LEVEL: 'warn',
};
const question = 'What is 6 * 7?';
const callLine = '⚙ calculator {"expression":"6 * 7"}\n';
const resultLine = /\n {2}→ 42 \(\d+ ms\)\n/;
const answer42 = /^The calculator tool returned 42\. /;
const noTerminal = 'no terminal to ask on (use --yes to approve tool calls)';

let agent: RunningAgent;
let approvingAgent: RunningAgent;

beforeAll(async () => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`pnpm --filter @rxllm/client build\` first`);
  agent = await startAgent({ env: simulated, port: 0, host: '127.0.0.1', logStream: silent() });
  approvingAgent = await startAgent({
    env: { ...simulated, TOOL_APPROVAL: 'calculator' },
    port: 0,
    host: '127.0.0.1',
    logStream: silent(),
  });
}, 30_000);

afterAll(async () => {
  await agent?.close();
  await approvingAgent?.close();
});

const transports = [
  ['SSE', [] as string[]],
  ['WebSocket', ['--ws']],
] as const;

describe('rxllm CLI with tools, end to end', () => {
  it.each(transports)('(a) shows the calculator call and its result on stderr (%s)', async (_name, flags) => {
    const result = await run(['--url', agent.url, ...flags, question]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(answer42);
    expect(result.stderr.startsWith(callLine)).toBe(true);
    expect(result.stderr).toMatch(resultLine);
    expect(result.stderr).toMatch(
      /\nComplete: \d+ chunks, \d+ chars, 2 steps, 1 tool call, TTFT \d+ ms, [\d.]+ tokens\/s\n$/,
    );
    expect(result.stderr).not.toContain('approved');
  });

  it('--json carries the tool events, and stdout nothing else', async () => {
    const result = await run(['--url', agent.url, '--json', question]);
    expect(result.code).toBe(0);
    const events = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as AgentEvent);
    expect(events.find((event) => event.type === 'tool-result')).toMatchObject({ name: 'calculator', output: 42 });
    expect(result.stderr).not.toContain('⚙');
  });

  it('(b) --yes approves the call the agent asks about → 42', async () => {
    const result = await run(['--url', approvingAgent.url, '--yes', question]);
    expect(result.stderr).toContain(`${callLine}  ✓ approved (--yes)\n`);
    expect(result.stderr).toMatch(resultLine);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(answer42);
  });

  it.each(transports)(
    '(c) without a terminal and without --yes, denies and the answer says so; exit 0 (%s)',
    async (_name, flags) => {
      const result = await run(['--url', approvingAgent.url, ...flags, question]);
      expect(result.stderr).toContain(`${callLine}  ✗ not asked: ${noTerminal}\n  ✗ denied: ${noTerminal}\n`);
      expect(result.code).toBe(0);
      // The simulated model quotes the error the denial sends it.
      expect(result.stdout).toContain(
        `The calculator tool returned {"error":"The call of calculator was denied: ${noTerminal}"}.`,
      );
      expect(result.stdout).not.toContain('42');
    },
  );

  it('(d) --ws --yes approves with an approve frame on the socket → 42', async () => {
    const result = await run(['--url', approvingAgent.url, '--ws', '-y', question]);
    expect(result.stderr).toContain(`${callLine}  ✓ approved (--yes)\n`);
    expect(result.stderr).toMatch(resultLine);
    expect(result.stderr).not.toContain('did not take');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(answer42);
  });
});

/** runClient in process, stdin "a terminal" whose answers come from `answer`. */
async function runWithAnswer(argv: string[], answer: string) {
  const output = (isTTY: boolean) => {
    const stream = {
      text: '',
      isTTY,
      write(text: string) {
        stream.text += text;
        return true;
      },
      once: () => stream,
    };
    return stream;
  };
  const stdout = output(false);
  const stderr = output(false);
  const questions: string[] = [];
  const ask: AskFunction = async (asked) => {
    questions.push(asked);
    return answer;
  };
  const code = await runClient({
    argv,
    env: {},
    stdin: Object.assign(Readable.from([]), { isTTY: true }),
    stdout,
    stderr,
    signal: new AbortController().signal,
    ask,
  });
  return { code, stdout: stdout.text, stderr: stderr.text, questions };
}

describe('(e) the question at the terminal, through runClient’s ask', () => {
  it.each(transports)('"y" approves → 42 (%s)', async (_name, flags) => {
    const result = await runWithAnswer(['--url', approvingAgent.url, ...flags, question], 'y');
    expect(result.questions).toEqual(['Run calculator {"expression":"6 * 7"}? [y/N] ']);
    expect(result.stderr).toMatch(resultLine);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(answer42);
  });

  it.each(transports)('"n" denies, and the model is told why (%s)', async (_name, flags) => {
    const result = await runWithAnswer(['--url', approvingAgent.url, ...flags, question], 'n');
    expect(result.questions).toHaveLength(1);
    expect(result.stderr).toContain('  ✗ denied: declined at the terminal\n');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'The calculator tool returned {"error":"The call of calculator was denied: declined at the terminal"}.',
    );
  });

  it('asks nothing when the agent needs no approval', async () => {
    const result = await runWithAnswer(['--url', agent.url, question], 'n');
    expect(result.questions).toEqual([]);
    expect(result.stdout).toMatch(answer42);
  });
});
