import type { ServerResponse } from 'node:http';
import { isContentChunk } from '@rxllm/core';
import { type AgentEvent, encodeSseEvent, type NumberedEvent, toJsonLine } from '@rxllm/protocol';
import type { Observable, Subscription } from 'rxjs';
import type { AgentConfig } from '../config.js';
import type { GenerationEvent } from '../generation/generate.js';
import { errorBody, HttpError } from '../http/errors.js';
import { deferred } from '../lib/deferred.js';
import { OutboundQueue } from './outbound-queue.js';

/** How an SSE reply ended, for logs and tests. */
export type SseEnd =
  | { status: 'completed'; delivered: number }
  | { status: 'failed-before-commit'; error: HttpError }
  | { status: 'failed'; delivered: number }
  | { status: 'client-gone'; delivered: number }
  | { status: 'slow-consumer'; delivered: number }
  | { status: 'aborted'; delivered: number; error: HttpError };

/** The settings every streamed reply takes from the configuration (SSE and WebSocket alike). */
export interface StreamSettings {
  pingIntervalMs: number;
  maxBufferedBytes: number;
  slowConsumerGraceMs: number;
}

/**
 * The {@link StreamSettings} of a configuration: heartbeat interval, the slow-consumer cap and its grace.
 *
 * @example
 * ```ts
 * serveSse({ response, events, streamId, ...streamSettings(config) });
 * ```
 */
export function streamSettings(config: Pick<AgentConfig, keyof StreamSettings>): StreamSettings {
  return {
    pingIntervalMs: config.pingIntervalMs,
    maxBufferedBytes: config.maxBufferedBytes,
    slowConsumerGraceMs: config.slowConsumerGraceMs,
  };
}

export interface SseOptions extends StreamSettings {
  response: ServerResponse;
  events: Observable<GenerationEvent>;
  streamId: string;
  /** Encoder per event; the OpenAI-compatible route swaps in its own `data:`-only dialect. */
  encode?: (event: NumberedEvent) => string;
  /** Written after the terminal event of a committed stream (OpenAI's `data: [DONE]`). */
  trailer?: (terminal: AgentEvent) => string | undefined;
  /** Builds the pre-commit error body (OpenAI's error shape on the compatible route). */
  errorResponseBody?: (error: HttpError) => unknown;
  headers?: Record<string, string>;
  /**
   * The events come from a generation's log (a resume or a follower): the first one commits the reply, whatever it
   * is, and only an event carrying a `failure` before that becomes an HTTP status (unknown id, expired events).
   */
  replay?: boolean;
  /**
   * The generation is logged for resuming: an event this reply makes up itself (`slow-consumer`, or an abort) reuses
   * the last id instead of taking the next one, which belongs to the log, so the client's `Last-Event-ID` keeps
   * pointing at the last logged event and a resume misses nothing.
   */
  logged?: boolean;
}

/** A live SSE reply: the server keeps these to end them on shutdown. */
export interface SseSession {
  readonly streamId: string;
  /** Ends the reply now: an HTTP status if nothing was committed yet, else a final `error` event. */
  abort(error: HttpError): void;
  /** Resolves when the reply is over, however it ended. */
  readonly finished: Promise<SseEnd>;
}

function isContentEvent(event: AgentEvent): boolean {
  return event.type !== 'done' && event.type !== 'error' && event.type !== 'object' && isContentChunk(event);
}

function isCommitTrigger(event: AgentEvent): boolean {
  return event.type === 'done' || isContentEvent(event);
}

const slowConsumerEvent: AgentEvent = {
  type: 'error',
  error: { kind: 'slow-consumer', message: 'the client could not keep up and was dropped' },
};

/** One SSE reply's state machine: held (before the commit point), committed, ended. */
class SseReply implements SseSession {
  readonly streamId: string;
  private readonly response: ServerResponse;
  private readonly encode: (event: NumberedEvent) => string;
  private readonly queue: OutboundQueue;
  private readonly done = deferred<SseEnd>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly pending: NumberedEvent[] = [];
  private subscription: Subscription | undefined;
  private committed = false;
  private ended = false;
  private delivered = 0;
  private lastId = 0;
  private lastWriteAt = performance.now();
  /** `X-Cache` from the `start` event, when the response cache is on (the start comes before the commit). */
  private cacheHeader: Record<string, string> = {};
  /**
   * What this turn wrote, not yet handed to the socket: one `write` per batch of events instead of one per event
   * (a fast upstream's read holds hundreds; each `write` was a system call, the costliest part of relaying them).
   */
  private unsent = '';
  private readonly flushUnsent = () => {
    const text = this.unsent;
    this.unsent = '';
    if (text !== '' && !this.response.destroyed && !this.response.writableEnded) this.response.write(text);
  };

  constructor(private readonly options: SseOptions) {
    this.streamId = options.streamId;
    this.response = options.response;
    this.encode = options.encode ?? encodeSseEvent;
    this.queue = new OutboundQueue(
      { bufferedBytes: () => this.response.writableLength + this.unsent.length, write: (text) => this.write(text) },
      {
        encode: (event) => {
          if (isContentEvent(event.event)) this.delivered += 1;
          return this.encode(event);
        },
        maxBufferedBytes: options.maxBufferedBytes,
        graceMs: options.slowConsumerGraceMs,
        onSlowConsumer: () => this.dropSlowConsumer(),
      },
    );
    this.heartbeat = setInterval(() => this.beat(), options.pingIntervalMs);
    this.heartbeat.unref();
    this.response.on('close', () => {
      if (!this.ended) this.finish({ status: 'client-gone', delivered: this.delivered });
      this.queue.dispose();
    });
    this.response.on('drain', () => this.queue.flush());
    this.subscription = options.events.subscribe({ next: (event) => this.onEvent(event) });
    if (this.ended) this.subscription.unsubscribe();
  }

  get finished(): Promise<SseEnd> {
    return this.done.promise;
  }

  abort(error: HttpError): void {
    if (this.ended) return;
    if (!this.committed) {
      this.finish({ status: 'aborted', delivered: this.delivered, error });
      this.respondWithError(error);
      return;
    }
    if (!this.options.logged) this.lastId += 1;
    const terminal: AgentEvent = { type: 'error', error: { kind: error.kind, message: error.message } };
    this.queue.push({ id: this.lastId, event: terminal });
    this.endCommitted(terminal, { status: 'aborted', delivered: this.delivered, error });
  }

  private write(text: string): void {
    this.lastWriteAt = performance.now();
    if (this.unsent === '') process.nextTick(this.flushUnsent);
    this.unsent += text;
  }

  /** Ends the response after what was written. */
  private endResponse(): void {
    this.flushUnsent();
    this.response.end();
  }

  private onEvent(numbered: GenerationEvent): void {
    if (this.ended) return;
    this.lastId = numbered.id;
    const { event } = numbered;
    if (event.type === 'start' && event.cache) this.cacheHeader = { 'X-Cache': event.cache };
    if (!this.committed) {
      if (event.type === 'error' && (!this.options.replay || numbered.failure)) {
        const failure = numbered.failure ?? new HttpError({ kind: event.error.kind, message: event.error.message });
        this.finish({ status: 'failed-before-commit', error: failure });
        this.respondWithError(failure);
        return;
      }
      if (!this.options.replay && !isCommitTrigger(event)) {
        this.pending.push(numbered);
        return;
      }
      this.commit();
    }
    this.queue.push(numbered);
    if (event.type === 'done') this.endCommitted(event, { status: 'completed', delivered: this.delivered });
    else if (event.type === 'error') this.endCommitted(event, { status: 'failed', delivered: this.delivered });
  }

  private beat(): void {
    if (this.ended) return;
    if (!this.committed) {
      this.commit();
      this.write(': ping\n\n');
      return;
    }
    const idleMs = performance.now() - this.lastWriteAt;
    if (idleMs >= this.options.pingIntervalMs * 0.9 && this.queue.pendingBytes === 0) this.write(': ping\n\n');
  }

  private commit(): void {
    if (this.committed) return;
    this.committed = true;
    // A TCP socket in production; an in-process request (Fastify's inject, used by the route tests) has a stand-in
    // without Nagle to turn off, which must not throw in the middle of a stream.
    const socket = this.response.socket as { setNoDelay?: unknown } | null;
    if (typeof socket?.setNoDelay === 'function') this.response.socket?.setNoDelay(true);
    this.response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
      'X-Stream-Id': this.streamId,
      ...this.cacheHeader,
      ...this.options.headers,
    });
    // No `flushHeaders()`: every caller writes right after this, and the headers leave with that first write (one
    // system call fewer per stream).
    for (const event of this.pending.splice(0)) this.queue.push(event);
  }

  private respondWithError(error: HttpError): void {
    const body = this.options.errorResponseBody ? this.options.errorResponseBody(error) : errorBody(error);
    this.response.writeHead(error.status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-cache',
      'X-Stream-Id': this.streamId,
      ...error.headers,
    });
    this.response.end(toJsonLine(body));
  }

  private dropSlowConsumer(): void {
    if (this.ended) {
      this.response.destroy();
      return;
    }
    if (!this.options.logged) this.lastId += 1;
    this.finish({ status: 'slow-consumer', delivered: this.delivered });
    this.write(this.encode({ id: this.lastId, event: slowConsumerEvent }));
    this.endResponse();
    // The client is not reading, so `end` may never flush: give it a moment, then let go of the socket.
    setTimeout(() => this.response.destroy(), 250).unref();
  }

  private endCommitted(terminal: AgentEvent, end: SseEnd): void {
    this.finish(end, true);
    void this.queue.whenFlushed().then(() => {
      this.queue.dispose();
      if (this.response.destroyed) return;
      const trailer = this.options.trailer?.(terminal);
      if (trailer) this.write(trailer);
      this.endResponse();
    });
  }

  private finish(end: SseEnd, keepQueue = false): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.heartbeat);
    this.subscription?.unsubscribe();
    if (!keepQueue) this.queue.dispose();
    this.done.resolve(end);
  }
}

/**
 * Serves one generation as Server-Sent Events, with the commit point rule: the HTTP status is held until the first
 * content chunk (the `start` chunk waits with it) so an upstream error before it becomes a real HTTP status;
 * if the wait passes the heartbeat interval, the 200 headers go out with a `: ping` comment and a later error is
 * an `error` event instead. A closed response unsubscribes (aborting the upstream request); a slow reader is
 * bounded by {@link OutboundQueue}.
 *
 * @example
 * ```ts
 * const session = serveSse({ response, events: generate({ source, streamId }), streamId, ...streamSettings(config) });
 * const end = await session.finished;
 * ```
 */
export function serveSse(options: SseOptions): SseSession {
  return new SseReply(options);
}
