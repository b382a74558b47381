import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MockUpstream } from '@rxllm/testing';
import WebSocket from 'ws';
import type { ChildAgent } from './child-agent.js';
import { postChat } from './clients.js';
import { round1 } from './results.js';
import { expectedTextFor, messageFor, requestIdOf } from './scripted-text.js';
import type { SecretScanner } from './secrets.js';
import { verifyTranscript } from './verify.js';

const mebibytes = (bytes: number) => round1(bytes / 2 ** 20);

/** The agent settings every hostile-client scenario runs with (small caps, so breaches show quickly). */
export const hostileAgentEnv = {
  SSE_MAX_BUFFER_BYTES: String(256 * 1024),
  SLOW_CONSUMER_GRACE_MS: '2000',
  MAX_BODY_BYTES: String(64 * 1024),
};

/**
 * A big reply for the never-reading clients, dripped so the upstream is still streaming when the agent should drop
 * the client. It must exceed what loopback TCP buffers can hide (send + receive buffers reached ~8–10 MiB per
 * connection on the test host: with 8 MiB replies the agent sometimes never saw a full buffer), hence 16–24 MiB.
 */
export const bigReply = (mebibytesOfText: number) => ({
  pieces: 0,
  texts: Array.from({ length: mebibytesOfText * 128 }, (_, index) => `${index}:${'x'.repeat(8 * 1024)}`),
  delivery: { eventDelayMs: 2 },
});

/**
 * Samples the agent every 250 ms until `stop()`: peak RSS, and peak retained memory (heap + external after a full
 * GC, so garbage from parsing does not count: only what the agent actually holds).
 */
function sampleMemory(agent: ChildAgent, withGc = true) {
  let peakRss = 0;
  let peakRetained = 0;
  let running = true;
  const done = (async () => {
    while (running) {
      const stats = await agent.stats({ gc: withGc });
      peakRss = Math.max(peakRss, stats.memory.rss);
      peakRetained = Math.max(peakRetained, stats.memory.heapUsed + stats.memory.external);
      await sleep(250);
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      return { peakRss, peakRetained };
    },
  };
}

const retainedOf = (memory: NodeJS.MemoryUsage) => memory.heapUsed + memory.external;

/** Runs `count` well-behaved SSE clients and returns how many got their exact text. */
async function bystanders(agentUrl: string, label: string, count: number, pieces: number, scanner: SecretScanner) {
  const replies = await Promise.all(
    Array.from({ length: count }, (_, index) =>
      postChat(`${agentUrl}/chat`, { message: messageFor(`${label}-${index}`) }, { deadlineMs: 60_000 }),
    ),
  );
  let exact = 0;
  for (const [index, reply] of replies.entries()) {
    scanner.body(reply.raw);
    const verdict = verifyTranscript(reply.events);
    if (
      verdict.problems.length === 0 &&
      verdict.terminal === 'done' &&
      verdict.text === expectedTextFor(`${label}-${index}`, pieces)
    )
      exact += 1;
  }
  return exact;
}

/** Waits until every upstream request whose id starts with `prefix` has closed, or `timeoutMs` passes. */
async function upstreamsClosed(mock: MockUpstream, prefix: string, expected: number, timeoutMs: number) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const requests = mock.requests.filter((request) => requestIdOf(request.body)?.startsWith(prefix));
    const closed = requests.filter(
      (request) => request.closedEarlyAt !== undefined || request.finishedAt !== undefined,
    );
    if ((requests.length >= expected && closed.length === requests.length) || performance.now() > deadline) {
      return {
        requests: requests.length,
        closedEarly: requests.filter((request) => request.closedEarlyAt !== undefined).length,
        finished: requests.filter((request) => request.finishedAt !== undefined).length,
        lastClosedAt: Math.max(0, ...requests.map((request) => request.closedEarlyAt ?? request.finishedAt ?? 0)),
      };
    }
    await sleep(100);
  }
}

export interface NeverReadingFigures {
  clients: number;
  transport: 'sse' | 'websocket';
  rssBeforeMiB: number;
  rssPeakMiB: number;
  rssAfterMiB: number;
  rssGrowthPerClientMiB: number;
  /** Peak growth of heap + external memory after GC, per stalled client: what the agent holds for it. */
  retainedGrowthPerClientMiB: number;
  retainedBeforeMiB: number;
  retainedAfterMiB: number;
  upstreamRequests: number;
  upstreamClosedEarly: number;
  upstreamFinished: number;
  /** From the moment the clients stopped reading to the last upstream close. */
  droppedWithinMs: number;
  /** The clients' connections were ended by the agent. */
  clientConnectionsEnded: number;
  slowConsumerEventsSeen: number;
  bystanders: number;
  bystandersExact: number;
}

/**
 * `count` clients ask for a 16–24 MiB reply and stop reading after the first bytes. The agent must keep each one under
 * its buffer cap, drop it, abort its upstream request, and keep serving everyone else exactly.
 *
 * @example
 * ```ts
 * const figures = await neverReadingClients({ agent, mock, count: 5, transport: 'sse', scanner, label: 'stall' });
 * ```
 */
export async function neverReadingClients(options: {
  agent: ChildAgent;
  mock: MockUpstream;
  count: number;
  transport: 'sse' | 'websocket';
  scanner: SecretScanner;
  label: string;
  bystanderPieces: number;
}): Promise<NeverReadingFigures> {
  const { agent, mock, count, transport, scanner, label } = options;
  const baseline = (await agent.stats({ gc: true })).memory;
  const sampler = sampleMemory(agent);
  const url = new URL(agent.url);
  const ended: Array<Promise<{ ended: boolean; raw: string }>> = [];
  const stoppedAt: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const requestId = `${label}-${index}`;
    if (transport === 'sse') {
      const socket: Socket = connect({ host: url.hostname, port: Number(url.port) });
      socket.on('error', () => undefined);
      const body = JSON.stringify({ message: messageFor(requestId) });
      socket.write(
        `POST /chat HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      let raw = '';
      ended.push(
        new Promise((resolve) => {
          socket.once('data', (data) => {
            raw += data.toString();
            // Stop reading: the kernel buffers fill, then the agent's.
            socket.pause();
            stoppedAt.push(performance.now());
            // Later, read again to see how the agent ended the connection.
            setTimeout(() => {
              socket.on('data', (more) => {
                raw += more.toString().slice(-2_000);
                if (raw.length > 8_000) raw = raw.slice(-4_000);
              });
              socket.once('close', () => resolve({ ended: true, raw }));
              socket.resume();
              setTimeout(() => {
                resolve({ ended: false, raw });
                socket.destroy();
              }, 10_000);
            }, 8_000);
          });
        }),
      );
    } else {
      const socket = new WebSocket(`${agent.url.replace(/^http/, 'ws')}/ws`);
      socket.on('error', () => undefined);
      const frames: string[] = [];
      ended.push(
        new Promise((resolve) => {
          socket.once('open', () => socket.send(JSON.stringify({ message: messageFor(requestId) })));
          socket.once('message', (data) => {
            frames.push(data.toString());
            socket.pause();
            stoppedAt.push(performance.now());
            setTimeout(() => {
              socket.on('message', (more) => {
                frames.push(more.toString().slice(-300));
                if (frames.length > 50) frames.splice(0, frames.length - 50);
              });
              socket.once('close', (code) => resolve({ ended: true, raw: `${frames.join('\n')}\nclose ${code}` }));
              socket.resume();
              setTimeout(() => {
                resolve({ ended: false, raw: frames.join('\n') });
                socket.terminate();
              }, 10_000);
            }, 8_000);
          });
        }),
      );
    }
  }
  const bystanderCount = 20;
  const [exact] = await Promise.all([
    bystanders(agent.url, `${label}-bystander`, bystanderCount, options.bystanderPieces, scanner),
    upstreamsClosed(mock, `${label}-`, count, 20_000),
  ]);
  const endings = await Promise.all(ended);
  const peak = await sampler.stop();
  const after = (await agent.stats({ gc: true })).memory;
  for (const ending of endings) scanner.body(ending.raw);
  // Bystanders share the prefix: count only the stalled clients' requests.
  const stalled = mock.requests.filter((request) => {
    const id = requestIdOf(request.body);
    return id?.startsWith(`${label}-`) && !id.startsWith(`${label}-bystander`);
  });
  return {
    clients: count,
    transport,
    rssBeforeMiB: mebibytes(baseline.rss),
    rssPeakMiB: mebibytes(peak.peakRss),
    rssAfterMiB: mebibytes(after.rss),
    rssGrowthPerClientMiB: round1((mebibytes(peak.peakRss) - mebibytes(baseline.rss)) / count),
    retainedGrowthPerClientMiB: Math.round(((peak.peakRetained - retainedOf(baseline)) / count / 2 ** 20) * 100) / 100,
    retainedAfterMiB: mebibytes(retainedOf(after)),
    retainedBeforeMiB: mebibytes(retainedOf(baseline)),
    upstreamRequests: stalled.length,
    upstreamClosedEarly: stalled.filter((request) => request.closedEarlyAt !== undefined).length,
    upstreamFinished: stalled.filter((request) => request.finishedAt !== undefined).length,
    droppedWithinMs: round1(
      Math.max(0, ...stalled.map((request) => request.closedEarlyAt ?? 0)) - Math.min(...stoppedAt),
    ),
    clientConnectionsEnded: endings.filter((ending) => ending.ended).length,
    slowConsumerEventsSeen: endings.filter((ending) => ending.raw.includes('slow-consumer')).length,
    bystanders: bystanderCount,
    bystandersExact: exact,
  };
}

/**
 * Slow-loris: `count` sockets that send one header byte per second and never finish the request line block.
 * Returns when each was closed by the agent (or `undefined` if still open at `waitMs`).
 *
 * @example
 * ```ts
 * const figures = await slowLoris({ agentUrl, count: 50, waitMs: 75_000 });
 * ```
 */
export async function slowLoris(options: { agentUrl: string; count: number; waitMs: number }) {
  const url = new URL(options.agentUrl);
  const started = performance.now();
  const closedAfter: Array<number | undefined> = [];
  await Promise.all(
    Array.from(
      { length: options.count },
      (_, index) =>
        new Promise<void>((resolve) => {
          const socket = connect({ host: url.hostname, port: Number(url.port) });
          socket.on('error', () => undefined);
          socket.on('data', () => undefined);
          socket.write(`POST /chat HTTP/1.1\r\nHost: ${url.host}\r\nX-Slow: `);
          const drip = setInterval(() => socket.write('a'), 1_000);
          const giveUp = setTimeout(() => {
            clearInterval(drip);
            closedAfter[index] = undefined;
            socket.destroy();
            resolve();
          }, options.waitMs);
          socket.once('close', () => {
            clearInterval(drip);
            clearTimeout(giveUp);
            closedAfter[index] ??= round1(performance.now() - started);
            resolve();
          });
        }),
    ),
  );
  const closed = closedAfter.filter((value): value is number => value !== undefined);
  return {
    sockets: options.count,
    closedByAgent: closed.length,
    closedAfterMs: { min: Math.min(...closed), max: Math.max(...closed) },
  };
}

/**
 * A WebSocket client that never reads and floods the agent with `frames` bad frames, each answered with an error
 * frame. Returns the agent's memory growth and whether it dropped the socket.
 *
 * @example
 * ```ts
 * const figures = await webSocketFlood({ agent, frames: 100_000 });
 * ```
 */
export async function webSocketFlood(options: { agent: ChildAgent; frames: number; scanner: SecretScanner }) {
  const { agent } = options;
  const before = (await agent.stats({ gc: true })).memory;
  const sampler = sampleMemory(agent);
  const socket = new WebSocket(`${agent.url.replace(/^http/, 'ws')}/ws`);
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('open', resolve));
  socket.pause();
  let closeCode: number | undefined;
  const closed = new Promise<void>((resolve) =>
    socket.once('close', (code) => {
      closeCode = code;
      resolve();
    }),
  );
  const started = performance.now();
  let sent = 0;
  for (; sent < options.frames && socket.readyState === WebSocket.OPEN; sent += 1) {
    socket.send('{}');
    // Let the socket drain our side now and then, so the flood reaches the agent rather than our own buffer.
    if (sent % 2_000 === 0) await sleep(1);
  }
  await Promise.race([closed, sleep(5_000)]);
  const peak = await sampler.stop();
  const after = (await agent.stats({ gc: true })).memory;
  const dropped = socket.readyState !== WebSocket.OPEN;
  socket.terminate();
  return {
    framesSent: sent,
    floodMs: round1(performance.now() - started),
    droppedByAgent: dropped,
    closeCode,
    rssBeforeMiB: mebibytes(before.rss),
    rssPeakMiB: mebibytes(peak.peakRss),
    rssAfterMiB: mebibytes(after.rss),
    retainedBeforeMiB: mebibytes(retainedOf(before)),
    retainedPeakMiB: mebibytes(peak.peakRetained),
    retainedAfterMiB: mebibytes(retainedOf(after)),
  };
}

/** One oversized WebSocket frame (over `MAX_BODY_BYTES`): the agent must close with 1009 and keep serving. */
export async function oversizedFrame(agentUrl: string, bytes: number) {
  const socket = new WebSocket(`${agentUrl.replace(/^http/, 'ws')}/ws`);
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('open', resolve));
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  socket.send(JSON.stringify({ message: 'x'.repeat(bytes) }));
  return Promise.race([closed, sleep(5_000).then(() => -1)]);
}

/** Raw header abuse: one request each, returning the status line the agent answered with (or how it closed). */
export async function headerAbuse(agentUrl: string) {
  const url = new URL(agentUrl);
  const send = (head: string) =>
    new Promise<string>((resolve) => {
      const socket = connect({ host: url.hostname, port: Number(url.port) });
      let received = '';
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(`error ${error.code}`));
      socket.on('data', (data) => {
        received += data.toString();
      });
      socket.on('close', () => resolve(received.split('\r\n')[0] || 'closed without a response'));
      socket.write(head);
      setTimeout(() => socket.destroy(), 5_000);
    });
  return {
    hugeHeader: await send(`GET /healthz HTTP/1.1\r\nHost: ${url.host}\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`),
    manyHeaders: await send(
      `GET /healthz HTTP/1.1\r\nHost: ${url.host}\r\n${Array.from({ length: 5_000 }, (_, index) => `X-H${index}: v`).join('\r\n')}\r\n\r\n`,
    ),
    badHeaderName: await send(`GET /healthz HTTP/1.1\r\nHost: ${url.host}\r\nBad Header: x\r\n\r\n`),
    bareLf: await send(`GET /healthz HTTP/1.1\nHost: ${url.host}\nX: a\rb\n\n`),
    contentLengthTwice: await send(
      `POST /chat HTTP/1.1\r\nHost: ${url.host}\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello`,
    ),
    chunkedAndLength: await send(
      `POST /chat HTTP/1.1\r\nHost: ${url.host}\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    ),
  };
}
