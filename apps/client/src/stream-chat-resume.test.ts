import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AgentEvent, encodeWebSocketFrame } from '@rxllm/protocol';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { streamChat } from './stream-chat.js';

// A stand-in for a resumable agent: it numbers events like the agent does and lets each test decide where a
// connection breaks, so reconnection, de-duplication and give-up rules are tested byte for byte. The end-to-end
// tests (main-resume.test.ts) run the real agent.
const streamId = '5b0c7f0e-3c1a-4f7e-9a51-1d2b3c4d5e6f';
const words = Array.from({ length: 8 }, (_, index) => `part${index} `);
const events: AgentEvent[] = [
  { type: 'start', provider: 'openai', model: 'm', id: 'r1', streamId },
  ...words.map((text) => ({ type: 'text' as const, text })),
  { type: 'finish', reason: 'stop' },
  { type: 'done', metrics: { ttftMs: 1, chunks: 8, chars: 48, durationMs: 2 } },
];

function sseEvent(index: number): string {
  const event = events[index]!;
  return `id: ${index + 1}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

interface Seen {
  method: string;
  path: string;
  lastEventId: string | undefined;
}

let server: Server;
let webSockets: WebSocketServer;
let url: string;
const seen: Seen[] = [];
let handler: (request: IncomingMessage, response: ServerResponse) => void = () => {};

beforeAll(async () => {
  server = createServer((request, response) => {
    seen.push({
      method: request.method ?? '',
      path: request.url ?? '',
      lastEventId: request.headers['last-event-id'] as string | undefined,
    });
    request.resume();
    request.on('end', () => handler(request, response));
  });
  webSockets = new WebSocketServer({ server, path: '/ws' });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const client of webSockets.clients) client.terminate();
  webSockets.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen.length = 0;
});

/** Sends events `from`..`to` (0-based, exclusive end), then either ends cleanly or destroys the socket. */
function serveRange(response: ServerResponse, from: number, to: number, ending: 'end' | 'destroy' | 'hang') {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'x-stream-id': streamId });
  for (let index = from; index < Math.min(to, events.length); index += 1) response.write(sseEvent(index));
  if (ending === 'end') response.end();
  else if (ending === 'destroy') setTimeout(() => response.socket?.destroy(), 20);
}

function textOf(list: AgentEvent[]): string {
  return list.map((event) => (event.type === 'text' ? event.text : '')).join('');
}

async function collect(iterable: AsyncIterable<AgentEvent>): Promise<{ events: AgentEvent[]; error?: unknown }> {
  const collected: AgentEvent[] = [];
  try {
    for await (const event of iterable) collected.push(event);
    return { events: collected };
  } catch (error) {
    return { events: collected, error };
  }
}

const fast = { attempts: 3, initialDelayMs: 10, maxDelayMs: 40 };

describe('streamChat with resume over SSE', () => {
  it('reconnects with Last-Event-ID after a reset and yields every event exactly once', async () => {
    let posts = 0;
    handler = (request, response) => {
      if (request.method === 'POST') {
        posts += 1;
        serveRange(response, 0, 4, 'destroy');
        return;
      }
      // The replay overlaps on purpose (an agent may resend the last event): the client drops what it has.
      const after = Number(request.headers['last-event-id'] ?? 0);
      serveRange(response, after - 1, events.length, 'end');
    };
    const reconnects: number[] = [];
    const result = await collect(
      streamChat({ url, prompt: 'hi', resume: { ...fast, onReconnect: (attempt) => reconnects.push(attempt.after) } }),
    );
    expect(result.error).toBeUndefined();
    expect(result.events).toEqual(events);
    expect(textOf(result.events)).toBe(words.join(''));
    expect(posts).toBe(1);
    expect(seen.map((entry) => `${entry.method} ${entry.path} ${entry.lastEventId ?? '-'}`)).toEqual([
      'POST /chat -',
      `GET /chat/${streamId} 4`,
    ]);
    expect(reconnects).toEqual([4]);
  });

  it('reconnects after a clean close without done (truncated), several times', async () => {
    handler = (request, response) => {
      const after = request.method === 'POST' ? 0 : Number(request.headers['last-event-id']);
      serveRange(response, after, after + 3, 'end');
    };
    const result = await collect(streamChat({ url, prompt: 'hi', resume: fast }));
    expect(result.error).toBeUndefined();
    expect(result.events).toEqual(events);
    // 11 events, 3 per connection: the attempt counter resets whenever a connection brings something new.
    expect(seen.map((entry) => entry.lastEventId ?? '-')).toEqual(['-', '3', '6', '9']);
  });

  it('without resume, a reset mid-stream is a network error naming the stream', async () => {
    handler = (_request, response) => serveRange(response, 0, 4, 'destroy');
    const result = await collect(streamChat({ url, prompt: 'hi' }));
    expect(textOf(result.events)).toBe(words.slice(0, 3).join(''));
    expect(result.error).toMatchObject({ kind: 'network', details: { streamId, lastEventId: 4, lost: true } });
    expect(seen).toHaveLength(1);
  });

  it('an error event that repeats the last id (the agent stops serving this client) is resumed elsewhere', async () => {
    handler = (request, response) => {
      if (request.method === 'POST') {
        serveRange(response, 0, 4, 'hang');
        const shutdown = { type: 'error', error: { kind: 'shutdown', message: 'the agent is shutting down' } };
        response.end(`id: 4\nevent: error\ndata: ${JSON.stringify(shutdown)}\n\n`);
        return;
      }
      serveRange(response, Number(request.headers['last-event-id']), events.length, 'end');
    };
    const resumed = await collect(streamChat({ url, prompt: 'hi', resume: fast }));
    expect(resumed.error).toBeUndefined();
    expect(resumed.events).toEqual(events);
    expect(seen.map((entry) => entry.lastEventId ?? '-')).toEqual(['-', '4']);
    // Without resume it is the agent's error, as it said it.
    const plain = await collect(streamChat({ url, prompt: 'hi' }));
    expect(plain.error).toMatchObject({ details: { agentKind: 'shutdown' }, message: 'the agent is shutting down' });
  });

  it('stops at a 404 (not resumable) with a clear not-found error', async () => {
    handler = (request, response) => {
      if (request.method === 'POST') return serveRange(response, 0, 3, 'destroy');
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { kind: 'not-found', message: 'unknown stream' } }));
    };
    const result = await collect(streamChat({ url, prompt: 'hi', resume: fast }));
    expect(result.error).toMatchObject({ kind: 'not-found' });
    expect((result.error as Error).message).toContain('RESUMABLE_STREAMS=true');
    expect(seen.map((entry) => entry.method)).toEqual(['POST', 'GET']);
  });

  it('gives up after the configured attempts, waiting with backoff between them', async () => {
    handler = (request, response) => {
      if (request.method === 'POST') return serveRange(response, 0, 3, 'destroy');
      response.writeHead(503, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { kind: 'shutdown', message: 'restarting' } }));
    };
    const delays: number[] = [];
    const result = await collect(
      streamChat({ url, prompt: 'hi', resume: { ...fast, onReconnect: (attempt) => delays.push(attempt.delayMs) } }),
    );
    expect(delays).toEqual([10, 20, 40]);
    expect(seen.map((entry) => entry.method)).toEqual(['POST', 'GET', 'GET', 'GET']);
    expect(result.error).toMatchObject({ details: { lost: true, streamId, lastEventId: 3 } });
    expect((result.error as Error).message).toContain('gave up resuming after 3 attempts');
  });

  it('follows a running stream from the start, or after an id, without starting one', async () => {
    handler = (request, response) => {
      const after = Number(request.headers['last-event-id'] ?? 0);
      serveRange(response, after, events.length, 'end');
    };
    const full = await collect(streamChat({ url, follow: { streamId } }));
    expect(full.events).toEqual(events);
    const tail = await collect(streamChat({ url, follow: { streamId, after: 5 } }));
    expect(tail.events).toEqual(events.slice(5));
    expect(seen.map((entry) => `${entry.method} ${entry.path} ${entry.lastEventId ?? '-'}`)).toEqual([
      `GET /chat/${streamId} -`,
      `GET /chat/${streamId} 5`,
    ]);
  });

  it('on abort, sends POST /chat/:id/cancel; a follower only detaches', async () => {
    handler = (request, response) => {
      if (request.method === 'POST' && request.url?.endsWith('/cancel')) {
        response.writeHead(202, { 'content-type': 'application/json' });
        response.end('{"cancelled":true}');
        return;
      }
      serveRange(response, 0, 3, 'hang');
    };
    for (const follow of [undefined, { streamId }]) {
      const controller = new AbortController();
      const result = await collect(
        (async function* () {
          for await (const event of streamChat({ url, prompt: 'hi', signal: controller.signal, follow })) {
            yield event;
            if (event.type === 'text') controller.abort();
          }
        })(),
      );
      expect(result.error).toMatchObject({ kind: 'aborted' });
    }
    expect(seen.map((entry) => `${entry.method} ${entry.path}`)).toEqual([
      'POST /chat',
      `POST /chat/${streamId}/cancel`,
      `GET /chat/${streamId}`,
    ]);
  });
});

describe('streamChat with resume over WebSocket', () => {
  it('reconnects with {type:"resume"} on a new socket and yields every event once, ids and vendor id restored', async () => {
    const firstMessages: unknown[] = [];
    let connections = 0;
    webSockets.removeAllListeners('connection');
    webSockets.on('connection', (socket) => {
      connections += 1;
      socket.once('message', (data) => {
        const message = JSON.parse(data.toString()) as { type?: string; after?: number };
        firstMessages.push(message);
        const from = message.type === 'resume' ? (message.after ?? 0) : 0;
        const to = message.type === 'resume' ? events.length : 5;
        for (let index = from; index < to; index += 1) {
          // The agent's own frame encoder: a sequence id, the vendor id moved to responseId.
          socket.send(encodeWebSocketFrame({ id: index + 1, event: events[index]! }));
        }
        if (message.type !== 'resume') setTimeout(() => socket.terminate(), 20);
      });
    });
    const result = await collect(streamChat({ url, prompt: 'hi', transport: 'ws', resume: fast }));
    expect(result.error).toBeUndefined();
    expect(result.events).toEqual(events);
    expect(connections).toBe(2);
    expect(firstMessages[1]).toEqual({ type: 'resume', streamId, after: 5 });
  });

  it('reports a resume refused with not-found', async () => {
    webSockets.removeAllListeners('connection');
    webSockets.on('connection', (socket) => {
      socket.once('message', () =>
        socket.send(JSON.stringify({ type: 'error', id: 0, error: { kind: 'not-found', message: 'unknown stream' } })),
      );
    });
    const result = await collect(streamChat({ url, transport: 'ws', follow: { streamId } }));
    expect(result.error).toMatchObject({ kind: 'not-found' });
  });
});
