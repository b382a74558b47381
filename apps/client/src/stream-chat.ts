import { LLMError, retryAfterMsFromHeaders } from '@rxllm/core';
import { createParser } from 'eventsource-parser';
import WebSocket from 'ws';
import { abortedError, agentError, CLIENT_PROVIDER, connectionError, truncatedError } from './agent-error.js';
import { type AgentEvent, isAgentEvent } from './events.js';

/** One message of the conversation sent to the agent. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** Where and what to ask; see {@link streamChat}. */
export interface StreamChatOptions {
  /** Base URL of the agent, e.g. `http://localhost:8080`. */
  url: string;
  /** A single user message; ignored when `messages` is given. */
  prompt?: string;
  messages?: ChatMessage[];
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
}

/** Bound on anything read whole into memory: an error body, a single SSE event. */
const maxBufferedBytes = 1024 * 1024;
/** Above this many unread WebSocket events the socket is paused, so a slow consumer does not grow memory. */
const maxQueuedEvents = 256;

function requestBody(options: StreamChatOptions): Record<string, unknown> {
  const messages = options.messages ?? [{ role: 'user', content: options.prompt ?? '' }];
  return {
    messages,
    ...(options.provider === undefined ? {} : { provider: options.provider }),
    ...(options.model === undefined ? {} : { model: options.model }),
    ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
    ...(options.maxTokens === undefined ? {} : { maxTokens: options.maxTokens }),
  };
}

function endpoint(base: string, path: string): URL {
  return new URL(path, base.endsWith('/') ? base : `${base}/`);
}

function authorization(options: StreamChatOptions): Record<string, string> {
  return options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {};
}

function parseEvent(data: string): AgentEvent {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    throw new LLMError({
      kind: 'unknown',
      provider: CLIENT_PROVIDER,
      message: 'the agent sent an event that is not JSON',
    });
  }
  if (!isAgentEvent(value)) {
    throw new LLMError({
      kind: 'unknown',
      provider: CLIENT_PROVIDER,
      message: 'the agent sent an event of unknown shape',
    });
  }
  return value;
}

async function errorFromResponse(response: Response): Promise<LLMError> {
  let reported: unknown;
  try {
    const text = await response.text();
    reported = text.length <= maxBufferedBytes ? (JSON.parse(text) as { error?: unknown }).error : undefined;
  } catch {
    reported = undefined;
  }
  return agentError(reported, response.status, retryAfterMsFromHeaders(response.headers));
}

async function* streamOverSse(options: StreamChatOptions, controller: AbortController): AsyncGenerator<AgentEvent> {
  let response: Response;
  try {
    response = await fetch(endpoint(options.url, 'chat'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...authorization(options) },
      body: JSON.stringify(requestBody(options)),
      signal: controller.signal,
    });
  } catch (cause) {
    throw controller.signal.aborted ? abortedError() : connectionError(cause, options.url);
  }
  if (!response.ok) throw await errorFromResponse(response);
  if (!response.body || !(response.headers.get('content-type') ?? '').includes('text/event-stream')) {
    throw new LLMError({
      kind: 'unknown',
      provider: CLIENT_PROVIDER,
      status: response.status,
      message: `the agent answered ${response.headers.get('content-type') ?? 'no content type'}, not an event stream`,
    });
  }

  const pending: AgentEvent[] = [];
  let parseFailure: LLMError | undefined;
  const parser = createParser({
    maxBufferSize: maxBufferedBytes,
    onEvent: (message) => {
      try {
        pending.push(parseEvent(message.data));
      } catch (error) {
        parseFailure ??= error as LLMError;
      }
    },
    onError: (error) => {
      if (error.type === 'max-buffer-size-exceeded') {
        parseFailure ??= new LLMError({
          kind: 'unknown',
          provider: CLIENT_PROVIDER,
          message: 'an SSE event exceeded 1 MiB',
        });
      }
    },
  });
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  while (true) {
    let read: Awaited<ReturnType<typeof reader.read>>;
    try {
      read = await reader.read();
    } catch (cause) {
      throw controller.signal.aborted ? abortedError() : connectionError(cause, options.url);
    }
    if (read.done) break;
    parser.feed(decoder.decode(read.value, { stream: true }));
    for (const event of pending.splice(0)) {
      if (event.type === 'error') throw agentError(event.error);
      yield event;
      if (event.type === 'done') return;
    }
    if (parseFailure) throw parseFailure;
  }
  throw controller.signal.aborted ? abortedError() : truncatedError('SSE');
}

function webSocketUrl(base: string): URL {
  const url = endpoint(base, 'ws');
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url;
}

async function* streamOverWebSocket(
  options: StreamChatOptions,
  controller: AbortController,
): AsyncGenerator<AgentEvent> {
  const queue: AgentEvent[] = [];
  let failure: LLMError | undefined;
  let closed = false;
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
  socket.on('open', () => socket.send(JSON.stringify(requestBody(options))));
  socket.on('message', (data, isBinary) => {
    if (isBinary)
      return fail(new LLMError({ kind: 'unknown', provider: CLIENT_PROVIDER, message: 'binary frame from the agent' }));
    try {
      queue.push(parseEvent(data.toString()));
    } catch (error) {
      return fail(error as LLMError);
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
      let reported: unknown;
      try {
        reported = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { error?: unknown }).error;
      } catch {
        reported = undefined;
      }
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
      const event = queue.shift();
      if (event) {
        if (paused && queue.length < maxQueuedEvents / 2) {
          paused = false;
          socket.resume();
        }
        if (event.type === 'error') throw agentError(event.error);
        yield event;
        if (event.type === 'done') return;
        continue;
      }
      if (failure) throw failure;
      if (closed) throw controller.signal.aborted ? abortedError() : truncatedError('WebSocket');
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    controller.signal.removeEventListener('abort', onAbort);
    if (socket.readyState === WebSocket.OPEN) {
      // Tell the agent explicitly, then close: either one alone makes it abort the upstream request.
      socket.send(JSON.stringify({ type: 'cancel' }));
      socket.close(1000);
    } else if (socket.readyState === WebSocket.CONNECTING) {
      socket.terminate();
    }
  }
}

/**
 * Streams one reply from the rxllm agent as an async iterable of its events (`start`, `text`, `reasoning`,
 * `tool-call`, `usage`, `finish`, then `done`). Cold: each iteration makes one request; breaking out of the loop or
 * aborting `signal` cancels it, and the agent then aborts its upstream request. Every failure is thrown as an
 * `LLMError`: an HTTP error status, an `error` event mid-stream (after the text already yielded), an unreachable
 * agent (`details.unreachable`), a stream that ends without `done` (`details.truncated`), or `aborted`.
 *
 * @example
 * ```ts
 * import { streamChat } from '@rxllm/client';
 *
 * for await (const event of streamChat({ url: 'http://localhost:8080', prompt: 'Tell me a story about AI' })) {
 *   if (event.type === 'text') process.stdout.write(event.text);
 * }
 * ```
 */
export async function* streamChat(options: StreamChatOptions): AsyncGenerator<AgentEvent, void, undefined> {
  const controller = new AbortController();
  const forwardAbort = () => controller.abort();
  if (options.signal?.aborted) throw abortedError();
  options.signal?.addEventListener('abort', forwardAbort, { once: true });
  try {
    if (options.transport === 'ws') yield* streamOverWebSocket(options, controller);
    else yield* streamOverSse(options, controller);
  } finally {
    options.signal?.removeEventListener('abort', forwardAbort);
    // Closes the HTTP connection when the consumer stops early, so the agent sees the disconnect.
    controller.abort();
  }
}
