import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { AgentEvent, ToolApprovalBody } from '@rxllm/protocol';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ClientIo, runClient } from './run-client.js';
import type { AskFunction } from './tool-approval.js';

// runClient in-process against a stand-in agent with a calculator that needs approval ("approve" in the prompt):
// the tool lines on stderr, the decisions it posts, the question through the injected `ask`. The real agent runs
// in main-tools.test.ts.
const streamId = 'stream-1';
const call = {
  type: 'tool-call-ready',
  step: 1,
  index: 0,
  id: 'call_1',
  name: 'calculator',
  input: { expression: '6 * 7' },
  arguments: '{"expression":"6 * 7"}',
} as const;

function firstStep(approval: boolean, prompt: string): AgentEvent[] {
  // A prompt about a long sum gets it as the call's input, to see the line cut to the terminal.
  const input = prompt.startsWith('long') ? { expression: prompt } : call.input;
  return [
    { type: 'start', provider: 'simulated', model: 'sim', streamId },
    { type: 'step-start', step: 1 },
    ...(prompt.includes('chatty') ? [{ type: 'text', text: 'Let me compute.' } as const] : []),
    { type: 'tool-call', index: 0, id: 'call_1', name: 'calculator', argumentsDelta: call.arguments },
    { type: 'usage', usage: { outputTokens: 8 } },
    { type: 'finish', reason: 'tool-calls' },
    { ...call, input },
    ...(approval
      ? [
          {
            type: 'tool-approval-request',
            step: 1,
            toolCallId: 'call_1',
            name: 'calculator',
            input: call.input,
          } as const,
        ]
      : []),
  ];
}

function secondStep(decision: ToolApprovalBody | undefined): AgentEvent[] {
  const approved = decision === undefined || decision.approved;
  const reason = decision?.reason === undefined ? '' : `: ${decision.reason}`;
  const answer = approved ? 'The calculator tool returned 42.' : 'The calculator tool was denied.';
  return [
    approved
      ? { type: 'tool-result', step: 1, toolCallId: 'call_1', name: 'calculator', output: 42, durationMs: 3 }
      : {
          type: 'tool-result',
          step: 1,
          toolCallId: 'call_1',
          name: 'calculator',
          denied: true,
          error: { kind: 'denied', message: `The call of calculator was denied${reason}` },
          durationMs: 0,
        },
    { type: 'step-finish', step: 1, reason: 'tool-calls', totalUsage: { outputTokens: 8 }, toolCalls: 1 },
    { type: 'step-start', step: 2 },
    { type: 'text', text: answer },
    { type: 'usage', usage: { outputTokens: 19 } },
    { type: 'finish', reason: 'stop' },
    {
      type: 'step-finish',
      step: 2,
      reason: 'stop',
      totalUsage: { outputTokens: 27 },
      toolCalls: 0,
      stoppedBy: 'no-tool-calls',
    },
    { type: 'done', metrics: { ttftMs: 1, chunks: 1, chars: answer.length, durationMs: 5 } },
  ];
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const part of request) text += String(part);
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

let server: Server;
let url: string;
let posts: Array<{ path: string; body: unknown }> = [];
let decide: (decision: ToolApprovalBody) => void = () => {};

beforeAll(async () => {
  server = createServer(async (request, response) => {
    const body = (await readBody(request)) as { messages?: Array<{ content: string }> } | undefined;
    if (request.url !== '/chat') {
      posts.push({ path: request.url ?? '', body });
      response.writeHead(202, { 'content-type': 'application/json' }).end('{"decided":true}');
      if (request.url?.endsWith('/approve')) decide(body as unknown as ToolApprovalBody);
      return;
    }
    const prompt = body?.messages?.[0]?.content ?? '';
    const approval = prompt.includes('approve');
    response.writeHead(200, { 'content-type': 'text/event-stream', 'x-stream-id': streamId });
    let id = 0;
    const send = (events: AgentEvent[]) => {
      for (const event of events)
        response.write(`id: ${++id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    };
    send(firstStep(approval, prompt));
    const decision = approval
      ? await new Promise<ToolApprovalBody | undefined>((resolve) => {
          decide = resolve;
          request.socket.once('close', () => resolve(undefined));
        })
      : undefined;
    if (response.destroyed) return;
    send(secondStep(decision));
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  posts = [];
});

function capture(isTTY: boolean, columns?: number) {
  const output = {
    text: '',
    isTTY,
    ...(columns === undefined ? {} : { columns }),
    write(text: string) {
      output.text += text;
      return true;
    },
    once: () => output,
  };
  return output;
}

interface RunOptions {
  ask?: AskFunction;
  terminal?: boolean;
  env?: Record<string, string>;
  signal?: AbortSignal;
}

async function run(argv: string[], options: RunOptions = {}) {
  const terminal = options.terminal ?? false;
  const stdout = capture(false);
  const stderr = capture(terminal, terminal ? 100 : undefined);
  const io: ClientIo = {
    argv: ['--url', url, ...argv],
    env: options.env ?? {},
    stdin: Object.assign(Readable.from([]), { isTTY: options.ask !== undefined }),
    stdout,
    stderr,
    signal: options.signal ?? new AbortController().signal,
    ask: options.ask,
  };
  const code = await runClient(io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** An `ask` that records the questions and answers `answer`. */
function answering(answer: string) {
  const questions: string[] = [];
  const ask: AskFunction = async (question) => {
    questions.push(question);
    return answer;
  };
  return { ask, questions };
}

const approvals = () => posts.filter((post) => post.path === `/chat/${streamId}/approve`).map((post) => post.body);

describe('runClient with tools', () => {
  it('shows the call and its result on stderr, keeps stdout the reply only, and counts every step', async () => {
    const result = await run(['What is 6 * 7?']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('The calculator tool returned 42.');
    const lines = result.stderr.split('\n');
    expect(lines[0]).toBe('⚙ calculator {"expression":"6 * 7"}');
    expect(lines[1]).toBe('  → 42 (3 ms)');
    // 27 tokens (both steps), not the last step's 19.
    expect(lines[2]).toMatch(/^Complete: 1 chunks, 32 chars, 2 steps, 1 tool call, TTFT \d+ ms, [\d.]+ tokens\/s$/);
    expect(approvals()).toEqual([]);
  });

  it('colours the tool lines on a terminal only, and never with NO_COLOR', async () => {
    const coloured = await run(['What is 6 * 7?'], { terminal: true, env: { TERM: 'xterm' } });
    expect(coloured.stderr).toContain('\u001b[2m⚙ calculator {"expression":"6 * 7"}\u001b[22m\n');
    expect(coloured.stderr).toContain('\u001b[2m  → 42 (3 ms)\u001b[22m\n');
    const plain = await run(['What is 6 * 7?'], { terminal: true, env: { NO_COLOR: '1' } });
    expect(plain.stderr).not.toContain('\u001b[2m');
    expect(plain.stderr).toContain('⚙ calculator {"expression":"6 * 7"}\n');
  });

  it('on a shared terminal, a tool line starts on a line of its own after text that stopped mid-line', async () => {
    const chunks: string[] = [];
    const shared = { isTTY: true, columns: 100, write: (text: string) => chunks.push(text) > 0, once: () => shared };
    const code = await runClient({
      argv: ['--url', url, 'chatty: what is 6 * 7?'],
      env: { NO_COLOR: '1' },
      stdin: Object.assign(Readable.from([]), { isTTY: false }),
      stdout: shared,
      stderr: shared,
      signal: new AbortController().signal,
    });
    expect(code).toBe(0);
    expect(chunks.join('')).toMatch(
      /^Let me compute\.\n⚙ calculator \{"expression":"6 \* 7"\}\n {2}→ 42 \(3 ms\)\nThe calculator tool returned 42\.\nComplete: /,
    );
  });

  it('--json prints the tool events as JSON lines and no tool lines on stderr', async () => {
    const result = await run(['--json', 'What is 6 * 7?']);
    expect(result.code).toBe(0);
    const types = result.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as AgentEvent).type);
    expect(types).toContain('tool-call-ready');
    expect(types).toContain('tool-result');
    expect(types).toContain('step-finish');
    expect(result.stderr).not.toContain('⚙');
    expect(result.stderr).toMatch(/^Complete: /);
  });

  it('asks through `ask` and approves on "y"', async () => {
    const { ask, questions } = answering('y');
    const result = await run(['What is 6 * 7? approve'], { ask });
    expect(result.code).toBe(0);
    expect(questions).toEqual(['Run calculator {"expression":"6 * 7"}? [y/N] ']);
    expect(approvals()).toEqual([{ toolCallId: 'call_1', approved: true }]);
    expect(result.stderr).toContain('  → 42 (3 ms)\n');
    expect(result.stdout).toBe('The calculator tool returned 42.');
  });

  it('asks through `ask` and denies on "n", telling the model why', async () => {
    const { ask } = answering('n');
    const result = await run(['What is 6 * 7? approve'], { ask });
    expect(result.code).toBe(0);
    expect(approvals()).toEqual([{ toolCallId: 'call_1', approved: false, reason: 'declined at the terminal' }]);
    expect(result.stderr).toContain('  ✗ denied: declined at the terminal\n');
    expect(result.stdout).toBe('The calculator tool was denied.');
  });

  it('--yes (and -y) approves without asking, on a status line', async () => {
    for (const flag of ['--yes', '-y']) {
      posts = [];
      const { ask, questions } = answering('n');
      const result = await run([flag, 'What is 6 * 7? approve'], { ask });
      expect(result.code).toBe(0);
      expect(questions).toEqual([]);
      expect(approvals()).toEqual([{ toolCallId: 'call_1', approved: true }]);
      expect(result.stderr).toContain('⚙ calculator {"expression":"6 * 7"}\n  ✓ approved (--yes)\n  → 42 (3 ms)\n');
    }
  });

  it('denies without a terminal and without --yes, and says so; the reply still ends well', async () => {
    const result = await run(['What is 6 * 7? approve']);
    expect(result.code).toBe(0);
    const reason = 'no terminal to ask on (use --yes to approve tool calls)';
    expect(approvals()).toEqual([{ toolCallId: 'call_1', approved: false, reason }]);
    expect(result.stderr).toContain(`  ✗ not asked: ${reason}\n  ✗ denied: ${reason}\n`);
  });

  it('with --json still decides, and keeps stdout JSON lines only', async () => {
    const result = await run(['--json', '--yes', 'What is 6 * 7? approve']);
    expect(result.code).toBe(0);
    expect(approvals()).toEqual([{ toolCallId: 'call_1', approved: true }]);
    for (const line of result.stdout.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    expect(result.stderr).toContain('  ✓ approved (--yes)\n');
  });

  it('Ctrl-C at the question cancels the reply: exit 130, the generation cancelled, nothing approved', async () => {
    const controller = new AbortController();
    const ask: AskFunction = (_question, signal) =>
      new Promise((_resolve, reject) => {
        signal.addEventListener('abort', () => reject(new Error('interrupted')), { once: true });
        controller.abort();
      });
    const result = await run(['What is 6 * 7? approve'], { ask, signal: controller.signal });
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('interrupted: the request was cancelled\n');
    expect(posts.map((post) => post.path)).toEqual([`/chat/${streamId}/cancel`]);
  });

  it('cuts a long call to the terminal’s width (one line), and to a default width elsewhere', async () => {
    const prompt = `long ${Array.from({ length: 100 }, (_, index) => index).join(' + ')}`;
    const terminal = await run([prompt], { terminal: true, env: { NO_COLOR: '1' } });
    const [line] = terminal.stderr.split('\n');
    expect(line?.startsWith('⚙ calculator {"expression":"long 0 + 1 + 2')).toBe(true);
    expect(Array.from(line ?? '')).toHaveLength(99);
    expect(line?.endsWith('…')).toBe(true);
    const redirected = await run([prompt]);
    expect(Array.from(redirected.stderr.split('\n')[0] ?? '')).toHaveLength(160);
  });
});
