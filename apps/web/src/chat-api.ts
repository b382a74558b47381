import { readServerSentEvents } from './server-sent-events.js';

/** One turn of the conversation, kept in the page and sent whole with every request. */
export interface ChatMessage {
  role: 'user' | 'assistant' | 'system';
  content: string;
}

/** Token counts as the agent forwards them from the vendor. */
export interface ChatUsage {
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  reasoningTokens?: number;
}

/** What the agent measured, sent in the `done` event. */
export interface ServerMetrics {
  ttftMs: number | null;
  chunks: number;
  chars: number;
  durationMs: number;
}

/** The agent's chat events (a core `Chunk`, then `done` or `error`), as the page uses them. */
export type ChatEvent =
  | { type: 'start'; provider: string; model: string; id?: string; streamId?: string }
  | { type: 'text'; text: string }
  | { type: 'reasoning'; text: string }
  | { type: 'tool-call'; index: number; id?: string; name?: string; argumentsDelta: string }
  | { type: 'usage'; usage: ChatUsage }
  | { type: 'finish'; reason: string; rawReason?: string }
  | { type: 'done'; metrics?: ServerMetrics }
  | { type: 'error'; error: { kind: string; message: string } };

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
  let reported: { kind?: unknown; message?: unknown } | undefined;
  try {
    reported = ((await response.json()) as { error?: typeof reported }).error;
  } catch {
    reported = undefined;
  }
  const kind = typeof reported?.kind === 'string' ? reported.kind : response.status === 401 ? 'auth' : 'unknown';
  const message =
    typeof reported?.message === 'string' && reported.message !== ''
      ? reported.message
      : `the agent answered HTTP ${response.status}`;
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

/** What to ask: the whole conversation, and optionally which provider and model. */
export interface ChatRequest extends RequestOptions {
  messages: ChatMessage[];
  provider?: string;
  model?: string;
}

/**
 * Streams one reply: `POST /chat` read as Server-Sent Events. Yields every event up to `done`; throws a
 * {@link ChatError} for an HTTP error, an `error` event (after the text already yielded), a stream that ends without
 * `done`, or `aborted` when `signal` fires (the fetch is aborted, so the agent aborts its upstream request).
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * for await (const event of streamChat({ messages: [{ role: 'user', content: 'Hi' }], signal: controller.signal })) {
 *   if (event.type === 'text') output.textContent += event.text;
 * }
 * ```
 */
export async function* streamChat(chat: ChatRequest): AsyncGenerator<ChatEvent> {
  const body = {
    messages: chat.messages,
    ...(chat.provider ? { provider: chat.provider } : {}),
    ...(chat.model ? { model: chat.model } : {}),
  };
  const response = await request(
    '/chat',
    {
      method: 'POST',
      headers: headers(chat, { 'content-type': 'application/json', accept: 'text/event-stream' }),
      body: JSON.stringify(body),
    },
    chat,
  );
  if (!response.body) throw new ChatError('unknown', 'the agent sent no body');
  try {
    for await (const message of readServerSentEvents(response.body)) {
      let event: ChatEvent;
      try {
        event = JSON.parse(message.data) as ChatEvent;
      } catch {
        throw new ChatError('unknown', 'the agent sent an event that is not JSON');
      }
      if (event.type === 'error') throw new ChatError(event.error.kind, event.error.message);
      yield event;
      if (event.type === 'done') return;
    }
  } catch (error) {
    if (error instanceof ChatError) throw error;
    if (chat.signal?.aborted) throw new ChatError('aborted', 'stopped');
    throw new ChatError('network', `the connection to the agent broke (${(error as Error).message})`);
  }
  if (chat.signal?.aborted) throw new ChatError('aborted', 'stopped');
  throw new ChatError('network', 'the stream ended before the reply was complete');
}

/** One second of the agent's live numbers, from `GET /stats/stream`. */
export interface StatsSample {
  time: number | string;
  activeStreams: number;
  streamsStarted: number;
  streamsCompleted: number;
  streamsFailed: number;
  ttftMsP50: number | null;
  ttftMsP95: number | null;
  chunksPerSecond: number;
  charsPerSecond: number;
}

/**
 * Follows the agent's live statistics (one sample per second) until `signal` fires or the stream ends.
 *
 * @example
 * ```ts
 * for await (const sample of followStats({ signal })) dashboard.push(sample);
 * ```
 */
export async function* followStats(options: RequestOptions = {}): AsyncGenerator<StatsSample> {
  const response = await request(
    '/stats/stream',
    { headers: headers(options, { accept: 'text/event-stream' }) },
    options,
  );
  if (!response.body) return;
  for await (const message of readServerSentEvents(response.body)) {
    try {
      yield JSON.parse(message.data) as StatsSample;
    } catch {
      // A malformed sample is skipped: the dashboard is informative, not authoritative.
    }
  }
}
