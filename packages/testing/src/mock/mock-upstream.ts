import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { anthropicHttpError, anthropicMessage, anthropicStream } from './anthropic-dialect.js';
import type { MockUpstream, MockUpstreamOptions } from './api.js';
import { deliver } from './deliver.js';
import { jsonResponse, type RenderContext, type RenderedResponse, replayFrames } from './frames.js';
import { geminiContent, geminiHttpError, geminiStream } from './gemini-dialect.js';
import { openaiCompletion, openaiHttpError, openaiModels, openaiStream } from './openai-dialect.js';
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
      // The Responses API is served from recordings only: its event grammar is not rendered from scripts.
      if (script.httpError) return openaiHttpError(script, context);
      if (script.replay !== undefined) return replay('text/event-stream; charset=utf-8');
      return jsonResponse(501, {
        error: {
          message: 'The mock serves /v1/responses from `replay` only',
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      });
    case 'openai-models':
      return openaiModels();
    case 'unknown':
      return jsonResponse(404, {
        error: { message: 'Not found: no such route on the rxllm mock upstream', type: 'not_found' },
      });
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
  const waiters: Array<{
    count: number;
    resolve: (value: readonly RecordedRequest[]) => void;
    reject: (error: Error) => void;
  }> = [];
  let sequence = 0;
  let closing = false;

  const notifyWaiters = () => {
    for (const waiter of [...waiters]) {
      if (requests.length >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(requests);
      }
    }
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const receivedAt = performance.now();
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const route = routeOf(request.method ?? 'GET', url);
    const text = await readBody(request);
    const body = parseBody(text);
    let markClosed: () => void = () => undefined;
    const record: RecordedRequest = {
      index: requests.length,
      method: request.method ?? 'GET',
      path: request.url ?? '/',
      vendor: vendorOf(route),
      headers: { ...request.headers },
      body,
      receivedAt,
      closed: new Promise<void>((resolve) => {
        markClosed = resolve;
      }),
    };
    sequence += 1;
    requests.push(record);
    let dropped = false;
    response.on('close', () => {
      if (!response.writableFinished && !dropped) record.closedEarlyAt = performance.now();
      markClosed();
    });
    response.on('finish', () => {
      record.finishedAt = performance.now();
    });
    notifyWaiters();

    const isChat = route.kind !== 'openai-models' && route.kind !== 'unknown';
    const script = isChat
      ? (options.respond?.(record) ?? queue.shift() ?? options.defaultScript ?? DEFAULT_MOCK_SCRIPT)
      : {};
    const context: RenderContext = {
      sequence,
      requestedModel: route.kind === 'gemini' ? route.model : stringField(body, 'model'),
      body,
      stream: (body as { stream?: unknown } | undefined)?.stream === true,
    };
    const rendered = render(route, script, context);
    const outcome = await deliver(response, rendered, script.delivery ?? {}, route.kind === 'gemini' ? 'crlf' : 'lf');
    if (outcome === 'dropped') {
      dropped = true;
      record.droppedAt = performance.now();
    }
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

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port ?? 0, host: '127.0.0.1', backlog: 4096 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    port,
    baseURLs: { openai: `${url}/v1`, anthropic: url, gemini: url },
    requests,
    enqueue: (...scripts) => {
      queue.push(...scripts);
    },
    waitForRequests: (count) =>
      new Promise((resolve, reject) => {
        if (requests.length >= count) resolve(requests);
        else if (closing) reject(new Error('the mock upstream is closed'));
        else waiters.push({ count, resolve, reject });
      }),
    openConnections: () => sockets.size,
    reset: () => {
      requests.length = 0;
      queue.length = 0;
      sequence = 0;
    },
    close: async () => {
      closing = true;
      for (const waiter of waiters.splice(0)) waiter.reject(new Error('the mock upstream was closed'));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
