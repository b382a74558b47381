import type { IncomingMessage, Server } from 'node:http';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Observable, Subscription } from 'rxjs';
import { type WebSocket, WebSocketServer } from 'ws';
import { isAuthorized } from './auth.js';
import { afterPendingIo } from './body.js';
import { type ChatBody, parseChatBody, toCompletionRequest } from './chat-request.js';
import { parseStreamId } from './chat-resume.js';
import { type AgentEvent, encodeWebSocketFrame, type NumberedEvent } from './events.js';
import type { GenerationEvent } from './generation.js';
import { type AgentErrorKind, HttpError, toHttpError } from './http-error.js';
import { OutboundQueue } from './outbound-queue.js';
import type { ProviderChoice } from './provider-catalog.js';
import type { AgentContext } from './server.js';

/** More rejected messages in a row than this close the socket with 1008. */
const maxInvalidMessagesInRow = 20;

/** The `/ws` endpoint, as the server's shutdown sees it. */
export interface WebSocketEndpoint {
  /** Refuse new upgrades (503). */
  stopAccepting(): void;
  /** Close every socket with 1001 (going away). */
  closeAll(): Promise<void>;
}

function rejectUpgrade(
  socket: Duplex,
  status: number,
  reason: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\n${extra}\r\n${text}`,
  );
}

/** Same-origin (the Origin's host is the Host we were reached at) or listed in `ALLOWED_ORIGINS`; no Origin = not a browser. */
export function isOriginAllowed(request: IncomingMessage, allowedOrigins: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  const normalised = origin.replace(/\/+$/, '');
  if (allowedOrigins.includes(normalised)) return true;
  try {
    return new URL(normalised).host === request.headers.host;
  } catch {
    return false;
  }
}

/**
 * Serves `GET /ws`: Origin allow-list and bearer auth (header, or subprotocol `rxllm.bearer.<token>`) at the
 * upgrade, `maxPayload` capped at `MAX_BODY_BYTES`. A text frame with the `/chat` body starts one generation (one
 * at a time per socket); `{"type":"cancel"}` stops it. Every server frame is an event's JSON with an `id`.
 *
 * @example
 * ```ts
 * const endpoint = attachWebSocket(server, context);
 * await endpoint.closeAll();
 * ```
 */
export function attachWebSocket(server: Server, context: AgentContext): WebSocketEndpoint {
  const { config, logger } = context;
  let accepting = true;
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: config.maxBodyBytes,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has('rxllm') ? 'rxllm' : false),
  });

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    let path = '';
    try {
      path = new URL(request.url ?? '/', 'http://agent.invalid').pathname;
    } catch {
      path = '';
    }
    const fail = (status: number, reason: string, kind: string, message: string, headers?: Record<string, string>) => {
      context.prometheus.countRequest('GET', path === '/ws' ? '/ws' : 'unmatched', status);
      rejectUpgrade(socket, status, reason, { error: { kind, message } }, headers);
    };
    if (path !== '/ws') return fail(404, 'Not Found', 'not-found', `no route ${path}`);
    if (!accepting || context.isDraining())
      return fail(503, 'Service Unavailable', 'shutdown', 'the server is shutting down');
    if (!isOriginAllowed(request, config.allowedOrigins)) {
      return fail(403, 'Forbidden', 'auth', 'origin not allowed (set ALLOWED_ORIGINS)');
    }
    if (!isAuthorized(request.headers, config.agentApiKey, true)) {
      return fail(401, 'Unauthorized', 'auth', 'missing or wrong bearer token', { 'WWW-Authenticate': 'Bearer' });
    }
    context.rateLimit(request).then(
      () =>
        wss.handleUpgrade(request, socket, head, (ws) => {
          context.prometheus.countRequest('GET', '/ws', 101);
          onConnection(ws, request, socket);
        }),
      (error: unknown) => {
        const failure = toHttpError(error);
        fail(failure.status, 'Too Many Requests', failure.kind, failure.message, failure.headers);
      },
    );
  });

  const onConnection = (ws: WebSocket, request: IncomingMessage, socket: Duplex) => {
    sockets.add(ws);
    let current: { subscription: Subscription | undefined; lastId: number; streamId: string } | undefined;
    let resolveStream: (() => void) | undefined;
    let closing = false;
    // Set while a start waits for the rate limiter or the store, so a second message cannot start another.
    let starting = false;

    // One queue per socket, so frames of consecutive generations (and rejections) never overtake each other.
    const queue = new OutboundQueue(
      { bufferedBytes: () => ws.bufferedAmount, write: (text) => ws.readyState === ws.OPEN && ws.send(text) },
      {
        encode: encodeWebSocketFrame,
        lowWaterBytes: Math.min(64 * 1024, Math.floor(config.maxBufferedBytes / 4)),
        maxBufferedBytes: config.maxBufferedBytes,
        graceMs: config.slowConsumerGraceMs,
        onSlowConsumer: () => {
          const running = current;
          current = undefined;
          running?.subscription?.unsubscribe();
          resolveStream?.();
          logger.warn({ streamId: running?.streamId }, 'Dropped a slow WebSocket client');
          if (ws.readyState === ws.OPEN) {
            ws.send(
              encodeWebSocketFrame({
                // A logged generation's next id belongs to its log: reuse the last one (see SseOptions.logged).
                id: (running?.lastId ?? 0) + (context.generations ? 0 : 1),
                event: {
                  type: 'error',
                  error: { kind: 'slow-consumer', message: 'the client could not keep up and was dropped' },
                },
              }),
            );
          }
          ws.close(1008, 'slow consumer');
          setTimeout(() => ws.terminate(), 250).unref();
        },
      },
    );

    const reject = (error: { kind: AgentErrorKind; message: string }) =>
      queue.push({ id: 0, event: { type: 'error', error: { kind: error.kind, message: error.message } } });

    // Each rejection is a frame back: a client that floods bad messages without reading would make us buffer them.
    let invalidInRow = 0;
    const rejectInvalid = (error: { kind: AgentErrorKind; message: string }) => {
      invalidInRow += 1;
      if (invalidInRow <= maxInvalidMessagesInRow) {
        reject(error);
        return;
      }
      closing = true;
      logger.warn({ invalidMessages: invalidInRow }, 'Closed a WebSocket that sent too many invalid messages');
      ws.close(1008, 'too many invalid messages');
      // A client that does not read never answers the close handshake, nor sees a FIN while paused: reset it.
      setTimeout(() => {
        if (ws.readyState === ws.CLOSED) return;
        if (socket instanceof Socket) socket.resetAndDestroy();
        else ws.terminate();
      }, 250).unref();
    };

    const endCurrent = (terminal?: AgentEvent) => {
      const running = current;
      if (!running) return;
      current = undefined;
      running.subscription?.unsubscribe();
      if (terminal) {
        running.lastId += 1;
        queue.push({ id: running.lastId, event: terminal });
      }
      resolveStream?.();
    };

    /** Sends a generation's events (its own, or followed from the store) on this socket until its terminal event. */
    const pipe = (
      streamId: string,
      events: Observable<GenerationEvent>,
      abort: ((error: HttpError) => void) | undefined,
    ) => {
      const running: NonNullable<typeof current> = { subscription: undefined, lastId: 0, streamId };
      current = running;
      const finished = new Promise<void>((resolve) => {
        resolveStream = resolve;
      });
      context.track({
        finished,
        abort: (error) => {
          if (current !== running) return;
          if (abort) abort(error);
          else endCurrent({ type: 'error', error: { kind: error.kind, message: error.message } });
          void queue.whenFlushed().then(() => ws.close(1001, 'server shutting down'));
        },
      });
      if (!context.generations) {
        context.registerCancel(
          streamId,
          () => {
            if (current === running) {
              endCurrent({ type: 'error', error: { kind: 'aborted', message: 'cancelled by a client' } });
            }
          },
          finished,
        );
      }
      running.subscription = events.subscribe(({ id, event }: NumberedEvent) => {
        if (current !== running) return;
        running.lastId = id;
        queue.push({ id, event });
        if (event.type === 'done' || event.type === 'error') {
          current = undefined;
          resolveStream?.();
        }
      });
      if (current !== running) running.subscription.unsubscribe();
    };

    const start = async (body: ChatBody, choice: ProviderChoice) => {
      const { streamId, events: generation } = context.newGeneration(choice, toCompletionRequest(body, choice.model), {
        transport: 'websocket',
      });
      const run = await context.startRun(streamId, generation);
      if (closing) {
        // Nobody will ever attach to a run whose socket closed while the store was creating its log.
        run?.stop(new HttpError({ kind: 'aborted', message: 'the client went away before the generation started' }));
        return;
      }
      // A resumable run is tracked (and stopped on shutdown) by itself; this socket is one attached client.
      pipe(streamId, run ? run.live : generation, run ? () => undefined : undefined);
    };

    const resume = (message: { streamId?: unknown; after?: unknown }) => {
      if (!context.generations) {
        throw new HttpError({
          kind: 'not-found',
          message: 'resumable streams are disabled on this agent (RESUMABLE_STREAMS=true turns them on)',
        });
      }
      const streamId = parseStreamId(typeof message.streamId === 'string' ? message.streamId : '');
      const after = message.after ?? 0;
      if (typeof after !== 'number' || !Number.isSafeInteger(after) || after < 0) {
        throw new HttpError({ kind: 'invalid-request', message: 'after must be a non-negative integer' });
      }
      logger.info({ streamId, after, transport: 'websocket' }, 'Client resumes a stream');
      const follower = context.generations.follow(streamId, after);
      pipe(streamId, follower.events, (error) => follower.stop(error));
    };

    ws.on('message', (data, isBinary) => {
      if (closing) return;
      if (isBinary) {
        rejectInvalid({ kind: 'invalid-request', message: 'binary frames are not supported: send JSON text' });
        return;
      }
      let message: unknown;
      try {
        message = JSON.parse(data.toString());
      } catch {
        rejectInvalid({ kind: 'invalid-request', message: 'frame is not valid JSON' });
        return;
      }
      const type = typeof message === 'object' && message !== null ? (message as { type?: unknown }).type : undefined;
      if (type === 'cancel') {
        invalidInRow = 0;
        const running = current;
        if (!running) return;
        logger.info({ streamId: running.streamId }, 'WebSocket client cancelled the stream');
        if (!context.generations) {
          endCurrent({ type: 'error', error: { kind: 'aborted', message: 'cancelled by the client' } });
          return;
        }
        // For everyone: the `aborted` event arrives through the generation's own events, with its id in the log.
        context.generations.cancel(running.streamId).then(
          (cancelled) => {
            if (!cancelled && current === running) {
              endCurrent({ type: 'error', error: { kind: 'aborted', message: 'cancelled by the client' } });
            }
          },
          (error: unknown) => reject(toHttpError(error)),
        );
        return;
      }
      if (current || starting) {
        rejectInvalid({
          kind: 'invalid-request',
          message: 'a generation is already running on this socket: wait for it or send {"type":"cancel"}',
        });
        return;
      }
      if (type === 'resume') {
        try {
          resume(message as { streamId?: unknown; after?: unknown });
          invalidInRow = 0;
        } catch (error) {
          rejectInvalid(toHttpError(error));
        }
        return;
      }
      let body: ChatBody;
      let choice: ProviderChoice;
      try {
        body = parseChatBody(message, config);
        choice = context.catalog.choose(body);
      } catch (error) {
        rejectInvalid(toHttpError(error));
        return;
      }
      invalidInRow = 0;
      starting = true;
      context
        .rateLimit(request)
        // A client that sent its message and left at once is seen to be gone two loop turns later: start nothing.
        .then(afterPendingIo)
        .then(afterPendingIo)
        .then(() => (closing || ws.readyState !== ws.OPEN ? undefined : start(body, choice)))
        .catch((error: unknown) => {
          if (!closing) reject(toHttpError(error));
        })
        .finally(() => {
          starting = false;
        });
    });
    // Protocol pings keep idle proxies from cutting a socket that waits for a slow first chunk.
    const keepAlive = setInterval(() => {
      if (ws.readyState === ws.OPEN) ws.ping();
    }, config.pingIntervalMs);
    keepAlive.unref();
    ws.on('close', () => {
      clearInterval(keepAlive);
      closing = true;
      sockets.delete(ws);
      endCurrent();
      queue.dispose();
    });
    ws.on('error', () => undefined);
  };

  return {
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
