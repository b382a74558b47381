import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LLMError } from '@rxllm/core';
import type { AgentEvent } from '@rxllm/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { streamChat } from './stream-chat.js';

// A stand-in for the agent that speaks its wire format with controllable bytes, to test the client's parsing
// (splits inside UTF-8 characters, truncation, errors). The end-to-end tests run the real agent.
type Handler = (request: IncomingMessage, response: ServerResponse, body: unknown) => void;

const events: AgentEvent[] = [
  { type: 'start', provider: 'openai', model: 'm', id: 'r1' },
  { type: 'text', text: 'Grüße, ' },
  { type: 'text', text: '世界 🎉' },
  { type: 'usage', usage: { outputTokens: 3 } },
  { type: 'finish', reason: 'stop' },
  { type: 'done', metrics: { ttftMs: 1, chunks: 2, chars: 11, durationMs: 2 } },
];

function sse(list: readonly AgentEvent[]): Buffer {
  return Buffer.from(
    list.map((event, index) => `id: ${index}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join(''),
  );
}

let server: Server;
let webSockets: WebSocketServer;
let url: string;
let handler: Handler = () => {};
const requestBodies: unknown[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(parts).toString('utf8') || 'null') as unknown;
      requestBodies.push(body);
      handler(request, response, body);
    });
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

async function collect(iterable: AsyncIterable<AgentEvent>): Promise<{ events: AgentEvent[]; error?: unknown }> {
  const seen: AgentEvent[] = [];
  try {
    for await (const event of iterable) seen.push(event);
    return { events: seen };
  } catch (error) {
    return { events: seen, error };
  }
}

function streamInWrites(response: ServerResponse, bytes: Buffer, size: number) {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  for (let offset = 0; offset < bytes.length; offset += size) response.write(bytes.subarray(offset, offset + size));
  response.end();
}

describe('streamChat over SSE', () => {
  it('yields every event in order, with bytes split inside UTF-8 characters', async () => {
    handler = (_request, response) => streamInWrites(response, sse(events), 3);
    const result = await collect(
      streamChat({ url, prompt: 'hi', provider: 'openai', model: 'm', maxTokens: 5, apiKey: 'secret-key' }),
    );
    expect(result.error).toBeUndefined();
    expect(result.events).toEqual(events);
    expect(requestBodies.at(-1)).toEqual({
      messages: [{ role: 'user', content: 'hi' }],
      provider: 'openai',
      model: 'm',
      maxTokens: 5,
    });
  });

  it('sends the bearer key', async () => {
    let authorization: string | undefined;
    handler = (request, response) => {
      authorization = request.headers.authorization;
      streamInWrites(response, sse(events), 1000);
    };
    await collect(streamChat({ url, prompt: 'hi', apiKey: 'secret-key' }));
    expect(authorization).toBe('Bearer secret-key');
  });

  it('throws the HTTP error as an LLMError with the agent kind', async () => {
    handler = (_request, response) => {
      response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '2' });
      response.end(JSON.stringify({ error: { kind: 'rate-limit', message: 'upstream rate limited' } }));
    };
    const result = await collect(streamChat({ url, prompt: 'hi' }));
    expect(LLMError.isInstance(result.error)).toBe(true);
    expect(result.error).toMatchObject({ kind: 'rate-limit', status: 429, retryAfterMs: 2000 });
  });

  it('yields the text and then throws the mid-stream error event', async () => {
    const failing: AgentEvent[] = [
      events[0]!,
      events[1]!,
      { type: 'error', error: { kind: 'overloaded', message: 'boom' } },
    ];
    handler = (_request, response) => streamInWrites(response, sse(failing), 7);
    const result = await collect(streamChat({ url, prompt: 'hi' }));
    expect(result.events).toEqual([events[0], events[1]]);
    expect(result.error).toMatchObject({ kind: 'overloaded', message: 'boom' });
  });

  it('treats a stream without done as a truncated reply', async () => {
    handler = (_request, response) => streamInWrites(response, sse(events.slice(0, 3)), 1000);
    const result = await collect(streamChat({ url, prompt: 'hi' }));
    expect(result.events).toHaveLength(3);
    expect(result.error).toMatchObject({ kind: 'network', details: { truncated: true } });
  });

  it('reports an unreachable agent', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await collect(streamChat({ url: `http://127.0.0.1:${port}`, prompt: 'hi' }));
    expect(result.error).toMatchObject({ kind: 'network', details: { unreachable: true } });
  });

  it('closes the connection when the consumer stops early', async () => {
    let closedEarly: Promise<void> = Promise.resolve();
    handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(sse(events.slice(0, 2)));
      closedEarly = new Promise((resolve) => response.on('close', () => resolve()));
    };
    for await (const event of streamChat({ url, prompt: 'hi' })) {
      if (event.type === 'text') break;
    }
    await expect(closedEarly).resolves.toBeUndefined();
  });

  it('throws aborted and closes the connection when the signal fires', async () => {
    const controller = new AbortController();
    let closed: Promise<void> = Promise.resolve();
    handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(sse(events.slice(0, 2)));
      closed = new Promise((resolve) => response.on('close', () => resolve()));
    };
    const result = await collect(
      (async function* () {
        for await (const event of streamChat({ url, prompt: 'hi', signal: controller.signal })) {
          yield event;
          if (event.type === 'text') controller.abort();
        }
      })(),
    );
    expect(result.error).toMatchObject({ kind: 'aborted' });
    await expect(closed).resolves.toBeUndefined();
  });
});

describe('streamChat over WebSocket', () => {
  it('sends the body, yields every frame and stops at done', async () => {
    const received: unknown[] = [];
    webSockets.removeAllListeners('connection');
    webSockets.on('connection', (socket) => {
      socket.on('message', (data) => {
        received.push(JSON.parse(data.toString()));
        for (const event of events) socket.send(JSON.stringify(event));
      });
    });
    const result = await collect(streamChat({ url, prompt: 'hi', model: 'm', transport: 'ws' }));
    expect(result.error).toBeUndefined();
    expect(result.events).toEqual(events);
    expect(received[0]).toEqual({ messages: [{ role: 'user', content: 'hi' }], model: 'm' });
  });

  it('sends cancel and closes when the signal fires', async () => {
    const controller = new AbortController();
    const received: unknown[] = [];
    let closed: Promise<void> = Promise.resolve();
    webSockets.removeAllListeners('connection');
    webSockets.on('connection', (socket) => {
      closed = new Promise((resolve) => socket.on('close', () => resolve()));
      socket.on('message', (data) => {
        received.push(JSON.parse(data.toString()));
        if (received.length === 1) for (const event of events.slice(0, 2)) socket.send(JSON.stringify(event));
      });
    });
    const result = await collect(
      (async function* () {
        for await (const event of streamChat({ url, prompt: 'hi', transport: 'ws', signal: controller.signal })) {
          yield event;
          if (event.type === 'text') controller.abort();
        }
      })(),
    );
    expect(result.error).toMatchObject({ kind: 'aborted' });
    await closed;
    expect(received[1]).toEqual({ type: 'cancel' });
  });

  it('throws the mid-stream error event', async () => {
    webSockets.removeAllListeners('connection');
    webSockets.on('connection', (socket) => {
      socket.on('message', () => {
        socket.send(JSON.stringify(events[1]));
        socket.send(JSON.stringify({ type: 'error', error: { kind: 'timeout', message: 'idle' } }));
      });
    });
    const result = await collect(streamChat({ url, prompt: 'hi', transport: 'ws' }));
    expect(result.events).toEqual([events[1]]);
    expect(result.error).toMatchObject({ kind: 'timeout', message: 'idle' });
  });

  it('treats a close without done as truncated', async () => {
    webSockets.removeAllListeners('connection');
    webSockets.on('connection', (socket) => {
      socket.on('message', () => {
        socket.send(JSON.stringify(events[1]));
        socket.close();
      });
    });
    const result = await collect(streamChat({ url, prompt: 'hi', transport: 'ws' }));
    expect(result.error).toMatchObject({ kind: 'network', details: { truncated: true } });
  });

  it('reports a rejected upgrade with the agent error body', async () => {
    const rejecting = createServer((_request, response) => {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { kind: 'auth', message: 'missing or invalid bearer token' } }));
    });
    await new Promise<void>((resolve) => rejecting.listen(0, '127.0.0.1', resolve));
    const port = (rejecting.address() as AddressInfo).port;
    try {
      const result = await collect(streamChat({ url: `http://127.0.0.1:${port}`, prompt: 'hi', transport: 'ws' }));
      expect(result.error).toMatchObject({ kind: 'auth', status: 401, message: 'missing or invalid bearer token' });
    } finally {
      rejecting.closeAllConnections();
      await new Promise((resolve) => rejecting.close(resolve));
    }
  });
});
