import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { AgentEvent } from '@rxllm/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runClient } from './run-client.js';

// runClient in-process against a stand-in agent that paces its events, for what the spawned-CLI tests cannot see
// from outside a terminal: progress lines and reasoning on stderr.
const events: AgentEvent[] = [
  { type: 'start', provider: 'simulated', model: 'sim' },
  { type: 'reasoning', text: 'Thinking it over. ' },
  { type: 'text', text: 'One ' },
  { type: 'text', text: 'two ' },
  { type: 'text', text: 'three' },
  { type: 'done', metrics: { ttftMs: 1, chunks: 3, chars: 13, durationMs: 700 } },
];
// The answer to a request with a responseFormat; the prompt "no object" gets the text events only (an old agent).
const objectEvents: AgentEvent[] = [
  { type: 'start', provider: 'simulated', model: 'sim' },
  { type: 'text', text: '{"a":1,' },
  { type: 'object', object: { a: 1 }, complete: false },
  { type: 'text', text: '"b":[2,3]}' },
  { type: 'object', object: { a: 1, b: [2, 3] }, complete: false },
  { type: 'object', object: { a: 1, b: [2, 3] }, complete: true },
  { type: 'done', metrics: { ttftMs: 1, chunks: 2, chars: 17, durationMs: 700 } },
];

async function readBody(request: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of request) body += String(chunk);
  return body;
}

let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer(async (request, response) => {
    const body = JSON.parse(await readBody(request)) as { responseFormat?: unknown; messages: [{ content: string }] };
    const reply = body.responseFormat === undefined || body.messages[0].content === 'no object' ? events : objectEvents;
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const [index, event] of reply.entries()) {
      response.write(`id: ${index}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function capture(isTTY: boolean) {
  const output = {
    text: '',
    isTTY,
    write(text: string) {
      output.text += text;
      return true;
    },
    once: () => output,
  };
  return output;
}

async function run(argv: string[], terminal: { stdout: boolean; stderr: boolean }) {
  const stdout = capture(terminal.stdout);
  const stderr = capture(terminal.stderr);
  const stdin = Object.assign(Readable.from([]), { isTTY: true });
  const code = await runClient({ argv, env: {}, stdin, stdout, stderr, signal: new AbortController().signal });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('runClient', () => {
  it('shows progress every ~0.5 s on a terminal stderr when stdout is redirected, then the final line', async () => {
    const result = await run(['--url', url, 'hi'], { stdout: false, stderr: true });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('One two three');
    expect(result.stderr).toMatch(/^\rReceived \d chunks, \d+ chars\.\.\./);
    const clearLine = '\r\u001b[K';
    expect(result.stderr).toContain(`${clearLine}Complete: 3 chunks, 13 chars, TTFT `);
    expect(result.stderr).toMatch(/Complete: 3 chunks, 13 chars, TTFT \d+ ms, ~[\d.]+ tokens\/s \(est\.\)\n$/);
  });

  it('shows no progress when stderr is not a terminal, unless --progress', async () => {
    const quiet = await run(['--url', url, 'hi'], { stdout: false, stderr: false });
    expect(quiet.stderr).not.toContain('Received');
    const forced = await run(['--url', url, '--progress', 'hi'], { stdout: false, stderr: false });
    expect(forced.stderr).toContain('\rReceived ');
  });

  it('prints reasoning on stderr with --reasoning and ends a terminal reply with a newline', async () => {
    const result = await run(['--url', url, '--reasoning', 'hi'], { stdout: true, stderr: true });
    expect(result.stderr.startsWith('Thinking it over. ')).toBe(true);
    expect(result.stdout).toBe('One two three\n');
  });

  it('--object prints only the final object, and shows the partial object’s progress on a terminal', async () => {
    const result = await run(['--url', url, '--object', 'hi'], { stdout: true, stderr: true });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('{\n  "a": 1,\n  "b": [\n    2,\n    3\n  ]\n}\n');
    expect(result.stderr).toMatch(/^\rReceived \d chunks, \d+ chars, object: [0-3] fields?\.\.\./);
    expect(result.stderr).toMatch(/Complete: 2 chunks, 17 chars, /);
  });

  it('--object exits 1 when the reply carries no complete object', async () => {
    const result = await run(['--url', url, '--object', 'no object'], { stdout: false, stderr: false });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: invalid-output: the reply ended without a complete object event/m);
  });
});
