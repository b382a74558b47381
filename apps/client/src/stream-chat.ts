import {
  type ContentPart,
  LLMError,
  type ResponseFormat,
  retryAfterMsFromHeaders,
  type ToolApprovalRequestChunk,
} from '@rxllm/core';
import {
  type AgentEvent,
  type ApproveMessage,
  type ChatMessage,
  type ChatRequestBody,
  decodeWebSocketFrame,
  isTerminalEvent,
  parseErrorBody,
  type ReceivedEvent,
  readAgentEvents,
  type ToolApprovalBody,
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

/** A decision on one tool call: run it, or not (and why: `reason` goes to the model with the denial). */
export interface ToolApprovalDecision {
  approved: boolean;
  reason?: string;
}

/** How a stream answers the agent's `tool-approval-request`s; see {@link StreamChatOptions.toolApproval}. */
export interface ToolApprovalOptions {
  /**
   * Decides on one request, after its event was yielded: requests are decided one at a time, in the order they
   * came, and the stream waits meanwhile. Resolve to `undefined` to leave the decision to someone else. `signal`
   * aborts with the stream; a rejection ends the stream (as `aborted` when the stream was aborted).
   */
  decide(request: ToolApprovalRequestChunk, signal: AbortSignal): Promise<ToolApprovalDecision | undefined>;
  /**
   * A decision that did not take: the agent refused it (HTTP 404 or 409, an `id: 0` error frame on the WebSocket)
   * or it could not be sent. The stream goes on (the agent's own approval timeout then decides).
   */
  onRefused?(error: LLMError, request: ToolApprovalRequestChunk): void;
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
  /**
   * Answers the agent's `tool-approval-request`s (an agent with `TOOL_APPROVAL` set): over SSE with
   * `POST /chat/:streamId/approve`, over WebSocket with an `approve` frame on the same socket. Without it the
   * requests are only yielded, and someone else (or the agent's timeout) decides.
   */
  toolApproval?: ToolApprovalOptions;
}

/** Bound on anything read whole into memory: an error body, a single SSE event. */
const maxBufferedBytes = 1024 * 1024;
/** Above this many unread WebSocket events the socket is paused, so a slow consumer does not grow memory. */
const maxQueuedEvents = 256;
/** Ctrl-C must still exit promptly when the agent does not answer the cancel request. */
const cancelTimeoutMs = 2000;
/** A decision that takes longer than this to deliver is reported as not sent; the agent's own timeout decides. */
const approveTimeoutMs = 5000;

/** What a stream has seen so far: enough to pick it up again after a dropped connection. */
interface StreamCursor {
  streamId: string | undefined;
  lastId: number | undefined;
}

/** How a decision reaches the agent over the WebSocket that is receiving the stream (replaced on a reconnection). */
interface ApprovalLink {
  /** Sends on the current socket; false when it is not open. */
  send: ((message: ApproveMessage) => boolean) | undefined;
  /** Decisions sent on the current socket: after one, an `id: 0` error frame is its refusal, not the stream's end. */
  sentOnSocket: number;
  /** Requests decided on the current socket whose `tool-result` has not come yet, oldest first. */
  pending: ToolApprovalRequestChunk[];
  /** The request of the latest decision sent on the current socket. */
  last: ToolApprovalRequestChunk | undefined;
}

/**
 * The request an `id: 0` refusal frame is about. The agent says nothing when it takes a decision, and its refusal
 * names the call (`the tool call <id> is not waiting for a decision`): the pending one the message names, else the
 * oldest pending, else the latest sent.
 */
function refusedRequest(link: ApprovalLink, message: string): ToolApprovalRequestChunk | undefined {
  // The longest id the message names (`call_1` is inside `call_10`), else the oldest.
  let index = 0;
  let named = '';
  for (const [at, request] of link.pending.entries()) {
    if (message.includes(request.toolCallId) && request.toolCallId.length > named.length) {
      index = at;
      named = request.toolCallId;
    }
  }
  const [request] = link.pending.splice(index, 1);
  return request ?? link.last;
}

/** A request whose result came was decided: a later refusal is not about it. */
function settlePending(link: ApprovalLink, event: AgentEvent): void {
  if (event.type !== 'tool-result' || event.partial === true || link.pending.length === 0) return;
  link.pending = link.pending.filter((request) => request.toolCallId !== event.toolCallId);
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
  link: ApprovalLink,
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
  link.sentOnSocket = 0;
  link.pending = [];
  link.last = undefined;
  link.send = (message) => {
    if (socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(message));
    link.sentOnSocket += 1;
    return true;
  };
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

/** `POST /chat/:streamId/<action>` with the agent key, and a JSON body when there is one. */
function postToStream(
  options: StreamChatOptions,
  streamId: string,
  action: 'cancel' | 'approve',
  signal: AbortSignal,
  body?: ToolApprovalBody,
): Promise<Response> {
  return fetch(endpoint(options.url, streamPath(streamId, `/${action}`)), {
    method: 'POST',
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...authorization(options) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal,
  });
}

/** Asks the agent to stop a generation for everyone; bounded, and never throws (the caller is already leaving). */
async function cancelGeneration(options: StreamChatOptions, streamId: string): Promise<void> {
  try {
    const response = await postToStream(options, streamId, 'cancel', AbortSignal.timeout(cancelTimeoutMs));
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

/** An error the client makes up about a decision it could not deliver. */
function undeliveredError(message: string): LLMError {
  return new LLMError({ kind: 'network', provider: CLIENT_PROVIDER, message });
}

/** Sends a decision with `POST /chat/:streamId/approve`: the agent's refusal, or undefined once it took it. */
async function postApproval(
  options: StreamChatOptions,
  streamId: string | undefined,
  body: ToolApprovalBody,
  signal: AbortSignal,
): Promise<LLMError | undefined> {
  if (streamId === undefined) {
    return undeliveredError('the agent did not name the stream (no X-Stream-Id): the decision cannot be sent');
  }
  let response: Response;
  try {
    response = await postToStream(
      options,
      streamId,
      'approve',
      AbortSignal.any([signal, AbortSignal.timeout(approveTimeoutMs)]),
      body,
    );
  } catch (cause) {
    if (signal.aborted) throw abortedError();
    return connectionError(cause, options.url);
  }
  if (!response.ok) return errorFromResponse(response);
  await response.body?.cancel();
  return undefined;
}

/** Sends a decision as an `approve` frame on the socket receiving the stream (a refusal comes back as a frame). */
function sendApproveFrame(
  link: ApprovalLink,
  body: ToolApprovalBody,
  request: ToolApprovalRequestChunk,
): LLMError | undefined {
  if (link.send?.({ type: 'approve', ...body })) {
    link.last = request;
    link.pending.push(request);
    return undefined;
  }
  return undeliveredError('the WebSocket to the agent is not open: the decision was not sent');
}

/** Asks `approval` about one request and delivers its decision, reporting one that did not take. */
async function decideToolCall(
  options: StreamChatOptions,
  approval: ToolApprovalOptions,
  controller: AbortController,
  context: { streamId: string | undefined; link: ApprovalLink },
  request: ToolApprovalRequestChunk,
): Promise<void> {
  let decision: ToolApprovalDecision | undefined;
  try {
    decision = await approval.decide(request, controller.signal);
  } catch (error) {
    throw controller.signal.aborted ? abortedError() : error;
  }
  if (controller.signal.aborted) throw abortedError();
  if (decision === undefined) return;
  const body: ToolApprovalBody = {
    toolCallId: request.toolCallId,
    approved: decision.approved,
    ...(decision.reason === undefined ? {} : { reason: decision.reason }),
  };
  const refusal =
    options.transport === 'ws'
      ? sendApproveFrame(context.link, body, request)
      : await postApproval(options, context.streamId, body, controller.signal);
  if (refusal) approval.onRefused?.(refusal, request);
}

async function* eventsWithReconnection(
  options: StreamChatOptions,
  controller: AbortController,
  cursor: StreamCursor,
  onStreamId: (streamId: string) => void,
  link: ApprovalLink,
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
            link,
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
        settlePending(link, event);
        failures = 0;
        if (event.type === 'error') {
          const refused = id === 0 && link.sentOnSocket > 0 ? refusedRequest(link, event.error.message) : undefined;
          if (refused !== undefined) {
            // Outside the stream, after a decision was sent on this socket: the agent refused a decision.
            options.toolApproval?.onRefused?.(agentError(event.error), refused);
            continue;
          }
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
 * the checked one with `complete: true`; an answer that fails the schema throws an `invalid-output` error). Cold: each
 * iteration makes one request; breaking out of the loop or aborting `signal` cancels it, and the agent then aborts
 * its upstream request (when the agent keeps detached streams, `RESUMABLE_STREAMS=true`, the client also sends
 * `POST /chat/:streamId/cancel`, bounded to 2 s). Every
 * failure is thrown as an `LLMError`: an HTTP error status, an `error` event mid-stream (after the text already
 * yielded), an unreachable agent (`details.unreachable`), a stream that ends without `done` (`details.truncated`),
 * or `aborted`.
 *
 * With `resume`, a dropped connection is picked up where it broke (`GET /chat/:streamId` with `Last-Event-ID`, or
 * `{type:"resume"}` over WebSocket) and no event is yielded twice. With `follow`, it attaches to a generation that is
 * already running instead of starting one; stopping a follower only detaches it.
 *
 * A reply of an agent that runs tools also carries the tool loop's events (`step-start`, `tool-call-ready`,
 * `tool-approval-request`, `tool-result`, `step-finish`); with `toolApproval`, each approval request is decided
 * (one at a time, in order) and the decision sent to the agent before the next event is read.
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
  const link: ApprovalLink = { send: undefined, sentOnSocket: 0, pending: [], last: undefined };
  try {
    for await (const event of eventsWithReconnection(options, controller, cursor, onStreamId, link)) {
      if (event.type === 'done') ended = true;
      yield event;
      if (event.type === 'tool-approval-request' && options.toolApproval) {
        await decideToolCall(options, options.toolApproval, controller, { streamId: cursor.streamId, link }, event);
      }
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
