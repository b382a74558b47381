import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { AgentEvent } from '@rxllm/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClientIo, runClient } from './run-client.js';

// An agent whose answer fails over from openai to anthropic halfway (FALLBACK_AFTER_FIRST_CHUNK=continue).
const events: AgentEvent[] = [
  { type: 'start', provider: 'openai', model: 'gpt-4.1-mini', streamId: 's1' },
  { type: 'text', text: 'Once upon a time' },
  {
    type: 'failover',
    from: { provider: 'openai', model: 'gpt-4.1-mini' },
    to: { provider: 'anthropic', model: 'claude-sonnet-5-5' },
    reason: { kind: 'overloaded', message: 'The server had an error' },
    mode: 'prefill',
  },
  { type: 'text', text: ' there was a gateway.' },
  { type: 'finish', reason: 'stop' },
  { type: 'done', metrics: { ttftMs: 1, chunks: 2, chars: 37, durationMs: 5 } },
];

let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'x-stream-id': 's1' });
    events.forEach((event, index) => {
      response.write(`id: ${index + 1}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    });
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function capture() {
  const output = {
    text: '',
    isTTY: false,
    write(text: string) {
      output.text += text;
      return true;
    },
    once: () => output,
  };
  return output;
}

describe('runClient and a failover', () => {
  it('prints one answer on stdout and the switch as a note on stderr', async () => {
    const stdout = capture();
    const stderr = capture();
    const io: ClientIo = {
      argv: ['--url', url, 'Tell a story'],
      env: {},
      stdin: Object.assign(Readable.from([]), { isTTY: false }),
      stdout,
      stderr,
      signal: new AbortController().signal,
    };
    expect(await runClient(io)).toBe(0);
    expect(stdout.text).toBe('Once upon a time there was a gateway.');
    expect(stderr.text.split('\n')[0]).toBe(
      '[continued by anthropic · claude-sonnet-5-5 after openai failed: overloaded]',
    );
  });
});
