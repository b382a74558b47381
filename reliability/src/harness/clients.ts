import { performance } from 'node:perf_hooks';
import { createParser } from 'eventsource-parser';
import { type Dispatcher, request } from 'undici';
import WebSocket from 'ws';
import type { SeenEvent } from './verify.js';

/** What a client read from one HTTP reply. */
export interface ClientReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** SSE events, in arrival order (empty for a JSON reply). */
  events: SeenEvent[];
  /** The whole body as text (scanned for secrets). */
  raw: string;
  /** Set when the connection failed while reading (reset, closed mid-body). */
  readError: string | undefined;
  /** `performance.now()` when the reply ended. */
  endedAt: number;
}

export interface PostOptions {
  dispatcher?: Dispatcher;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Called for every SSE event; return true to stop reading (the request is then aborted). */
  onEvent?(event: SeenEvent, events: readonly SeenEvent[]): boolean | undefined;
  /** Give up reading after this long (a hung stream fails the test instead of the test timeout). */
  deadlineMs?: number;
}

function parseData(data: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(data) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : { value: parsed };
  } catch {
    return { unparsable: data };
  }
}

/**
 * POSTs a JSON body and reads the reply; an SSE reply is parsed with eventsource-parser as it arrives.
 *
 * @example
 * ```ts
 * const reply = await postChat(`${agent.url}/chat`, { message: 'Hi' });
 * verifyTranscript(reply.events);
 * ```
 */
export async function postChat(url: string, body: unknown, options: PostOptions = {}): Promise<ClientReply> {
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const deadline = options.deadlineMs
    ? setTimeout(
        () => controller.abort(new Error(`no end within ${options.deadlineMs} ms (hung stream)`)),
        options.deadlineMs,
      )
    : undefined;
  const events: SeenEvent[] = [];
  let raw = '';
  let readError: string | undefined;
  let status = 0;
  let headers: ClientReply['headers'] = {};
  try {
    const response = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...options.headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      signal: controller.signal,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    });
    status = response.statusCode;
    headers = response.headers;
    const isSse = String(response.headers['content-type'] ?? '').startsWith('text/event-stream');
    let stop = false;
    const parser = createParser({
      onEvent(message) {
        const event: SeenEvent = {
          id: message.id === undefined ? undefined : Number(message.id),
          type: message.event ?? 'message',
          data: parseData(message.data),
          at: performance.now(),
        };
        events.push(event);
        if (options.onEvent?.(event, events)) stop = true;
      },
    });
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body) {
        const text = decoder.decode(chunk as Buffer, { stream: true });
        raw += text;
        if (isSse) parser.feed(text);
        if (stop) {
          controller.abort(new Error('client stopped reading'));
          break;
        }
      }
    } catch (error) {
      readError = error instanceof Error ? error.message : String(error);
    }
  } catch (error) {
    readError = error instanceof Error ? error.message : String(error);
  } finally {
    if (deadline) clearTimeout(deadline);
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
  return { status, headers, events, raw, readError, endedAt: performance.now() };
}

/** What a WebSocket client saw of one generation. */
export interface SocketReply {
  events: SeenEvent[];
  raw: string[];
  /** Close code if the server closed the socket. */
  closeCode: number | undefined;
  error: string | undefined;
  endedAt: number;
}

export interface SocketOptions {
  headers?: Record<string, string>;
  deadlineMs?: number;
  onEvent?(event: SeenEvent, socket: WebSocket): boolean | undefined;
  /** Keep the socket open after the terminal frame (default: close it). */
  keepOpen?: boolean;
  /** After the terminal frame, wait for the server to close the socket (to read its close code). */
  waitForClose?: boolean;
}

/**
 * Opens `/ws`, sends one chat body and collects frames until `done`/`error`, a close, or the deadline.
 *
 * @example
 * ```ts
 * const reply = await socketChat(agent.url, { message: 'Hi' });
 * ```
 */
export function socketChat(baseUrl: string, body: unknown, options: SocketOptions = {}): Promise<SocketReply> {
  return new Promise((resolve) => {
    const events: SeenEvent[] = [];
    const raw: string[] = [];
    let closeCode: number | undefined;
    let error: string | undefined;
    let settled = false;
    const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws`, {
      ...(options.headers ? { headers: options.headers } : {}),
    });
    const settle = () => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      if (!options.keepOpen && socket.readyState !== WebSocket.CLOSED) socket.terminate();
      resolve({ events, raw, closeCode, error, endedAt: performance.now() });
    };
    const deadline = setTimeout(() => {
      error = `no end within ${options.deadlineMs ?? 30_000} ms (hung stream)`;
      settle();
    }, options.deadlineMs ?? 30_000);
    socket.on('open', () => socket.send(typeof body === 'string' ? body : JSON.stringify(body)));
    socket.on('message', (data) => {
      const text = data.toString();
      raw.push(text);
      const parsed = parseData(text);
      const event: SeenEvent = {
        id: typeof parsed.id === 'number' ? parsed.id : undefined,
        type: String(parsed.type),
        data: parsed,
        at: performance.now(),
      };
      events.push(event);
      if (options.onEvent?.(event, socket)) return settle();
      if ((event.type === 'done' || event.type === 'error') && !options.waitForClose) settle();
    });
    socket.on('close', (code) => {
      closeCode = code;
      settle();
    });
    socket.on('error', (failure) => {
      error = failure.message;
      // A close code may still follow an error (ws emits 'close' after 'error'): wait for it when asked to.
      if (!options.waitForClose) settle();
    });
  });
}
