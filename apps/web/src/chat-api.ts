import {
  type AgentEvent,
  type ChatMessage,
  ProtocolError,
  parseErrorBody,
  type ReceivedEvent,
  readAgentEvents,
  readStatsSnapshots,
  type StatsSnapshot,
  type ToolApprovalBody,
} from '@rxllm/protocol';

// The events, the conversation and the stats sample are the agent's wire protocol, shared with it and the CLI.
export type { ChatMessage, ToolApprovalBody } from '@rxllm/protocol';

/**
 * A failure talking to the agent, shaped like the agent's `{error:{kind,message}}`: `kind` is an `LLMError` kind
 * (or `shutdown`, `slow-consumer`, `network`, `aborted`), `status` the HTTP status when there was one.
 *
 * @example
 * ```ts
 * try { await fetchModels(); } catch (error) { if (error instanceof ChatError && error.status === 401) askForKey(); }
 * ```
 */
export class ChatError extends Error {
  override readonly name = 'ChatError';
  constructor(
    readonly kind: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** A model the agent offers, from `GET /v1/models` (`owned_by` is the provider name). */
export interface ModelOption {
  id: string;
  provider: string;
}

/** Options shared by every request: the optional agent key and a cancel signal. */
export interface RequestOptions {
  apiKey?: string;
  signal?: AbortSignal;
}

function headers(options: RequestOptions, extra: Record<string, string> = {}): Record<string, string> {
  return { ...extra, ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) };
}

async function errorFromResponse(response: Response): Promise<ChatError> {
  const { kind, message } = parseErrorBody(await response.text().catch(() => ''), response.status);
  return new ChatError(kind, message, response.status);
}

async function request(path: string, init: RequestInit, options: RequestOptions): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, { ...init, ...(options.signal ? { signal: options.signal } : {}) });
  } catch (error) {
    if (options.signal?.aborted) throw new ChatError('aborted', 'stopped');
    throw new ChatError('network', `cannot reach the agent (${(error as Error).message})`);
  }
  if (!response.ok) throw await errorFromResponse(response);
  return response;
}

/**
 * The models the agent offers, in its order (the first is the default).
 *
 * @example
 * ```ts
 * const models = await fetchModels({ apiKey });
 * select.replaceChildren(...models.map((model) => new Option(`${model.id} (${model.provider})`)));
 * ```
 */
export async function fetchModels(options: RequestOptions = {}): Promise<ModelOption[]> {
  const response = await request('/v1/models', { headers: headers(options) }, options);
  const body = (await response.json()) as { data?: Array<{ id?: unknown; owned_by?: unknown }> };
  return (body.data ?? [])
    .filter((entry) => typeof entry.id === 'string')
    .map((entry) => ({ id: entry.id as string, provider: typeof entry.owned_by === 'string' ? entry.owned_by : '' }));
}

/** Where a reply stands in its stream: enough to pick it up again after a reload or a dropped connection. */
export interface StreamPosition {
  streamId: string;
  /** The last event id received (0: none yet); the agent replays every event after it. */
  lastEventId: number;
}

/** How a dropped connection is retried (`GET /chat/:streamId` with `Last-Event-ID`). */
export interface ReconnectOptions {
  /** Reconnections in a row without a new event before giving up (default 5). */
  attempts?: number;
  /** First wait, doubled each time (default 250 ms), up to `maxDelayMs` (default 2000 ms). */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Called before each wait, e.g. to show "reconnecting…". */
  onReconnect?: (attempt: number, delayMs: number) => void;
}

/** What to ask: the whole conversation, and optionally which provider and model. */
export interface ChatRequest extends RequestOptions {
  messages: ChatMessage[];
  provider?: string;
  model?: string;
  /** Continue this stream (`GET /chat/:streamId`) instead of starting a reply; `messages` are then not sent. */
  resumeFrom?: StreamPosition;
  /** Retry a dropped connection from the last event (default on); `false` to fail at once. */
  reconnect?: ReconnectOptions | false;
  /** Called once with the stream id, as soon as the agent tells it (`X-Stream-Id` or the `start` event). */
  onStreamId?: (streamId: string) => void;
}

function streamPath(streamId: string, suffix = ''): string {
  return `/chat/${encodeURIComponent(streamId)}${suffix}`;
}

function sleep(milliseconds: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, milliseconds);
    signal?.addEventListener('abort', done, { once: true });
  });
}

async function openReply(chat: ChatRequest, streamId: string | undefined, lastEventId: number | undefined) {
  if (streamId !== undefined) {
    return request(
      streamPath(streamId),
      {
        headers: headers(chat, {
          accept: 'text/event-stream',
          ...(lastEventId ? { 'last-event-id': String(lastEventId) } : {}),
        }),
      },
      chat,
    );
  }
  const body = {
    messages: chat.messages,
    ...(chat.provider ? { provider: chat.provider } : {}),
    ...(chat.model ? { model: chat.model } : {}),
  };
  return request(
    '/chat',
    {
      method: 'POST',
      headers: headers(chat, { 'content-type': 'application/json', accept: 'text/event-stream' }),
      body: JSON.stringify(body),
    },
    chat,
  );
}

/**
 * Streams one reply with each event's id: `POST /chat` (or, with `resumeFrom`, `GET /chat/:streamId` with
 * `Last-Event-ID`) read as Server-Sent Events, up to `done`. A dropped connection is retried from the last event id
 * with backoff (250 ms doubling to 2 s, 5 attempts), which only an agent with `RESUMABLE_STREAMS=true` can answer:
 * otherwise its 404 ends the retries at once. No event is yielded twice. Throws a {@link ChatError}: an HTTP error
 * (`not-found` with status 404 when the stream cannot be resumed), an `error` event, `network` when the connection
 * is lost for good, or `aborted` when `signal` fires.
 *
 * @example
 * ```ts
 * for await (const { id, event } of streamReply({ messages, signal, onStreamId: (streamId) => save(streamId) })) {
 *   if (event.type === 'text') output.textContent += event.text;
 *   lastEventId = id ?? lastEventId;
 * }
 * ```
 */
export async function* streamReply(chat: ChatRequest): AsyncGenerator<ReceivedEvent> {
  let streamId = chat.resumeFrom?.streamId;
  let lastEventId = chat.resumeFrom?.lastEventId;
  let resuming = chat.resumeFrom !== undefined;
  const policy =
    chat.reconnect === false
      ? undefined
      : { attempts: 5, initialDelayMs: 250, maxDelayMs: 2000, ...(chat.reconnect ?? {}) };
  const learnStreamId = (announced: unknown) => {
    if (typeof announced !== 'string' || announced === '' || streamId !== undefined) return;
    streamId = announced;
    chat.onStreamId?.(announced);
  };
  let failures = 0;
  while (true) {
    // An error the agent reported in the stream ends the reply: it is not a broken connection.
    let reported: ChatError | undefined;
    try {
      const response = await openReply(chat, resuming ? streamId : undefined, lastEventId);
      learnStreamId(response.headers.get('x-stream-id'));
      if (!response.body) throw new ChatError('unknown', 'the agent sent no body');
      for await (const { id, event } of readAgentEvents(response.body)) {
        if (id !== undefined) {
          // A replay may overlap what is already on screen: never show an event twice.
          if (lastEventId !== undefined && id <= lastEventId) continue;
          lastEventId = id;
        }
        if (event.type === 'start') learnStreamId(event.streamId);
        failures = 0;
        if (event.type === 'error') {
          reported = new ChatError(event.error.kind, event.error.message);
          throw reported;
        }
        yield { id, event };
        if (event.type === 'done') return;
      }
      throw new ChatError('network', 'the stream ended before the reply was complete');
    } catch (error) {
      if (chat.signal?.aborted) throw new ChatError('aborted', 'stopped');
      // Bytes that are not the agent's protocol end the reply like an error it reported: reconnecting cannot help.
      if (ProtocolError.isInstance(error)) throw new ChatError('unknown', error.message);
      const failure =
        error instanceof ChatError
          ? error
          : new ChatError('network', `the connection to the agent broke (${(error as Error).message})`);
      const reconnectable =
        failure !== reported &&
        streamId !== undefined &&
        (failure.kind === 'network' || (resuming && failure.status !== undefined && failure.status >= 500));
      if (!policy || !reconnectable || failures >= policy.attempts) throw failure;
      const delayMs = Math.min(policy.initialDelayMs * 2 ** failures, policy.maxDelayMs);
      failures += 1;
      policy.onReconnect?.(failures, delayMs);
      await sleep(delayMs, chat.signal);
      if (chat.signal?.aborted) throw new ChatError('aborted', 'stopped');
      resuming = true;
    }
  }
}

/**
 * Streams one reply's events (see {@link streamReply}, which also gives each event's id).
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * for await (const event of streamChat({ messages: [{ role: 'user', content: 'Hi' }], signal: controller.signal })) {
 *   if (event.type === 'text') output.textContent += event.text;
 * }
 * ```
 */
export async function* streamChat(chat: ChatRequest): AsyncGenerator<AgentEvent> {
  for await (const { event } of streamReply(chat)) yield event;
}

/**
 * Asks the agent to stop a generation for everyone (`POST /chat/:streamId/cancel`), bounded by `timeoutMs`
 * (default 1500). Resolves `cancelled` (202), `not-running` (404: finished, unknown, or an agent that does not keep
 * streams) or `failed` (anything else, network included); never throws.
 *
 * @example
 * ```ts
 * await cancelReply(streamId, { apiKey });
 * controller.abort();
 * ```
 */
export async function cancelReply(
  streamId: string,
  options: RequestOptions & { timeoutMs?: number } = {},
): Promise<'cancelled' | 'not-running' | 'failed'> {
  try {
    const response = await fetch(streamPath(streamId, '/cancel'), {
      method: 'POST',
      headers: headers(options),
      signal: AbortSignal.timeout(options.timeoutMs ?? 1500),
    });
    await response.body?.cancel();
    if (response.ok) return 'cancelled';
    return response.status === 404 ? 'not-running' : 'failed';
  } catch {
    return 'failed';
  }
}

/**
 * Sends a decision on a tool call that waits for one (`POST /chat/:streamId/approve`, JSON body
 * `{toolCallId, approved, reason?}`, the key as `Authorization: Bearer` when there is one), bounded by `timeoutMs`
 * (default 10000). Resolves `decided` (202), or `forwarded` when another instance of the agent runs the generation.
 * Throws a {@link ChatError}: the agent's answer for a refusal (`not-found` 404: no running generation;
 * `invalid-request` 409: that call is not waiting; 400: a bad body; 401: a key is needed), `network`, or `timeout`.
 *
 * @example
 * ```ts
 * await approveToolCall(streamId, { toolCallId: 'call_1', approved: false, reason: 'not that file' }, { apiKey });
 * ```
 */
export async function approveToolCall(
  streamId: string,
  decision: ToolApprovalBody,
  options: Pick<RequestOptions, 'apiKey'> & { timeoutMs?: number } = {},
): Promise<'decided' | 'forwarded'> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const body: ToolApprovalBody = {
    toolCallId: decision.toolCallId,
    approved: decision.approved,
    ...(decision.reason ? { reason: decision.reason } : {}),
  };
  let response: Response;
  try {
    response = await fetch(streamPath(streamId, '/approve'), {
      method: 'POST',
      headers: headers(options, { 'content-type': 'application/json' }),
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') {
      throw new ChatError('timeout', `the agent did not answer within ${timeoutMs / 1000} s`);
    }
    throw new ChatError('network', `cannot reach the agent (${(error as Error).message})`);
  }
  if (!response.ok) throw await errorFromResponse(response);
  const answer = (await response.json().catch(() => ({}))) as { forwarded?: unknown };
  return answer.forwarded === true ? 'forwarded' : 'decided';
}

/**
 * Follows the agent's live statistics (one sample per second) until `signal` fires or the stream ends.
 *
 * @example
 * ```ts
 * for await (const sample of followStats({ signal })) dashboard.push(sample);
 * ```
 */
export async function* followStats(options: RequestOptions = {}): AsyncGenerator<StatsSnapshot> {
  const response = await request(
    '/stats/stream',
    { headers: headers(options, { accept: 'text/event-stream' }) },
    options,
  );
  if (!response.body) return;
  // A malformed sample is skipped: the dashboard is informative, not authoritative.
  yield* readStatsSnapshots(response.body);
}
