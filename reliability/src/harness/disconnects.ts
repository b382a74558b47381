import { connect } from 'node:net';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MockUpstream, RecordedRequest } from '@rxllm/testing';
import WebSocket from 'ws';
import { percentile, round1 } from './results.js';
import { messageFor, requestIdOf } from './scripted-text.js';
import type { SecretScanner } from './secrets.js';

export interface DisconnectOptions {
  agentUrl: string;
  mock: MockUpstream;
  count: number;
  /** Latest disconnect, ms after the request was sent (disconnects are uniform in [0, this]). */
  maxDelayMs: number;
  scanner: SecretScanner;
  label: string;
  rampBatch?: number;
}

export interface DisconnectFigures {
  clients: number;
  sse: number;
  webSocket: number;
  /** Upstream requests that were still open when their client left, and how many of them the agent closed. */
  upstreamOpenAtDisconnect: number;
  upstreamClosed: number;
  /** Still open 5 s after their client left. */
  upstreamLeaked: number;
  /** Upstream requests that finished their whole stream although their client had gone. */
  upstreamRanToEnd: number;
  /** Upstream requests that arrived more than 50 ms after their client had gone. */
  startedAfterGone: number;
  /** The client left before any upstream request was made, and none came. */
  neverStarted: number;
  /** The stream had already ended (done) before the planned disconnect. */
  endedBeforeDisconnect: number;
  closeLatencyMs: { p50: number; p99: number; max: number };
  latencies: number[];
  /** Detail of each late start: when the client left and when the upstream request arrived. */
  lateStarts: Array<Record<string, unknown>>;
  /** Event-loop delay of the test process (clients and mock), which bounds the accuracy of the latencies. */
  clientProcessEventLoopDelayMs: { p50: number; p99: number; max: number };
}

interface Client {
  requestId: string;
  transport: 'sse' | 'websocket';
  goneAt: number;
  delayMs: number;
  endedFirst: boolean;
}

function sseClient(
  agentUrl: string,
  requestId: string,
  delayMs: number,
  reset: boolean,
  scanner: SecretScanner,
): Promise<Client> {
  const url = new URL(agentUrl);
  const body = JSON.stringify({ message: messageFor(requestId) });
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    let received = '';
    let endedFirst = false;
    socket.on('data', (data) => {
      received += data.toString();
      if (received.includes('event: done')) endedFirst = true;
    });
    socket.on('error', () => undefined);
    socket.once('connect', () => {
      socket.write(
        `POST /chat HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        () => {
          // Measured from the moment the whole request is on the wire.
          setTimeout(() => {
            const goneAt = performance.now();
            if (reset) socket.resetAndDestroy();
            else socket.destroy();
            scanner.body(received);
            resolve({ requestId, transport: 'sse', goneAt, delayMs, endedFirst });
          }, delayMs);
        },
      );
    });
  });
}

function socketClient(agentUrl: string, requestId: string, delayMs: number, scanner: SecretScanner): Promise<Client> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`${agentUrl.replace(/^http/, 'ws')}/ws`);
    let endedFirst = false;
    socket.on('error', () => undefined);
    socket.on('message', (data) => {
      const text = data.toString();
      scanner.body(text, 'websocket');
      if (text.includes('"type":"done"')) endedFirst = true;
    });
    socket.once('open', () => {
      socket.send(JSON.stringify({ message: messageFor(requestId) }), () => {
        setTimeout(() => {
          const goneAt = performance.now();
          socket.terminate();
          resolve({ requestId, transport: 'websocket', goneAt, delayMs, endedFirst });
        }, delayMs);
      });
    });
  });
}

/**
 * Half SSE (raw sockets: FIN or RST), half WebSocket (terminate) clients that leave at a random point, then checks
 * from the mock's own records that every upstream request was closed, how fast, and that none started late.
 *
 * @example
 * ```ts
 * const figures = await runDisconnects({ agentUrl, mock, count: 100, maxDelayMs: 1500, scanner, label: 'c' });
 * ```
 */
export async function runDisconnects(options: DisconnectOptions): Promise<DisconnectFigures> {
  // The mock's close timestamps are taken in this process: its own event-loop delay bounds their accuracy.
  const ownDelay = monitorEventLoopDelay({ resolution: 10 });
  ownDelay.enable();
  const runs: Promise<Client>[] = [];
  const batch = options.rampBatch ?? 20;
  for (let index = 0; index < options.count; index += 1) {
    const requestId = `${options.label}-${index}`;
    // A tenth leave the moment the request is sent, the rest anywhere in the stream.
    const delayMs = index % 10 === 0 ? 0 : Math.random() * options.maxDelayMs;
    runs.push(
      index % 2 === 0
        ? sseClient(options.agentUrl, requestId, delayMs, index % 4 === 0, options.scanner)
        : socketClient(options.agentUrl, requestId, delayMs, options.scanner),
    );
    if ((index + 1) % batch === 0) await sleep(5);
  }
  const clients = await Promise.all(runs);
  ownDelay.disable();
  // Late upstream requests would show up here: give them time to arrive.
  await sleep(1_000);
  const byRequestId = new Map<string, RecordedRequest[]>();
  for (const request of options.mock.requests) {
    const requestId = requestIdOf(request.body);
    if (!requestId?.startsWith(`${options.label}-`)) continue;
    byRequestId.set(requestId, [...(byRequestId.get(requestId) ?? []), request]);
  }
  const latencies: number[] = [];
  const lateStarts: Array<Record<string, unknown>> = [];
  const figures = {
    upstreamOpenAtDisconnect: 0,
    upstreamClosed: 0,
    upstreamLeaked: 0,
    upstreamRanToEnd: 0,
    startedAfterGone: 0,
    neverStarted: 0,
    endedBeforeDisconnect: 0,
  };
  await Promise.all(
    clients.map(async (client) => {
      if (client.endedFirst) {
        figures.endedBeforeDisconnect += 1;
        return;
      }
      const requests = byRequestId.get(client.requestId) ?? [];
      if (requests.length === 0) {
        figures.neverStarted += 1;
        return;
      }
      for (const request of requests) {
        if (request.receivedAt > client.goneAt + 50) {
          figures.startedAfterGone += 1;
          lateStarts.push({
            transport: client.transport,
            delayMs: round1(client.delayMs),
            arrivedAfterGoneMs: round1(request.receivedAt - client.goneAt),
            closedAfterArrivalMs:
              request.closedEarlyAt === undefined ? undefined : round1(request.closedEarlyAt - request.receivedAt),
          });
        }
        figures.upstreamOpenAtDisconnect += 1;
        const closed = await Promise.race([request.closed.then(() => true), sleep(5_000).then(() => false)]);
        if (!closed) {
          figures.upstreamLeaked += 1;
        } else if (request.closedEarlyAt !== undefined) {
          figures.upstreamClosed += 1;
          latencies.push(Math.max(0, request.closedEarlyAt - Math.max(client.goneAt, request.receivedAt)));
        } else {
          figures.upstreamRanToEnd += 1;
        }
      }
    }),
  );
  return {
    clients: clients.length,
    sse: clients.filter((client) => client.transport === 'sse').length,
    webSocket: clients.filter((client) => client.transport === 'websocket').length,
    ...figures,
    closeLatencyMs: {
      p50: round1(percentile(latencies, 50)),
      p99: round1(percentile(latencies, 99)),
      max: round1(Math.max(0, ...latencies)),
    },
    latencies: latencies.map(round1),
    lateStarts,
    clientProcessEventLoopDelayMs: {
      p50: round1(ownDelay.percentile(50) / 1e6),
      p99: round1(ownDelay.percentile(99) / 1e6),
      max: round1(ownDelay.max / 1e6),
    },
  };
}
