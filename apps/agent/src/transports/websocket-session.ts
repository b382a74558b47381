import type { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { type AgentEvent, encodeWebSocketFrame, type NumberedEvent } from '@rxllm/protocol';
import type { ToolApprovalDecision } from '@rxllm/tools';
import type { Observable, Subscription } from 'rxjs';
import type { WebSocket } from 'ws';
import type { AgentContext } from '../app/context.js';
import { type ChatBody, toCompletionRequest } from '../generation/chat-request.js';
import type { GenerationEvent } from '../generation/generate.js';
import type { ProviderChoice } from '../generation/provider-catalog.js';
import { parseStreamId } from '../generation/stream-id.js';
import { parseApprovalBody } from '../generation/tool-approvals.js';
import { afterPendingIo } from '../http/body.js';
import { type AgentErrorKind, HttpError, toHttpError } from '../http/errors.js';
import { deferred } from '../lib/deferred.js';
import { OutboundQueue } from './outbound-queue.js';

/** More rejected messages in a row than this close the socket with 1008. */
const maxInvalidMessagesInRow = 20;

/** The generation a socket is sending. */
interface RunningStream {
  subscription: Subscription | undefined;
  lastId: number;
  streamId: string;
  finish(): void;
}

type Rejection = { kind: AgentErrorKind; message: string };

const cancelledByClient: AgentEvent = { type: 'error', error: { kind: 'aborted', message: 'cancelled by the client' } };

/**
 * One WebSocket client: a text frame with the `/chat` body starts one generation (one at a time per socket),
 * `{"type":"resume","streamId","after"}` follows a stored one, `{"type":"cancel"}` stops it, `{"type":"approve",…}`
 * decides on one of its tool calls (a refusal is an `id: 0` frame; the stream goes on). Every server frame is an
 * event's JSON with an `id`, through one bounded {@link OutboundQueue} per socket so frames of consecutive
 * generations (and rejections) never overtake each other.
 *
 * @example
 * ```ts
 * wss.handleUpgrade(request, socket, head, (ws) => new WebSocketSession(ws, request, socket, context));
 * ```
 */
export class WebSocketSession {
  private readonly queue: OutboundQueue;
  private readonly keepAlive: NodeJS.Timeout;
  private current: RunningStream | undefined;
  private closing = false;
  /** Set while a start waits for the rate limiter or the store, so a second message cannot start another. */
  private starting = false;
  /** Each rejection is a frame back: a client that floods bad messages without reading would make us buffer them. */
  private invalidInRow = 0;

  constructor(
    private readonly ws: WebSocket,
    private readonly request: IncomingMessage,
    private readonly socket: Duplex,
    private readonly context: AgentContext,
  ) {
    const { config } = context;
    this.queue = new OutboundQueue(
      { bufferedBytes: () => ws.bufferedAmount, write: (text) => ws.readyState === ws.OPEN && ws.send(text) },
      {
        encode: encodeWebSocketFrame,
        maxBufferedBytes: config.maxBufferedBytes,
        graceMs: config.slowConsumerGraceMs,
        onSlowConsumer: () => this.dropSlowConsumer(),
      },
    );
    ws.on('message', (data, isBinary) => this.onMessage(data.toString(), isBinary));
    // Protocol pings keep idle proxies from cutting a socket that waits for a slow first chunk.
    this.keepAlive = setInterval(() => {
      if (ws.readyState === ws.OPEN) ws.ping();
    }, config.pingIntervalMs);
    this.keepAlive.unref();
    ws.on('close', () => {
      clearInterval(this.keepAlive);
      this.closing = true;
      this.endCurrent();
      this.queue.dispose();
    });
    ws.on('error', () => undefined);
  }

  private onMessage(text: string, isBinary: boolean): void {
    if (this.closing) return;
    if (isBinary) {
      this.rejectInvalid({ kind: 'invalid-request', message: 'binary frames are not supported: send JSON text' });
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      this.rejectInvalid({ kind: 'invalid-request', message: 'frame is not valid JSON' });
      return;
    }
    const type = typeof message === 'object' && message !== null ? (message as { type?: unknown }).type : undefined;
    if (type === 'cancel') {
      this.invalidInRow = 0;
      this.cancel();
      return;
    }
    if (type === 'approve') {
      this.approve(message as Record<string, unknown>);
      return;
    }
    if (this.current || this.starting) {
      this.rejectInvalid({
        kind: 'invalid-request',
        message: 'a generation is already running on this socket: wait for it or send {"type":"cancel"}',
      });
      return;
    }
    if (type === 'resume') {
      try {
        this.resume(message as { streamId?: unknown; after?: unknown });
        this.invalidInRow = 0;
      } catch (error) {
        this.rejectInvalid(toHttpError(error));
      }
      return;
    }
    let body: ChatBody;
    let choice: ProviderChoice;
    try {
      body = this.context.parseChatBody(message);
      choice = this.context.catalog.choose(body);
    } catch (error) {
      this.rejectInvalid(toHttpError(error));
      return;
    }
    this.invalidInRow = 0;
    this.starting = true;
    this.context
      .rateLimit(this.request)
      // A client that sent its message and left at once is seen to be gone two loop turns later: start nothing.
      .then(afterPendingIo)
      .then(afterPendingIo)
      .then(() => (this.closing || this.ws.readyState !== this.ws.OPEN ? undefined : this.start(body, choice)))
      .catch((error: unknown) => {
        if (!this.closing) this.reject(toHttpError(error));
      })
      .finally(() => {
        this.starting = false;
      });
  }

  private async start(body: ChatBody, choice: ProviderChoice): Promise<void> {
    const { context } = this;
    const { streamId, events: generation } = context.newGeneration(choice, toCompletionRequest(body, choice.model), {
      logFields: { transport: 'websocket' },
      objectSchema: body.objectSchema,
      serverTools: true,
      caller: context.keys.identify(this.request.headers, true),
    });
    const run = await context.startRun(streamId, generation);
    if (this.closing) {
      // Nobody will ever attach to a run whose socket closed while the store was creating its log.
      run?.stop(new HttpError({ kind: 'aborted', message: 'the client went away before the generation started' }));
      return;
    }
    // A resumable run is tracked (and stopped on shutdown) by itself; this socket is one attached client.
    this.pipe(streamId, run ? run.live : generation, run ? () => undefined : undefined);
  }

  /** `{"type":"approve", toolCallId, approved, reason?}`: a decision for the generation this socket receives. */
  private approve(message: Record<string, unknown>): void {
    const running = this.current;
    if (!running) {
      this.rejectInvalid({
        kind: 'invalid-request',
        message: 'no generation is running on this socket to approve for',
      });
      return;
    }
    const { type: _type, ...fields } = message;
    let decision: ToolApprovalDecision;
    try {
      decision = parseApprovalBody(fields);
    } catch (error) {
      this.rejectInvalid(toHttpError(error));
      return;
    }
    this.invalidInRow = 0;
    const { logger } = this.context;
    this.context.decide(running.streamId, decision).then(
      (outcome) => {
        if (outcome === 'decided' || outcome === 'forwarded') {
          logger.info(
            { streamId: running.streamId, toolCallId: decision.toolCallId, approved: decision.approved, outcome },
            `Tool call ${decision.approved ? 'approved' : 'denied'} by a WebSocket client`,
          );
        } else if (!this.closing) {
          this.reject({
            kind: 'invalid-request',
            message: `the tool call ${decision.toolCallId} is not waiting for a decision`,
          });
        }
      },
      (error: unknown) => {
        if (!this.closing) this.reject(toHttpError(error));
      },
    );
  }

  private resume(message: { streamId?: unknown; after?: unknown }): void {
    const { generations, logger } = this.context;
    if (!generations) {
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
    const follower = generations.follow(streamId, after);
    this.pipe(streamId, follower.events, (error) => follower.stop(error));
  }

  /** Sends a generation's events (its own, or followed from the store) on this socket until its terminal event. */
  private pipe(
    streamId: string,
    events: Observable<GenerationEvent>,
    abort: ((error: HttpError) => void) | undefined,
  ): void {
    const { context } = this;
    const finished = deferred();
    const running: RunningStream = { subscription: undefined, lastId: 0, streamId, finish: () => finished.resolve() };
    this.current = running;
    context.track({
      finished: finished.promise,
      abort: (error) => {
        if (this.current !== running) return;
        if (abort) abort(error);
        else this.endCurrent({ type: 'error', error: { kind: error.kind, message: error.message } });
        void this.queue.whenFlushed().then(() => this.ws.close(1001, 'server shutting down'));
      },
    });
    if (!context.generations) {
      const cancel = () => {
        if (this.current === running) {
          this.endCurrent({ type: 'error', error: { kind: 'aborted', message: 'cancelled by a client' } });
        }
      };
      context.registerCancel(streamId, cancel, finished.promise);
    }
    running.subscription = events.subscribe(({ id, event }: NumberedEvent) => {
      if (this.current !== running) return;
      running.lastId = id;
      this.queue.push({ id, event });
      if (event.type === 'done' || event.type === 'error') {
        this.current = undefined;
        running.finish();
      }
    });
    if (this.current !== running) running.subscription.unsubscribe();
  }

  private cancel(): void {
    const running = this.current;
    if (!running) return;
    const { generations, logger } = this.context;
    logger.info({ streamId: running.streamId }, 'WebSocket client cancelled the stream');
    if (!generations) {
      this.endCurrent(cancelledByClient);
      return;
    }
    // For everyone: the `aborted` event arrives through the generation's own events, with its id in the log.
    generations.cancel(running.streamId).then(
      (cancelled) => {
        if (!cancelled && this.current === running) this.endCurrent(cancelledByClient);
      },
      (error: unknown) => this.reject(toHttpError(error)),
    );
  }

  private endCurrent(terminal?: AgentEvent): void {
    const running = this.current;
    if (!running) return;
    this.current = undefined;
    running.subscription?.unsubscribe();
    if (terminal) {
      running.lastId += 1;
      this.queue.push({ id: running.lastId, event: terminal });
    }
    running.finish();
  }

  private reject(error: Rejection): void {
    this.queue.push({ id: 0, event: { type: 'error', error: { kind: error.kind, message: error.message } } });
  }

  private rejectInvalid(error: Rejection): void {
    this.invalidInRow += 1;
    if (this.invalidInRow <= maxInvalidMessagesInRow) {
      this.reject(error);
      return;
    }
    const { ws, socket } = this;
    this.closing = true;
    this.context.logger.warn(
      { invalidMessages: this.invalidInRow },
      'Closed a WebSocket that sent too many invalid messages',
    );
    ws.close(1008, 'too many invalid messages');
    // A client that does not read never answers the close handshake, nor sees a FIN while paused: reset it.
    setTimeout(() => {
      if (ws.readyState === ws.CLOSED) return;
      if (socket instanceof Socket) socket.resetAndDestroy();
      else ws.terminate();
    }, 250).unref();
  }

  private dropSlowConsumer(): void {
    const { ws } = this;
    const running = this.current;
    this.current = undefined;
    running?.subscription?.unsubscribe();
    running?.finish();
    this.context.logger.warn({ streamId: running?.streamId }, 'Dropped a slow WebSocket client');
    if (ws.readyState === ws.OPEN) {
      const error: AgentEvent = {
        type: 'error',
        error: { kind: 'slow-consumer', message: 'the client could not keep up and was dropped' },
      };
      // A logged generation's next id belongs to its log: reuse the last one (see SseOptions.logged).
      ws.send(encodeWebSocketFrame({ id: (running?.lastId ?? 0) + (this.context.generations ? 0 : 1), event: error }));
    }
    ws.close(1008, 'slow consumer');
    setTimeout(() => ws.terminate(), 250).unref();
  }
}
