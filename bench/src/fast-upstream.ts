import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { anthropicStream, openAIStream, type StreamBytes, type StreamShape, shapeFromModel } from './wire.js';

/**
 * A minimal upstream for the benchmarks: raw `node:http`, precomputed bytes, one `write` per event, backpressure
 * honoured. `@rxllm/testing`'s mock renders every event from a script (flexible, made for misbehaviour); here the
 * upstream must cost as little as possible so that the numbers are about the client or the gateway.
 * `POST /v1/chat/completions` answers in the OpenAI dialect, `POST /v1/messages` in the Anthropic one; the request's
 * `model` (`bench-<textEvents>-<delayMs>`) says how long the stream is and how it is paced.
 */
export interface FastUpstream {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /** Requests answered so far (handy to check a gateway really went upstream). */
  requests(): number;
  /** TCP connections accepted so far: requests / connections tells whether a gateway reuses upstream connections. */
  connections(): number;
  close(): Promise<void>;
}

const DEFAULT_SHAPE: StreamShape = { textEvents: 32, delayMs: 0 };

export async function startFastUpstream(options: { port?: number } = {}): Promise<FastUpstream> {
  const cache = new Map<string, StreamBytes>();
  let requestCount = 0;
  let connectionCount = 0;

  const bytesFor = (vendor: 'openai' | 'anthropic', model: string, includeUsage: boolean, textEvents: number) => {
    const key = `${vendor}|${model}|${includeUsage}|${textEvents}`;
    let bytes = cache.get(key);
    if (!bytes) {
      bytes = vendor === 'openai' ? openAIStream(model, includeUsage, textEvents) : anthropicStream(model, textEvents);
      if (cache.size > 256) cache.clear();
      cache.set(key, bytes);
    }
    return bytes;
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      requestCount += 1;
      const path = request.url ?? '';
      const vendor = path.endsWith('/chat/completions')
        ? 'openai'
        : path.endsWith('/messages')
          ? 'anthropic'
          : undefined;
      if (request.method !== 'POST' || vendor === undefined) {
        response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
        return;
      }
      let body: { model?: unknown; stream_options?: { include_usage?: unknown } } = {};
      try {
        body = JSON.parse(Buffer.concat(parts).toString('utf8'));
      } catch {
        // A malformed body still gets the default stream: the bench never sends one.
      }
      const shape = shapeFromModel(body.model, DEFAULT_SHAPE);
      const model = typeof body.model === 'string' ? body.model : 'bench-32-0';
      const bytes = bytesFor(vendor, model, body.stream_options?.include_usage === true, shape.textEvents);
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        ...(vendor === 'openai' ? { 'x-request-id': 'req_bench' } : { 'request-id': 'req_bench' }),
      });
      sendStream(response, bytes, shape);
    });
  });
  server.on('connection', () => {
    connectionCount += 1;
  });
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 125_000;
  server.requestTimeout = 0;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    requests: () => requestCount,
    connections: () => connectionCount,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function sendStream(response: ServerResponse, bytes: StreamBytes, shape: StreamShape): void {
  const total = bytes.head.length + shape.textEvents + bytes.tail.length;
  const eventAt = (index: number): Buffer => {
    if (index < bytes.head.length) return bytes.head[index]!;
    const textIndex = index - bytes.head.length;
    if (textIndex < shape.textEvents) return bytes.textCycle[textIndex % bytes.textCycle.length]!;
    return bytes.tail[textIndex - shape.textEvents]!;
  };
  let next = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  response.on('close', () => {
    closed = true;
    if (timer) clearTimeout(timer);
  });

  if (shape.delayMs === 0) {
    const pump = (): void => {
      while (!closed && next < total) {
        const writable = response.write(eventAt(next));
        next += 1;
        if (!writable && next < total) {
          response.once('drain', pump);
          return;
        }
      }
      if (!closed) response.end();
    };
    pump();
    return;
  }

  // Paced: the head (role / message_start) goes at once, then one text event every `delayMs`, then the tail.
  while (next < bytes.head.length) response.write(eventAt(next++));
  const tick = (): void => {
    timer = undefined;
    if (closed) return;
    response.write(eventAt(next++));
    if (next - bytes.head.length < shape.textEvents) {
      timer = setTimeout(tick, shape.delayMs);
      return;
    }
    while (next < total) response.write(eventAt(next++));
    response.end();
  };
  if (shape.textEvents === 0) {
    while (next < total) response.write(eventAt(next++));
    response.end();
  } else {
    timer = setTimeout(tick, shape.delayMs);
  }
}
