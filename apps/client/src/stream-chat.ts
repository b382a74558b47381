import { type ContentPart, LLMError, type ResponseFormat, retryAfterMsFromHeaders } from '@rxllm/core';
import {
  type AgentEvent,
  type ChatMessage,
  type ChatRequestBody,
  decodeWebSocketFrame,
  isTerminalEvent,
  parseErrorBody,
  type ReceivedEvent,
  readAgentEvents,
  type WebSocketClientMessage,
} from '@rxllm/protocol';
import WebSocket from 'ws';
import {
  abortedError,
  agentError,
  CLIENT_PROVIDER,
  connectionError,
  protocolError,
  truncatedError,
} from './agent-error.js';
import { type ResumeOptions, reconnectDelayMs, resolveResumeOptions } from './resume-policy.js';

export type { ChatMessage } from '@rxllm/protocol';

/** Which running generation to attach to instead of starting one; see {@link StreamChatOptions.follow}. */
export interface FollowTarget {
  streamId: string;
  /** Only events after this id (0, the default, replays the generation from its start). */
  after?: number;
}

/** Where and what to ask; see {@link streamChat}. */
export interface StreamChatOptions {
  /** Base URL of the agent, e.g. `http://localhost:8080`. */
  url: string;
  /** A single user message; ignored when `messages` is given. */
  prompt?: string;
  /**
   * Images and files sent with `prompt`: the user message becomes parts, the prompt's text first, then these.
   * Ignored when `messages` is given (put the parts in its messages instead).
   */
  attachments?: ContentPart[];
  messages?: ChatMessage[];
  /** Ask for a JSON answer (of `schema`'s shape, if given): the stream then carries `object` events. */
  responseFormat?: ResponseFormat;
  provider?: string;
  model?: string;
  temperature?: number;
  maxTokens?: number;
  /** Sent as `Authorization: Bearer …` when the agent requires `AGENT_API_KEY`. */
  apiKey?: string;
  /** `sse` (default): `POST /chat` read as Server-Sent Events; `ws`: the `GET /ws` WebSocket. */
  transport?: 'sse' | 'ws';
  /** Aborting cancels the request (the agent then aborts its upstream request too). */
  signal?: AbortSignal;
  /**
   * Reconnect after a dropped connection (`true`, or the backoff to use): `GET /chat/:streamId` with
   * `Last-Event-ID`, or `{type:"resume"}` on a new WebSocket. Needs an agent with `RESUMABLE_STREAMS=true`.
   */
  resume?: boolean | ResumeOptions;
  /** Attach to a generation that is already running (started elsewhere) instead of starting one. */
  follow?: FollowTarget;
  /** Called once with the stream id as soon as the agent tells it (`X-Stream-Id`, or the `start` event). */
  onStreamId?: (streamId: string) => void;
}

/** Bound on anything read whole into memory: an error body, a single SSE event. */
const maxBufferedBytes = 1024 * 1024;
/** Above this many unread WebSocket events the socket is paused, so a slow consumer does not grow memory. */
const maxQueuedEvents = 256;
/** Ctrl-C must still exit promptly when the agent does not answer the cancel request. */
const cancelTimeoutMs = 2000;

/** What a stream has seen so far: enough to pick it up again after a dropped connection. */
interface StreamCursor {
  streamId: string | undefined;
  lastId: number | undefined;
}

function promptMessage(options: StreamChatOptions): ChatMessage {
  const prompt = options.prompt ?? '';
  const attachments = options.attachments ?? [];
  if (attachments.length === 0) return { role: 'user', content: prompt };
  const text: ContentPart[] = prompt === '' ? [] : [{ type: 'text', text: prompt }];
  return { role: 'user', content: [...text, ...attachments] };
}

function requestBody(options: StreamChatOptions): ChatRequestBody {
  return {
    messages: options.messages ?? [promptMessage(options)],
    ...(options.provider === undefined ? {} : { provider: options.provider }),
    ...(options.model === undefined ? {} : { model: options.model }),
    ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
    ...(options.maxTokens === undefined ? {} : { maxTokens: options.maxTokens }),
    ...(options.responseFormat === undefined ? {} : { responseFormat: options.responseFormat }),
  };
}

function endpoint(base: string, path: string): URL {
  return new URL(path, base.endsWith('/') ? base : `${base}/`);
}

function streamPath(streamId: string, suffix = ''): string {
  return `chat/${encodeURIComponent(streamId)}${suffix}`;
}

function authorization(options: StreamChatOptions): Record<string, string> {
  return options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {};
}

async function errorFromResponse(response: Response): Promise<LLMError> {
  const text = await response.text().catch(() => '');
  return agentError(parseErrorBody(text, response.status), response.status, retryAfterMsFromHeaders(response.headers));
}

function notResumableError(streamId: string, reason: string): LLMError {
  return new LLMError({
    kind: 'not-found',
    provider: CLIENT_PROVIDER,
    status: 404,
    message:
      `the agent no longer has stream ${streamId} (${reason}): it finished or expired, or the agent runs without ` +
      'RESUMABLE_STREAMS=true',
    details: { agentKind: 'not-found', streamId },
  });
}

/** A failure of the way to the agent (not one the agent reported), after which reconnecting may help. */
function isReconnectable(error: unknown): boolean {
  if (!LLMError.isInstance(error)) return false;
  if (error.details?.reconnectable === true) return true;
  return error.kind === 'network' && error.details?.agentKind === undefined;
}

async function openSse(
  options: StreamChatOptions,
  controller: AbortController,
  cursor: StreamCursor,
  resuming: boolean,
): Promise<Response> {
  const streamId = cursor.streamId;
  let response: Response;
  try {
    response =
      resuming && streamId !== undefined
        ? await fetch(endpoint(options.url, streamPath(streamId)), {
            headers: {
              accept: 'text/event-stream',
              ...(cursor.lastId === undefined ? {} : { 'last-event-id': String(cursor.lastId) }),
              ...authorization(options),
            },
            signal: controller.signal,
          })
        : await fetch(endpoint(options.url, 'chat'), {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...authorization(options) },
            body: JSON.stringify(requestBody(options)),
            signal: controller.signal,
          });
  } catch (cause) {
    throw controller.signal.aborted ? abortedError() : connectionError(cause, options.url);
  }
  if (!response.ok) {
    const error = await errorFromResponse(response);
    if (!resuming || streamId === undefined) throw error;
    if (response.status === 404) throw notResumableError(streamId, error.message);
    // An agent that is restarting or overloaded may answer the next attempt (another instance shares REDIS_URL).
    if (response.status >= 500) {
      throw new LLMError({
        kind: error.kind,
        provider: CLIENT_PROVIDER,
        status: response.status,
        message: error.message,
        details: { ...error.details, reconnectable: true },
      });
    }
    throw error;
  }
  if (!response.body || !(response.headers.get('content-type') ?? '').includes('text/event-stream')) {
    throw new LLMError({
      kind: 'unknown',
      provider: CLIENT_PROVIDER,
      status: response.status,
      message: `the agent answered ${response.headers.get('content-type') ?? 'no content type'}, not an event stream`,
    });
  }
  return response;
}

/** The events of one SSE response, until its body ends (the caller decides whether that was too early). */
async function* sseEvents(
  options: StreamChatOptions,
  controller: AbortController,
  cursor: StreamCursor,
  resuming: boolean,
  onStreamId: (streamId: string) => void,
): AsyncGenerator<ReceivedEvent> {
  const response = await openSse(options, controller, cursor, resuming);
  const headerStreamId = response.headers.get('x-stream-id');
  if (headerStreamId) onStreamId(headerStreamId);
  const body = response.body as ReadableStream<Uint8Array>;
  try {
    // Leaving early (done, a failure, a reconnect) cancels the body, which closes this response's connection.
    yield* readAgentEvents(body, { maxEventChars: maxBufferedBytes });
  } catch (error) {
    throw protocolError(error) ?? (controller.signal.aborted ? abortedError() : connectionError(error, options.url));
  }
}

function webSocketUrl(base: string): URL {
  const url = endpoint(base, 'ws');
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url;
}

/** The frames of one WebSocket, opened with `first` (a chat body or a `resume` message), until it closes. */
async function* webSocketEvents(
  options: StreamChatOptions,
  controller: AbortController,
  first: WebSocketClientMessage,
  sendCancelOnExit: boolean,
): AsyncGenerator<ReceivedEvent> {
  const queue: ReceivedEvent[] = [];
  let failure: LLMError | undefined;
  let closed = false;
  let terminalSeen = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const fail = (error: LLMError) => {
    failure ??= error;
    notify();
  };

  const socket = new WebSocket(webSocketUrl(options.url), {
    headers: authorization(options),
    maxPayload: maxBufferedBytes,
  });
  let paused = false;
  socket.on('open', () => socket.send(JSON.stringify(first)));
  socket.on('message', (data, isBinary) => {
    if (isBinary)
      return fail(new LLMError({ kind: 'unknown', provider: CLIENT_PROVIDER, message: 'binary frame from the agent' }));
    try {
      queue.push(decodeWebSocketFrame(data.toString()));
    } catch (error) {
      return fail(protocolError(error) ?? (error as LLMError));
    }
    if (queue.length >= maxQueuedEvents && !paused) {
      paused = true;
      socket.pause();
    }
    notify();
  });
  socket.on('unexpected-response', (_request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBufferedBytes) chunks.push(chunk);
    });
    response.on('end', () => {
      const reported = parseErrorBody(Buffer.concat(chunks).toString('utf8'), response.statusCode);
      fail(agentError(reported, response.statusCode, retryAfterMsFromHeaders(response.headers)));
      socket.terminate();
    });
  });
  socket.on('error', (cause) => fail(controller.signal.aborted ? abortedError() : connectionError(cause, options.url)));
  socket.on('close', () => {
    closed = true;
    notify();
  });
  const onAbort = () => fail(abortedError());
  controller.signal.addEventListener('abort', onAbort, { once: true });

  try {
    while (true) {
      const numbered = queue.shift();
      if (numbered) {
        if (paused && queue.length < maxQueuedEvents / 2) {
          paused = false;
          socket.resume();
        }
        if (isTerminalEvent(numbered.event)) terminalSeen = true;
        yield numbered;
        continue;
      }
      if (failure) throw failure;
      if (closed) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    controller.signal.removeEventListener('abort', onAbort);
    if (socket.readyState === WebSocket.OPEN) {
      // Tell the agent explicitly, then close: either one alone makes it abort the upstream request.
      if (sendCancelOnExit && !terminalSeen) socket.send(JSON.stringify({ type: 'cancel' }));
      socket.close(1000);
    } else if (socket.readyState === WebSocket.CONNECTING) {
      socket.terminate();
    }
  }
}

function sleep(milliseconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, milliseconds);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Asks the agent to stop a generation for everyone; bounded, and never throws (the caller is already leaving). */
async function cancelGeneration(options: StreamChatOptions, streamId: string): Promise<void> {
  try {
    const response = await fetch(endpoint(options.url, streamPath(streamId, '/cancel')), {
      method: 'POST',
      headers: authorization(options),
      signal: AbortSignal.timeout(cancelTimeoutMs),
    });
    await response.body?.cancel();
  } catch {
    // The agent is gone or slow: it cancels on its own when the grace period for detached streams ends.
  }
}

/** A dropped connection that will not be picked up again: says which stream it was, for `follow`. */
function lostStreamError(error: LLMError, cursor: StreamCursor, note: string): LLMError {
  return new LLMError({
    kind: error.kind,
    provider: CLIENT_PROVIDER,
    ...(error.status === undefined ? {} : { status: error.status }),
    message: `${error.message}${note}`,
    cause: error,
    details: { ...error.details, streamId: cursor.streamId, lastEventId: cursor.lastId ?? 0, lost: true },
  });
}

async function* eventsWithReconnection(
  options: StreamChatOptions,
  controller: AbortController,
  cursor: StreamCursor,
  onStreamId: (streamId: string) => void,
): AsyncGenerator<AgentEvent> {
  const resume = resolveResumeOptions(options.resume);
  const transport = options.transport === 'ws' ? 'ws' : 'sse';
  let resuming = options.follow !== undefined;
  let failures = 0;
  while (true) {
    const source =
      transport === 'ws'
        ? webSocketEvents(
            options,
            controller,
            resuming
              ? { type: 'resume', streamId: cursor.streamId ?? '', after: cursor.lastId ?? 0 }
              : requestBody(options),
            options.follow === undefined,
          )
        : sseEvents(options, controller, cursor, resuming, onStreamId);
    try {
      for await (const { id, event } of source) {
        // Id 0 answers a bad request on a WebSocket (a refused resume): it is not part of the stream.
        if (id !== undefined && id > 0) {
          if (cursor.lastId !== undefined && id <= cursor.lastId) {
            // An agent that stops serving this client (shutting down) repeats the last id on its `error` event, so
            // that the stream can be picked up elsewhere; anything else repeated is a replay overlap, shown once.
            if (event.type === 'error' && event.error.kind !== 'not-found') {
              const reported = agentError(event.error);
              throw new LLMError({
                kind: reported.kind,
                provider: CLIENT_PROVIDER,
                message: reported.message,
                details: { ...reported.details, reconnectable: true },
              });
            }
            if (event.type !== 'error') continue;
          } else {
            cursor.lastId = id;
          }
        }
        if (event.type === 'start' && event.streamId !== undefined) onStreamId(event.streamId);
        failures = 0;
        if (event.type === 'error') {
          if (id === 0 && resuming && cursor.streamId !== undefined && event.error.kind === 'not-found') {
            throw notResumableError(cursor.streamId, event.error.message);
          }
          throw agentError(event.error);
        }
        yield event;
        if (event.type === 'done') return;
      }
      throw truncatedError(transport === 'ws' ? 'WebSocket' : 'SSE');
    } catch (error) {
      if (controller.signal.aborted) throw abortedError();
      if (cursor.streamId === undefined || !isReconnectable(error)) throw error;
      if (!resume) throw lostStreamError(error as LLMError, cursor, '');
      if (failures >= resume.attempts) {
        throw lostStreamError(error as LLMError, cursor, `; gave up resuming after ${resume.attempts} attempts`);
      }
      const delayMs = reconnectDelayMs(resume, failures);
      failures += 1;
      resume.onReconnect?.({
        streamId: cursor.streamId,
        after: cursor.lastId ?? 0,
        attempt: failures,
        attempts: resume.attempts,
        delayMs,
        error: error as LLMError,
      });
      await sleep(delayMs, controller.signal);
      if (controller.signal.aborted) throw abortedError();
      resuming = true;
    }
  }
}

/**
 * Streams one reply from the rxllm agent as an async iterable of its events (`start`, `text`, `reasoning`,
 * `tool-call`, `usage`, `finish`, then `done`; with `responseFormat`, `object` events as well: partial objects, then
 * the checked one with `complete: true`; an answer that fails the schema throws an `invalid-output` error). Cold: each iteration makes one request; breaking out of the loop or
 * aborting `signal` cancels it, and the agent then aborts its upstream request (when the agent keeps detached
 * streams, `RESUMABLE_STREAMS=true`, the client also sends `POST /chat/:streamId/cancel`, bounded to 2 s). Every
 * failure is thrown as an `LLMError`: an HTTP error status, an `error` event mid-stream (after the text already
 * yielded), an unreachable agent (`details.unreachable`), a stream that ends without `done` (`details.truncated`),
 * or `aborted`.
 *
 * With `resume`, a dropped connection is picked up where it broke (`GET /chat/:streamId` with `Last-Event-ID`, or
 * `{type:"resume"}` over WebSocket) and no event is yielded twice. With `follow`, it attaches to a generation that is
 * already running instead of starting one; stopping a follower only detaches it.
 *
 * @example
 * ```ts
 * import { streamChat } from '@rxllm/client';
 *
 * for await (const event of streamChat({ url: 'http://localhost:8080', prompt: 'Tell me a story', resume: true })) {
 *   if (event.type === 'text') process.stdout.write(event.text);
 * }
 * ```
 */
export async function* streamChat(options: StreamChatOptions): AsyncGenerator<AgentEvent, void, undefined> {
  const controller = new AbortController();
  const forwardAbort = () => controller.abort();
  if (options.signal?.aborted) throw abortedError();
  options.signal?.addEventListener('abort', forwardAbort, { once: true });
  const cursor: StreamCursor = {
    streamId: options.follow?.streamId,
    lastId: options.follow?.after !== undefined && options.follow.after > 0 ? options.follow.after : undefined,
  };
  const onStreamId = (streamId: string) => {
    if (cursor.streamId !== undefined) return;
    cursor.streamId = streamId;
    options.onStreamId?.(streamId);
  };
  if (cursor.streamId !== undefined) options.onStreamId?.(cursor.streamId);
  let ended = false;
  let gaveUp = false;
  try {
    for await (const event of eventsWithReconnection(options, controller, cursor, onStreamId)) {
      if (event.type === 'done') ended = true;
      yield event;
    }
    ended = true;
  } catch (error) {
    // The agent ended it (an error event or status), or the connection is gone: nothing of ours left to stop, and
    // a generation that outlived a dropped connection can still be picked up with `follow` within its grace period.
    if (!LLMError.isInstance(error) || error.kind !== 'aborted') gaveUp = true;
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', forwardAbort);
    // Closes the HTTP connection when the consumer stops early, so the agent sees the disconnect.
    controller.abort();
    if (!ended && !gaveUp && options.follow === undefined && cursor.streamId !== undefined) {
      // A disconnect only detaches a resumable generation: stopping the spend needs an explicit cancel.
      await cancelGeneration(options, cursor.streamId);
    }
  }
}
