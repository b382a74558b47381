import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createUpstreamFetch } from './upstream-fetch.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  closedEarly: boolean;
}

let server: Server;
let origin: string;
const seen: Seen[] = [];
const routes: Record<string, (response: ServerResponse) => void> = {
  '/stream': (response) => {
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'set-cookie': ['a=1', 'b=2'],
      'x-request-id': 'r1',
    });
    response.write('data: one\n\n');
    response.end('data: two\n\n');
  },
  // Sends one event, then holds the response open until the client goes.
  '/hold': (response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write('data: first\n\n');
  },
  '/empty': (response) => {
    response.writeHead(204);
    response.end();
  },
  '/error': (response) => {
    response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '3' });
    response.end('{"error":{"message":"slow down"}}');
  },
};

beforeAll(async () => {
  server = createServer((request, response) => {
    const parts: Buffer[] = [];
    const entry: Seen = {
      method: request.method ?? '',
      url: request.url ?? '',
      headers: request.headers,
      body: '',
      closedEarly: false,
    };
    seen.push(entry);
    response.on('close', () => {
      entry.closedEarly = !response.writableFinished;
    });
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      entry.body = Buffer.concat(parts).toString('utf8');
      (routes[entry.url] ?? routes['/stream']!)(response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const upstreamFetch = createUpstreamFetch();

describe('createUpstreamFetch', () => {
  it('sends method, headers and a string body; returns status, every header and the streamed body', async () => {
    const response = await upstreamFetch(`${origin}/stream`, {
      method: 'post',
      headers: new Headers({ 'content-type': 'application/json', authorization: 'Bearer k' }),
      body: '{"hello":"wörld"}',
    });
    expect(response.status).toBe(200);
    expect(response.ok).toBe(true);
    expect(response.headers.get('x-request-id')).toBe('r1');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await response.text()).toBe('data: one\n\ndata: two\n\n');
    const request = seen.at(-1)!;
    expect(request).toMatchObject({ method: 'POST', body: '{"hello":"wörld"}' });
    expect(request.headers).toMatchObject({ 'content-type': 'application/json', authorization: 'Bearer k' });
  });

  it('hands error statuses and their bodies over as fetch does, and a 204 with no body', async () => {
    const failed = await upstreamFetch(`${origin}/error`, { method: 'POST', body: new TextEncoder().encode('{}') });
    expect({ status: failed.status, ok: failed.ok, retryAfter: failed.headers.get('retry-after') }).toEqual({
      status: 429,
      ok: false,
      retryAfter: '3',
    });
    expect(await failed.json()).toEqual({ error: { message: 'slow down' } });
    const empty = await upstreamFetch(`${origin}/empty`);
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
  });

  it('aborting the signal mid-body closes the upstream connection and errors the body', async () => {
    const controller = new AbortController();
    const response = await upstreamFetch(`${origin}/hold`, { signal: controller.signal });
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: first\n\n');
    const pending = reader.read();
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await vi.waitFor(() => expect(seen.at(-1)?.closedEarly).toBe(true));
  });

  it('cancelling the body closes the upstream connection', async () => {
    const response = await upstreamFetch(`${origin}/hold`);
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
    await vi.waitFor(() => expect(seen.at(-1)?.closedEarly).toBe(true));
  });

  it('an already aborted signal sends nothing; a refused connection rejects', async () => {
    const before = seen.length;
    await expect(upstreamFetch(`${origin}/stream`, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(seen.length).toBe(before);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(upstreamFetch(`http://127.0.0.1:${port}/`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('leaves a stream body to the platform fetch, which sends it the same way', async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('streamed'));
        controller.close();
      },
    });
    const response = await upstreamFetch(`${origin}/stream`, { method: 'POST', body, duplex: 'half' } as RequestInit);
    expect(await response.text()).toBe('data: one\n\ndata: two\n\n');
    expect(seen.at(-1)?.body).toBe('streamed');
  });
});
