import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { AgentContext } from '../app/context.js';
import { isAuthorized } from '../http/auth.js';
import { HttpError, toHttpError } from '../http/errors.js';
import { requestGuard } from '../http/guards.js';
import type { Route } from '../http/router.js';
import { WebSocketSession } from '../transports/websocket-session.js';

/** The `/ws` endpoint: its upgrade handler, and what shutdown needs. */
export interface WebSocketEndpoint {
  /** The plain `GET /ws` without an upgrade: 426. */
  routes: Route[];
  /** For the HTTP server's `upgrade` event. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Refuse new upgrades (503). */
  stopAccepting(): void;
  /** Close every socket with 1001 (going away). */
  closeAll(): Promise<void>;
}

function rejectUpgrade(socket: Duplex, status: number, reason: string, body: unknown, headers: Record<string, string>) {
  const text = JSON.stringify(body);
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\n${extra}\r\n${text}`,
  );
}

function upgradePath(request: IncomingMessage): string {
  try {
    return new URL(request.url ?? '/', 'http://agent.invalid').pathname;
  } catch {
    return '';
  }
}

/**
 * Serves `GET /ws`: the `Host` and `Origin` guards (as every route), bearer auth (header, or subprotocol
 * `rxllm.bearer.<token>`) at the upgrade, `maxPayload` capped at `MAX_BODY_BYTES`, the rate limit, then one
 * {@link WebSocketSession} per socket.
 *
 * @example
 * ```ts
 * const websocket = websocketEndpoint(context);
 * server.on('upgrade', websocket.handleUpgrade);
 * ```
 */
export function websocketEndpoint(context: AgentContext): WebSocketEndpoint {
  const { config } = context;
  let accepting = true;
  const guard = requestGuard(config);
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: config.maxBodyBytes,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has('rxllm') ? 'rxllm' : false),
  });

  const admit = (request: IncomingMessage, socket: Duplex, head: Buffer) =>
    wss.handleUpgrade(request, socket, head, (ws) => {
      context.prometheus.countRequest('GET', '/ws', 101);
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      new WebSocketSession(ws, request, socket, context);
    });

  const handleUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    const path = upgradePath(request);
    const fail = (error: HttpError) => {
      context.prometheus.countRequest('GET', path === '/ws' ? '/ws' : 'unmatched', error.status);
      const headers = error.status === 401 ? { ...error.headers, 'WWW-Authenticate': 'Bearer' } : error.headers;
      const body = { error: { kind: error.kind, message: error.message } };
      rejectUpgrade(socket, error.status, STATUS_CODES[error.status] ?? 'Error', body, headers);
    };
    try {
      guard.host(request);
      if (path !== '/ws') throw new HttpError({ kind: 'not-found', status: 404, message: `no route ${path}` });
      guard.origin(request);
    } catch (error) {
      return fail(toHttpError(error));
    }
    if (!accepting || context.isDraining()) {
      return fail(new HttpError({ kind: 'shutdown', status: 503, message: 'the server is shutting down' }));
    }
    if (!isAuthorized(request.headers, config.agentApiKey, true)) {
      return fail(new HttpError({ kind: 'auth', status: 401, message: 'missing or wrong bearer token' }));
    }
    context.rateLimit(request).then(
      () => admit(request, socket, head),
      (error: unknown) => fail(toHttpError(error)),
    );
  };

  return {
    routes: [
      {
        path: '/ws',
        methods: {
          GET: () => {
            throw new HttpError({ kind: 'invalid-request', status: 426, message: 'GET /ws needs a WebSocket upgrade' });
          },
        },
      },
    ],
    handleUpgrade,
    stopAccepting() {
      accepting = false;
    },
    async closeAll() {
      const closing = [...sockets].map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === ws.CLOSED) return resolve();
            ws.once('close', () => resolve());
            ws.close(1001, 'server shutting down');
            setTimeout(() => {
              ws.terminate();
              resolve();
            }, 500).unref();
          }),
      );
      await Promise.all(closing);
      wss.close();
    },
  };
}
