import type { WebSocket } from 'ws';
import type { AgentContext } from '../app/context.js';
import { HttpError } from '../http/errors.js';
import type { HttpLayerOptions, Route } from '../http/router.js';
import { WebSocketSession } from '../transports/websocket-session.js';

/** The `/ws` endpoint: its route, its `ws` server options, and what shutdown needs. */
export interface WebSocketEndpoint {
  /** `GET /ws`: the upgrade (one {@link WebSocketSession} per socket), or 426 without one. */
  routes: Route[];
  /** For the HTTP layer's `ws` server: `maxPayload` capped at `MAX_BODY_BYTES`, the `rxllm` subprotocol. */
  serverOptions: HttpLayerOptions['websocket'];
  /** Close every socket with 1001 (going away). */
  closeAll(): Promise<void>;
}

/**
 * Serves `GET /ws`. The upgrade goes through the router like any request: the `Host` and `Origin` guards, bearer
 * auth (header, or subprotocol `rxllm.bearer.<token>`), the drain guard (503) and the rate limit, each answered as
 * an HTTP error before the 101; then one {@link WebSocketSession} per socket.
 *
 * @example
 * ```ts
 * const websocket = websocketEndpoint(context);
 * await app.register(http.plugin(websocket.routes));
 * ```
 */
export function websocketEndpoint(context: AgentContext): WebSocketEndpoint {
  const { config } = context;
  const sockets = new Set<WebSocket>();
  return {
    routes: [
      {
        path: '/ws',
        rateLimited: true,
        methods: {
          GET: () => {
            throw new HttpError({ kind: 'invalid-request', status: 426, message: 'GET /ws needs a WebSocket upgrade' });
          },
        },
        websocket: (ws, request) => {
          sockets.add(ws);
          ws.on('close', () => sockets.delete(ws));
          new WebSocketSession(ws, request.raw, request.raw.socket, context);
        },
      },
    ],
    serverOptions: {
      maxPayload: config.maxBodyBytes,
      perMessageDeflate: false,
      handleProtocols: (protocols) => (protocols.has('rxllm') ? 'rxllm' : false),
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
    },
  };
}
