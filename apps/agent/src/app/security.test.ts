import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startTestAgent, type TestAgent } from '../test-helpers.js';

// What a web page or a neighbour on the network could do with the agent, sent byte for byte on real sockets:
// foreign Host names (DNS rebinding), foreign Origins (CSRF), non-JSON POST bodies (CORS "simple requests").
// Each case also checks that nothing reached the upstream: the mock upstream's request log stays empty.

interface RawReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One HTTP/1.1 request written by hand (so Host, Origin and Content-Type are exactly what an attacker sends). */
function raw(port: number, head: string, body = ''): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      const text = Buffer.concat(chunks).toString('utf8');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
      const headers = Object.fromEntries(
        lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
      );
      const length = Number(headers['content-length'] ?? Number.NaN);
      const rest = Buffer.concat(chunks).subarray(Buffer.byteLength(text.slice(0, end + 4)));
      // Streams (SSE) have no length: the head is enough for these tests.
      if (Number.isNaN(length) || rest.length >= length) {
        socket.destroy();
        resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.toString('utf8') });
      }
    });
    socket.on('error', reject);
    const length = body === '' ? '' : `Content-Length: ${Buffer.byteLength(body)}\r\n`;
    socket.write(`${head.trim().split('\n').join('\r\n')}\r\n${length}Connection: close\r\n\r\n${body}`);
  });
}

const kindOf = (reply: RawReply) => (JSON.parse(reply.body) as { error: { kind: string } }).error.kind;
const chatBody = '{"message":"spend the key"}';
const completionsBody = '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"spend the key"}],"stream":true}';
const streamId = '00000000-0000-4000-8000-000000000000';
const approveBody = '{"toolCallId":"call_1","approved":true}';
const uiChatBody =
  '{"id":"c1","messages":[{"id":"u1","role":"user","parts":[{"type":"text","text":"spend the key"}]}]}';
const messagesBody = '{"model":"claude","max_tokens":64,"messages":[{"role":"user","content":"spend the key"}]}';
const responsesBody = '{"model":"gpt-4o-mini","input":"spend the key","stream":true}';
/** Every vendor and client protocol route that starts a generation, with a body it would take. */
const generationRoutes = [
  ['/chat', chatBody],
  ['/v1/chat/completions', completionsBody],
  ['/v1/messages', messagesBody],
  ['/v1/responses', responsesBody],
  ['/api/chat', uiChatBody],
] as const;

let harness: TestAgent;
let port: number;

beforeAll(async () => {
  harness = await startTestAgent({ ALLOWED_ORIGINS: 'https://app.example', ALLOWED_HOSTS: 'agent.lan' });
  port = harness.agent.port;
});
afterAll(async () => {
  await harness.close();
});

describe('Host allow list (DNS rebinding)', () => {
  it('answers 421 to a name that is not loopback or in ALLOWED_HOSTS, on every route, before any work', async () => {
    for (const [head, body] of [
      ['GET /v1/models HTTP/1.1\nHost: attacker.example', ''],
      [`GET /healthz HTTP/1.1\nHost: attacker.example:${port}`, ''],
      ['GET / HTTP/1.1\nHost: rebound.attacker.example', ''],
      ['GET /stats HTTP/1.1\nHost: attacker.example', ''],
      ['GET /no-such-route HTTP/1.1\nHost: attacker.example', ''],
      ...generationRoutes.map(
        ([path, body]) =>
          [`POST ${path} HTTP/1.1\nHost: attacker.example\nContent-Type: application/json`, body] as const,
      ),
      ['GET /api/chat/c1/stream HTTP/1.1\nHost: attacker.example', ''],
      [`POST /chat/${streamId}/approve HTTP/1.1\nHost: attacker.example\nContent-Type: application/json`, approveBody],
    ] as const) {
      const reply = await raw(port, head, body);
      expect(reply.status, head).toBe(421);
      expect(reply.body).toContain('ALLOWED_HOSTS');
      expect(reply.body).toContain('attacker.example');
    }
    expect(kindOf(await raw(port, 'GET /stats HTTP/1.1\nHost: attacker.example'))).toBe('forbidden');
    expect(harness.upstream.requests).toHaveLength(0);
  });

  it('serves localhost, 127.0.0.1 and [::1] on any port, and the names in ALLOWED_HOSTS', async () => {
    for (const host of ['localhost', `localhost:${port}`, '127.0.0.1:1', 'LOCALHOST', '[::1]:8080', 'agent.lan:443']) {
      const reply = await raw(port, `GET /v1/models HTTP/1.1\nHost: ${host}`);
      expect(reply.status, host).toBe(200);
    }
  });

  it('refuses the WebSocket upgrade for a foreign Host with 421', async () => {
    const status = await new Promise<number>((resolve) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { Host: 'attacker.example' } });
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.on('open', () => resolve(101));
      socket.on('error', () => undefined);
    });
    expect(status).toBe(421);
  });
});

describe('Origin check (cross-site requests)', () => {
  const evil = 'Origin: https://evil.example';

  it('answers 403 forbidden to a foreign Origin on every route that starts, reads or cancels a generation', async () => {
    const json = 'Content-Type: application/json';
    for (const [head, body] of [
      ...generationRoutes.map(
        ([path, body]) => [`POST ${path} HTTP/1.1\nHost: localhost\n${evil}\n${json}`, body] as const,
      ),
      [`GET /api/chat/c1/stream HTTP/1.1\nHost: localhost\n${evil}`, ''],
      [`GET /chat/${streamId} HTTP/1.1\nHost: localhost\n${evil}`, ''],
      [`POST /chat/${streamId}/cancel HTTP/1.1\nHost: localhost\n${evil}`, ''],
      [`POST /chat/${streamId}/approve HTTP/1.1\nHost: localhost\n${evil}\n${json}`, approveBody],
      [`GET /stats/stream HTTP/1.1\nHost: localhost\n${evil}`, ''],
      [`GET /v1/models HTTP/1.1\nHost: localhost\nOrigin: null`, ''],
      [`POST /chat HTTP/1.1\nHost: localhost:${port}\nOrigin: http://localhost:${port + 1}\n${json}`, chatBody],
    ] as const) {
      const reply = await raw(port, head, body);
      expect(reply.status, head).toBe(403);
      expect(reply.headers['access-control-allow-origin']).toBeUndefined();
      expect(reply.body).toContain('ALLOWED_ORIGINS');
    }
    const chat = await raw(port, `POST /chat HTTP/1.1\nHost: localhost\n${evil}\n${json}`, chatBody);
    expect(kindOf(chat)).toBe('forbidden');
    const completions = await raw(port, `POST /v1/chat/completions HTTP/1.1\nHost: localhost\n${evil}\n${json}`, '{}');
    expect(JSON.parse(completions.body).error).toMatchObject({ kind: 'forbidden', type: 'permission_error' });
    expect(harness.upstream.requests).toHaveLength(0);
  });

  it("serves the agent's own origin and the listed ones (with CORS headers); no Origin is not a browser", async () => {
    const own = await raw(port, `GET /v1/models HTTP/1.1\nHost: localhost:${port}\nOrigin: http://localhost:${port}`);
    expect(own.status).toBe(200);
    const listed = await raw(port, 'GET /v1/models HTTP/1.1\nHost: localhost\nOrigin: https://app.example');
    expect(listed.status).toBe(200);
    expect(listed.headers['access-control-allow-origin']).toBe('https://app.example');
    expect((await raw(port, 'GET /v1/models HTTP/1.1\nHost: localhost')).status).toBe(200);
    // The page and the probes are public: a foreign page may link to them.
    expect((await raw(port, `GET /healthz HTTP/1.1\nHost: localhost\n${evil}`)).status).toBe(200);
  });

  it('answers the CORS preflight only for allowed origins', async () => {
    const preflight = (origin: string) =>
      raw(
        port,
        `OPTIONS /chat HTTP/1.1\nHost: localhost\nOrigin: ${origin}\nAccess-Control-Request-Method: POST\n` +
          'Access-Control-Request-Headers: content-type',
      );
    const foreign = await preflight('https://evil.example');
    expect(foreign.status).toBe(403);
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    expect(foreign.headers['access-control-allow-methods']).toBeUndefined();
    const listed = await preflight('https://app.example');
    expect(listed.status).toBe(204);
    expect(listed.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(listed.headers['access-control-allow-headers']).toMatch(/content-type/i);
  });

  it('refuses the WebSocket upgrade from a foreign Origin with 403 forbidden', async () => {
    const reply = await raw(
      port,
      `GET /ws HTTP/1.1\nHost: localhost\n${evil}\nUpgrade: websocket\nConnection: Upgrade\n` +
        'Sec-WebSocket-Version: 13\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    );
    expect(reply.status).toBe(403);
    expect(kindOf(reply)).toBe('forbidden');
  });
});

describe('JSON-only POST bodies (CORS simple requests)', () => {
  it('answers 415 invalid-request to text/plain, form and missing content types, before any upstream work', async () => {
    for (const contentType of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', '']) {
      const header = contentType === '' ? '' : `\nContent-Type: ${contentType}`;
      const chat = await raw(port, `POST /chat HTTP/1.1\nHost: localhost${header}`, chatBody);
      expect(chat.status, contentType).toBe(415);
      expect(kindOf(chat)).toBe('invalid-request');
      expect(chat.body).toContain('application/json');
      for (const [path, body] of generationRoutes.slice(1)) {
        const reply = await raw(port, `POST ${path} HTTP/1.1\nHost: localhost${header}`, body);
        expect(reply.status, `${path} ${contentType}`).toBe(415);
        expect(reply.body).toContain('application/json');
      }
    }
    expect(harness.upstream.requests).toHaveLength(0);
  });

  it('takes application/json with parameters and +json types; cancel needs no body or content type', async () => {
    for (const contentType of ['application/json; charset=utf-8', 'Application/JSON', 'application/vnd.rxllm+json']) {
      const reply = await raw(port, `POST /chat HTTP/1.1\nHost: localhost\nContent-Type: ${contentType}`, chatBody);
      expect(reply.status, contentType).toBe(200);
    }
    const cancel = await raw(port, `POST /chat/${streamId}/cancel HTTP/1.1\nHost: localhost\nContent-Length: 0`);
    expect(cancel.status).toBe(404);
    expect(kindOf(cancel)).toBe('not-found');
    const plainCancel = await raw(
      port,
      `POST /chat/${streamId}/cancel HTTP/1.1\nHost: localhost\nContent-Type: text/plain`,
    );
    expect(plainCancel.status).toBe(415);
  });
});

describe('response headers', () => {
  it('sends nosniff on every reply, a CSP on the page, and never compresses SSE', async () => {
    for (const path of ['/healthz', '/', '/v1/models', '/no-such-route', '/stats']) {
      const reply = await raw(port, `GET ${path} HTTP/1.1\nHost: localhost\nAccept-Encoding: gzip, br`);
      expect(reply.headers['x-content-type-options'], path).toBe('nosniff');
      expect(reply.headers['content-encoding'], path).toBeUndefined();
    }
    const page = await raw(port, 'GET / HTTP/1.1\nHost: localhost');
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'|default-src 'self'/);
    expect(page.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(page.headers['referrer-policy']).toBeDefined();
    const sse = await raw(
      port,
      'POST /chat HTTP/1.1\nHost: localhost\nContent-Type: application/json\nAccept-Encoding: gzip, deflate, br',
      chatBody,
    );
    expect(sse.status).toBe(200);
    expect(sse.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(sse.headers['content-encoding']).toBeUndefined();
    expect(sse.headers['cache-control']).toContain('no-transform');
    expect(sse.headers['x-content-type-options']).toBe('nosniff');
  });
});
