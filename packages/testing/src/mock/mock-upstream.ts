import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { listenOnLoopback } from '../listen-on-loopback.js';
import { anthropicHttpError, anthropicMessage, anthropicStream } from './anthropic-dialect.js';
import type { MockUpstream, MockUpstreamOptions } from './api.js';
import { deliver } from './deliver.js';
import { jsonResponse, type RenderContext, type RenderedResponse, replayFrames } from './frames.js';
import { geminiContent, geminiHttpError, geminiStream } from './gemini-dialect.js';
import { openaiCompletion, openaiHttpError, openaiModels, openaiStream } from './openai-dialect.js';
import { openaiResponse, openaiResponsesStream } from './openai-responses-dialect.js';
import { requestShapeProblem } from './request-shapes.js';
import { type Route, routeOf, vendorOf } from './routes.js';
import type { MockScript, RecordedRequest } from './script.js';

/**
 * The script used when nothing else is queued: a short `Hello, world!` stream.
 *
 * @example
 * ```ts
 * mock.enqueue({ ...DEFAULT_MOCK_SCRIPT, delivery: { split: 1 } });
 * ```
 */
export const DEFAULT_MOCK_SCRIPT: MockScript = {
  events: [
    { type: 'text', text: 'Hello' },
    { type: 'text', text: ', world' },
    { type: 'text', text: '!' },
  ],
};

const MAX_REQUEST_BODY_BYTES = 16 * 1024 * 1024;

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BODY_BYTES) {
        reject(new Error('request body too large for the mock upstream'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const stringField = (body: unknown, name: string): string | undefined => {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
};

function render(route: Route, script: MockScript, context: RenderContext): RenderedResponse {
  const replay = (contentType: string): RenderedResponse => ({
    status: 200,
    headers: { 'content-type': contentType, 'cache-control': 'no-cache', ...script.headers },
    frames: replayFrames(script.replay!),
  });
  switch (route.kind) {
    case 'openai-chat':
      if (script.httpError) return openaiHttpError(script, context);
      if (script.replay !== undefined) return replay('text/event-stream; charset=utf-8');
      return context.stream ? openaiStream(script, context) : openaiCompletion(script, context);
    case 'anthropic-messages':
      if (script.httpError) return anthropicHttpError(script, context);
      if (script.replay !== undefined) return replay('text/event-stream; charset=utf-8');
      return context.stream ? anthropicStream(script, context) : anthropicMessage(script, context);
    case 'gemini':
      if (script.httpError) return geminiHttpError(script);
      if (script.replay !== undefined) return replay('text/event-stream');
      return route.streaming ? geminiStream(script, context, route.sse) : geminiContent(script, context);
    case 'openai-responses':
      if (script.httpError) return openaiHttpError(script, context);
      if (script.replay !== undefined) return replay('text/event-stream; charset=utf-8');
      return context.stream ? openaiResponsesStream(script, context) : openaiResponse(script, context);
    case 'openai-models':
      return openaiModels();
    case 'unknown':
      return jsonResponse(404, {
        error: { message: 'Not found: no such route on the rxllm mock upstream', type: 'not_found' },
      });
  }
}

/** What the request handler knows of a request before its script is chosen. */
interface ArrivedRequest {
  index: number;
  route: Route;
  body: unknown;
  receivedAt: number;
}

/**
 * The record of one request. Its `closed`, `finishedAt` and `closedEarlyAt` follow the response; `markDropped` says
 * that the mock cut the line itself (so the close is not the client's).
 */
function recordRequest(
  request: IncomingMessage,
  response: ServerResponse,
  arrived: ArrivedRequest,
): { record: RecordedRequest; markDropped: () => void } {
  let markClosed: () => void = () => undefined;
  const record: RecordedRequest = {
    index: arrived.index,
    method: request.method ?? 'GET',
    path: request.url ?? '/',
    vendor: vendorOf(arrived.route),
    headers: { ...request.headers },
    body: arrived.body,
    receivedAt: arrived.receivedAt,
    closed: new Promise<void>((resolve) => {
      markClosed = resolve;
    }),
  };
  let dropped = false;
  response.on('close', () => {
    if (!response.writableFinished && !dropped) record.closedEarlyAt = performance.now();
    markClosed();
  });
  response.on('finish', () => {
    record.finishedAt = performance.now();
  });
  const markDropped = () => {
    dropped = true;
    record.droppedAt = performance.now();
  };
  return { record, markDropped };
}

function renderContext(route: Route, body: unknown, sequence: number): RenderContext {
  return {
    sequence,
    requestedModel: route.kind === 'gemini' ? route.model : stringField(body, 'model'),
    body,
    stream: (body as { stream?: unknown } | undefined)?.stream === true,
  };
}

/** Callers of `waitForRequests`, each resolved once the log holds as many requests as it asked for. */
class RequestWaiters {
  private readonly waiting: Array<{
    count: number;
    resolve: (value: readonly RecordedRequest[]) => void;
    reject: (error: Error) => void;
  }> = [];

  constructor(private readonly requests: readonly RecordedRequest[]) {}

  notify(): void {
    for (const waiter of [...this.waiting]) {
      if (this.requests.length >= waiter.count) {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        waiter.resolve(this.requests);
      }
    }
  }

  wait(count: number, closing: boolean): Promise<readonly RecordedRequest[]> {
    return new Promise((resolve, reject) => {
      if (this.requests.length >= count) resolve(this.requests);
      else if (closing) reject(new Error('the mock upstream is closed'));
      else this.waiting.push({ count, resolve, reject });
    });
  }

  rejectAll(): void {
    for (const waiter of this.waiting.splice(0)) waiter.reject(new Error('the mock upstream was closed'));
  }
}

/**
 * Starts a wire-level mock of the OpenAI, Anthropic and Gemini streaming APIs on 127.0.0.1. Each request takes a
 * script (from `respond`, else the queue, else the default) and gets it rendered byte-exactly in its vendor's dialect,
 * with the delivery faults the script asks for.
 *
 * @example
 * ```ts
 * const mock = await mockUpstream();
 * mock.enqueue({ events: [{ type: 'text', text: 'Hi' }], delivery: { split: 1 } });
 * const client = new OpenAI({ apiKey: 'test', baseURL: mock.baseURLs.openai, maxRetries: 0 });
 * const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [], stream: true });
 * for await (const chunk of stream) console.log(chunk.choices[0]?.delta.content);
 * await mock.close();
 * ```
 */
export async function mockUpstream(options: MockUpstreamOptions = {}): Promise<MockUpstream> {
  const requests: RecordedRequest[] = [];
  const queue: MockScript[] = [];
  const sockets = new Set<Socket>();
  const waiters = new RequestWaiters(requests);
  let sequence = 0;
  let closing = false;

  const scriptFor = (route: Route, record: RecordedRequest): MockScript => {
    if (route.kind === 'openai-models' || route.kind === 'unknown') return {};
    return options.respond?.(record) ?? queue.shift() ?? options.defaultScript ?? DEFAULT_MOCK_SCRIPT;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const receivedAt = performance.now();
    const route = routeOf(request.method ?? 'GET', new URL(request.url ?? '/', 'http://127.0.0.1'));
    const body = parseBody(await readBody(request));
    const { record, markDropped } = recordRequest(request, response, {
      index: requests.length,
      route,
      body,
      receivedAt,
    });
    const rejected = requestShapeProblem(route, body);
    if (rejected !== undefined) record.rejected = rejected;
    sequence += 1;
    requests.push(record);
    waiters.notify();

    const script: MockScript =
      rejected === undefined ? scriptFor(route, record) : { httpError: { status: 400, message: rejected } };
    const rendered = render(route, script, renderContext(route, body, sequence));
    const outcome = await deliver(response, rendered, script.delivery ?? {}, route.kind === 'gemini' ? 'crlf' : 'lf');
    if (outcome === 'dropped') markDropped();
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch(() => {
      // A body that could not be read or a socket that died mid-write: the connection is gone either way.
      response.destroy();
    });
  });
  server.on('connection', (socket) => {
    if (closing) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  const port = await listenOnLoopback(server, options.port ?? 0);
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    port,
    baseURLs: { openai: `${url}/v1`, anthropic: url, gemini: url },
    requests,
    enqueue: (...scripts) => {
      queue.push(...scripts);
    },
    waitForRequests: (count) => waiters.wait(count, closing),
    openConnections: () => sockets.size,
    reset: () => {
      requests.length = 0;
      queue.length = 0;
      sequence = 0;
    },
    close: async () => {
      closing = true;
      waiters.rejectAll();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
