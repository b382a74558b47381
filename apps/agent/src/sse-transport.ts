import type { ServerResponse } from 'node:http';
import { isContentChunk } from '@rxllm/core';
import type { Observable, Subscription } from 'rxjs';
import { type AgentEvent, encodeSseEvent, type NumberedEvent, toJsonLine } from './events.js';
import type { GenerationEvent } from './generation.js';
import { errorBody, HttpError } from './http-error.js';
import { OutboundQueue } from './outbound-queue.js';

/** How an SSE reply ended, for logs and tests. */
export type SseEnd =
  | { status: 'completed'; delivered: number }
  | { status: 'failed-before-commit'; error: HttpError }
  | { status: 'failed'; delivered: number }
  | { status: 'client-gone'; delivered: number }
  | { status: 'slow-consumer'; delivered: number }
  | { status: 'aborted'; delivered: number; error: HttpError };

export interface SseOptions {
  response: ServerResponse;
  events: Observable<GenerationEvent>;
  streamId: string;
  pingIntervalMs: number;
  maxBufferedBytes: number;
  slowConsumerGraceMs: number;
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
  return event.type !== 'done' && event.type !== 'error' && isContentChunk(event);
}

function isCommitTrigger(event: AgentEvent): boolean {
  return event.type === 'done' || isContentEvent(event);
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
 * const session = serveSse({ response, events: generate({ source, streamId }), streamId,
 *   pingIntervalMs: 15000, maxBufferedBytes: 1 << 20, slowConsumerGraceMs: 5000 });
 * const end = await session.finished;
 * ```
 */
export function serveSse(options: SseOptions): SseSession {
  const { response, streamId } = options;
  const encode = options.encode ?? encodeSseEvent;
  let committed = false;
  let ended = false;
  let delivered = 0;
  let lastId = 0;
  let lastWriteAt = performance.now();
  const pending: NumberedEvent[] = [];
  let subscription: Subscription | undefined;
  let resolveFinished: (end: SseEnd) => void = () => undefined;
  const finished = new Promise<SseEnd>((resolve) => {
    resolveFinished = resolve;
  });

  const write = (text: string) => {
    lastWriteAt = performance.now();
    response.write(text);
  };

  const queue = new OutboundQueue(
    { bufferedBytes: () => response.writableLength, write },
    {
      encode: (event) => {
        if (isContentEvent(event.event)) delivered += 1;
        return encode(event);
      },
      lowWaterBytes: Math.min(64 * 1024, Math.floor(options.maxBufferedBytes / 4)),
      maxBufferedBytes: options.maxBufferedBytes,
      graceMs: options.slowConsumerGraceMs,
      onSlowConsumer: () => {
        if (ended) {
          response.destroy();
          return;
        }
        if (!options.logged) lastId += 1;
        finish({ status: 'slow-consumer', delivered });
        response.write(
          encode({
            id: lastId,
            event: {
              type: 'error',
              error: { kind: 'slow-consumer', message: 'the client could not keep up and was dropped' },
            },
          }),
        );
        response.end();
        // The client is not reading, so `end` may never flush: give it a moment, then let go of the socket.
        setTimeout(() => response.destroy(), 250).unref();
      },
    },
  );

  const finish = (end: SseEnd, options: { keepQueue?: boolean } = {}) => {
    if (ended) return;
    ended = true;
    clearInterval(heartbeat);
    subscription?.unsubscribe();
    if (!options.keepQueue) queue.dispose();
    resolveFinished(end);
  };

  const commit = () => {
    if (committed) return;
    committed = true;
    response.socket?.setNoDelay(true);
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
      'X-Stream-Id': streamId,
      ...options.headers,
    });
    // No `flushHeaders()`: every caller writes right after this, and the headers leave with that first write (one
    // system call fewer per stream).
    for (const event of pending.splice(0)) queue.push(event);
  };

  const respondWithError = (error: HttpError) => {
    const body = options.errorResponseBody ? options.errorResponseBody(error) : errorBody(error);
    response.writeHead(error.status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-cache',
      'X-Stream-Id': streamId,
      ...error.headers,
    });
    response.end(toJsonLine(body));
  };

  const endCommitted = (terminal: AgentEvent, end: SseEnd) => {
    finish(end, { keepQueue: true });
    void queue.whenFlushed().then(() => {
      queue.dispose();
      if (response.destroyed) return;
      const trailer = options.trailer?.(terminal);
      if (trailer) write(trailer);
      response.end();
    });
  };

  const heartbeat = setInterval(() => {
    if (ended) return;
    if (!committed) {
      commit();
      write(': ping\n\n');
      return;
    }
    if (performance.now() - lastWriteAt >= options.pingIntervalMs * 0.9 && queue.pendingBytes === 0)
      write(': ping\n\n');
  }, options.pingIntervalMs);
  heartbeat.unref();

  response.on('close', () => {
    if (!ended) finish({ status: 'client-gone', delivered });
    queue.dispose();
  });

  const onEvent = (numbered: GenerationEvent) => {
    if (ended) return;
    lastId = numbered.id;
    const { event } = numbered;
    if (!committed) {
      if (event.type === 'error' && (!options.replay || numbered.failure)) {
        const failure = numbered.failure ?? new HttpError({ kind: event.error.kind, message: event.error.message });
        finish({ status: 'failed-before-commit', error: failure });
        respondWithError(failure);
        return;
      }
      if (!options.replay && !isCommitTrigger(event)) {
        pending.push(numbered);
        return;
      }
      commit();
    }
    queue.push(numbered);
    if (event.type === 'done') endCommitted(event, { status: 'completed', delivered });
    else if (event.type === 'error') endCommitted(event, { status: 'failed', delivered });
  };

  response.on('drain', () => queue.flush());
  subscription = options.events.subscribe({ next: onEvent });
  if (ended) subscription.unsubscribe();

  return {
    streamId,
    finished,
    abort(error: HttpError) {
      if (ended) return;
      if (!committed) {
        finish({ status: 'aborted', delivered, error });
        respondWithError(error);
        return;
      }
      if (!options.logged) lastId += 1;
      const terminal: AgentEvent = { type: 'error', error: { kind: error.kind, message: error.message } };
      queue.push({ id: lastId, event: terminal });
      endCommitted(terminal, { status: 'aborted', delivered, error });
    },
  };
}
