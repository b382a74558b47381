import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAgent, type TestAgent } from '../test-helpers.js';

// What the Fastify layer must do as the node:http router did, on real sockets: the cases Fastify answers otherwise
// by default (404 for a method a path does not serve, connection: close after a body error, a 101 for an upgrade of
// any route, empty `:name` segments).

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Reads one HTTP/1.1 response with a Content-Length from `text` (the head alone for a HEAD request). */
function parseReply(text: string, headOnly: boolean): { reply: Reply; rest: string } | undefined {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
  const length = headOnly ? 0 : Number(headers['content-length'] ?? 0);
  const rest = text.slice(end + 4);
  if (Buffer.byteLength(rest) < length) return undefined;
  const body = Buffer.from(rest).subarray(0, length).toString();
  return { reply: { status: Number(statusLine.split(' ')[1]), headers, body }, rest: rest.slice(body.length) };
}

/**
 * Writes `requests` on one connection, one after the other's answer; resolves with the replies and whether the
 * server closed the connection at the end.
 */
function onOneConnection(port: number, requests: string[]): Promise<{ replies: Reply[]; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const replies: Reply[] = [];
    let buffered = '';
    let closed = false;
    const next = () => {
      const request = requests[replies.length];
      if (request === undefined) {
        // Time for a close that follows the last answer to arrive.
        setTimeout(() => {
          socket.destroy();
          resolve({ replies, closed });
        }, 100);
        return;
      }
      socket.write(request.replace(/\n/g, '\r\n'));
    };
    socket.on('data', (data: Buffer) => {
      buffered += data.toString();
      const headOnly = () => requests[replies.length]?.startsWith('HEAD ') === true;
      for (let parsed = parseReply(buffered, headOnly()); parsed; parsed = parseReply(buffered, headOnly())) {
        replies.push(parsed.reply);
        buffered = parsed.rest;
        next();
      }
    });
    socket.on('end', () => {
      closed = true;
    });
    socket.on('close', () => {
      closed = true;
      if (replies.length < requests.length) resolve({ replies, closed });
    });
    socket.on('error', reject);
    socket.on('connect', next);
  });
}

const json = (body: string) =>
  `POST /chat HTTP/1.1\nHost: localhost\nContent-Type: application/json\nContent-Length: ${body.length}\n\n${body}`;
const health = 'GET /healthz HTTP/1.1\nHost: localhost\n\n';
const upgrade = (path: string, extra = '') =>
  `GET ${path} HTTP/1.1\nHost: localhost\nConnection: Upgrade\nUpgrade: websocket\nSec-WebSocket-Version: 13\n` +
  `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\n${extra}\n`;

let harness: TestAgent;
let port: number;

beforeAll(async () => {
  harness = await startTestAgent({ MAX_BODY_BYTES: '1024', AGENT_API_KEY: 'k-router' });
  port = harness.agent.port;
});
afterAll(async () => {
  await harness.close();
});

const auth = 'Authorization: Bearer k-router';
const withAuth = (request: string) => request.replace('Host: localhost\n', `Host: localhost\n${auth}\n`);

describe('the HTTP layer on Fastify', () => {
  it('keeps the connection after a 400 body error; closes it after a 413', async () => {
    const malformed = await onOneConnection(port, [withAuth(json('{"message":')), health]);
    expect(malformed.replies.map((reply) => reply.status)).toEqual([400, 200]);
    expect(malformed.replies[0]?.headers.connection).toBe('keep-alive');
    expect(malformed.closed).toBe(false);
    const empty = await onOneConnection(port, [withAuth(json('')), health]);
    expect(empty.replies.map((reply) => reply.status)).toEqual([400, 200]);
    const large = await onOneConnection(port, [withAuth(json(`{"message":"${'x'.repeat(2048)}"}`)), health]);
    expect(large.replies.map((reply) => reply.status)).toEqual([413]);
    expect(large.replies[0]?.headers.connection).toBe('close');
    expect(large.closed).toBe(true);
  });

  it('answers 405 with Allow for every method Node parses, before reading a body', async () => {
    const requests = ['PROPFIND', 'M-SEARCH', 'PUT', 'DELETE', 'QUERY', 'HEAD'].map((method) =>
      withAuth(`${method} /chat HTTP/1.1\nHost: localhost\nContent-Type: text/plain\nContent-Length: 2\n\nhi`),
    );
    const { replies } = await onOneConnection(port, [
      ...requests,
      withAuth('PATCH /healthz HTTP/1.1\nHost: localhost\n\n'),
    ]);
    for (const reply of replies) expect(reply.status).toBe(405);
    expect(replies.slice(0, -1).map((reply) => reply.headers.allow)).toEqual(Array(6).fill('POST'));
    expect(replies.at(-1)?.headers.allow).toBe('GET');
    expect(JSON.parse(replies[0]?.body ?? '{}').error.message).toBe(
      'method PROPFIND is not allowed on /chat; allowed: POST',
    );
  });

  it('matches a `:name` segment only when it is not empty; never reads the body of a bodyless route', async () => {
    const { replies } = await onOneConnection(port, [
      withAuth('GET /chat/ HTTP/1.1\nHost: localhost\n\n'),
      withAuth('POST /chat//cancel HTTP/1.1\nHost: localhost\nContent-Length: 0\n\n'),
      withAuth(
        'POST /chat/00000000-0000-4000-8000-000000000000/cancel HTTP/1.1\nHost: localhost\n' +
          'Content-Type: application/json\nContent-Length: 3\n\n{{{',
      ),
    ]);
    expect(replies.map((reply) => reply.status)).toEqual([404, 404, 404]);
    expect(JSON.parse(replies[0]?.body ?? '{}').error.message).toBe('no route /chat/');
    expect(JSON.parse(replies[2]?.body ?? '{}').error.message).toMatch(/no running generation/);
  });

  it('refuses an upgrade of a route that is no WebSocket with 404, and counts the refusals by route', async () => {
    const metrics = async () =>
      (await fetch(`${harness.agent.url}/metrics`, { headers: { Authorization: 'Bearer k-router' } })).text();
    const count = (text: string, route: string, status: number) =>
      Number(
        new RegExp(`rxllm_agent_http_requests_total\\{method="GET",route="${route}",status="${status}"\\} (\\d+)`).exec(
          text,
        )?.[1] ?? 0,
      );
    const before = await metrics();
    const upgrades = [upgrade('/healthz'), upgrade('/nope'), upgrade('/ws'), upgrade('/ws', `${auth}\nOrigin: null\n`)];
    const statuses = [];
    for (const request of upgrades) {
      const { replies, closed } = await onOneConnection(port, [request]);
      expect(closed).toBe(true);
      expect(replies[0]?.headers.connection).toBe('close');
      statuses.push(replies[0]?.status);
    }
    expect(statuses).toEqual([404, 404, 401, 403]);
    const after = await metrics();
    expect(count(after, 'unmatched', 404) - count(before, 'unmatched', 404)).toBe(2);
    expect(count(after, '/ws', 401) - count(before, '/ws', 401)).toBe(1);
    expect(count(after, '/ws', 403) - count(before, '/ws', 403)).toBe(1);
  });
});
