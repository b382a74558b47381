import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';
import { requestIdOf } from './scripted-text.js';

/** What the flood upstream saw of one flooded reply. */
export interface FloodRecord {
  requestId: string;
  /** Body bytes written to the socket (the socket took them: writes wait for `drain`). */
  bytesSent: number;
  /** Text events written. */
  eventsSent: number;
  /** The agent closed the connection before the reply ended (it aborted the upstream request). */
  closedEarly: boolean;
  /** The reply reached its byte cap and ended normally. */
  finished: boolean;
}

export interface FloodUpstream {
  url: string;
  /** Every flooded reply, in arrival order. */
  floods: FloodRecord[];
  /** Called when a flooded reply ends, either way. */
  onFloodEnd(listener: (record: FloodRecord) => void): void;
  close(): Promise<void>;
}

export interface FloodUpstreamOptions {
  /** Where every request that is not flooded goes, unchanged (the `@rxllm/testing` mock upstream). */
  target: string;
  /** Which request ids get a flood instead of the target's reply. */
  isFlood(requestId: string): boolean;
  /** A flood ends normally after this many body bytes (a bound for a run whose agent never gives up). */
  maxBytesPerReply: number;
  /** The `delta.content` of every flooded event; short text means many events per byte (the costly case). */
  eventText?: string;
}

const completionChunk = (delta: Record<string, unknown>, finishReason: string | null = null) =>
  `data: ${JSON.stringify({
    id: 'chatcmpl-flood',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'gpt-4o-mini',
    system_fingerprint: 'fp_flood',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  })}\n\n`;

/** About 64 KiB of identical OpenAI text events, written again and again (one shared buffer: no copy per write). */
function floodBlock(eventText: string): { block: Buffer; eventsPerBlock: number } {
  const event = completionChunk({ content: eventText });
  const eventsPerBlock = Math.max(1, Math.floor((64 * 1024) / Buffer.byteLength(event)));
  return { block: Buffer.from(event.repeat(eventsPerBlock), 'utf8'), eventsPerBlock };
}

const floodTail =
  completionChunk({}, 'stop') +
  `data: ${JSON.stringify({
    id: 'chatcmpl-flood',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'gpt-4o-mini',
    choices: [],
    usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
  })}\n\ndata: [DONE]\n\n`;

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.once('end', () => resolve(Buffer.concat(parts)));
    request.once('error', reject);
  });
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return body.toString('utf8');
  }
}

/** Writes `block` until the socket stops taking it, then waits for `drain`; false once the connection is gone. */
function writeWhenTaken(response: ServerResponse, block: Buffer): Promise<boolean> {
  if (response.destroyed) return Promise.resolve(false);
  if (response.write(block)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const settle = (taken: boolean) => {
      response.off('drain', onDrain);
      response.off('close', onClose);
      resolve(taken);
    };
    const onDrain = () => settle(true);
    const onClose = () => settle(false);
    response.once('drain', onDrain);
    response.once('close', onClose);
  });
}

/**
 * An OpenAI-dialect upstream with no rate limit: a flooded reply is text events written as fast as the agent's
 * socket takes them (each write waits only for `drain`), until the agent closes the connection or `maxBytesPerReply`
 * is reached. Every other request is passed through to `target`, so ordinary streams keep the mock's exact script.
 *
 * @example
 * ```ts
 * const upstream = await floodUpstream({ target: mock.url, isFlood: (id) => id.startsWith('flood-'), maxBytesPerReply: 2 ** 28 });
 * const agent = await startChildAgent({ env: vendorEnv(upstream.url), scanner });
 * ```
 */
export async function floodUpstream(options: FloodUpstreamOptions): Promise<FloodUpstream> {
  const { block, eventsPerBlock } = floodBlock(options.eventText ?? 'flood text flood text flood text');
  const floods: FloodRecord[] = [];
  const listeners: Array<(record: FloodRecord) => void> = [];
  const sockets = new Set<Socket>();

  const flood = async (requestId: string, response: ServerResponse) => {
    const record: FloodRecord = { requestId, bytesSent: 0, eventsSent: 0, closedEarly: false, finished: false };
    floods.push(record);
    response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    response.write(completionChunk({ role: 'assistant', content: '', refusal: null }));
    while (record.bytesSent < options.maxBytesPerReply) {
      if (!(await writeWhenTaken(response, block))) break;
      record.bytesSent += block.length;
      record.eventsSent += eventsPerBlock;
    }
    if (record.bytesSent >= options.maxBytesPerReply && !response.destroyed) {
      response.end(floodTail);
      record.finished = true;
    } else {
      record.closedEarly = true;
    }
    for (const listener of listeners) listener(record);
  };

  const passThrough = (request: IncomingMessage, body: Buffer, response: ServerResponse) => {
    const forwarded = httpRequest(
      `${options.target}${request.url ?? '/'}`,
      { method: request.method, headers: request.headers },
      (upstream) => {
        response.writeHead(upstream.statusCode ?? 502, upstream.headers);
        upstream.pipe(response);
      },
    );
    forwarded.on('error', () => response.destroy());
    response.once('close', () => forwarded.destroy());
    forwarded.end(body);
  };

  const server: Server = createServer((request, response) => {
    readBody(request).then(
      (body) => {
        const requestId = requestIdOf(parseJson(body));
        if (requestId !== undefined && options.isFlood(requestId) && request.url?.endsWith('/chat/completions')) {
          return flood(requestId, response);
        }
        passThrough(request, body, response);
      },
      () => response.destroy(),
    );
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', backlog: 1024 }, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    floods,
    onFloodEnd: (listener) => listeners.push(listener),
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
