import { fork } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { getPriority, setPriority } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { FloodRecord, FloodUpstream } from './flood-upstream.js';
import { messageFor } from './scripted-text.js';

/** How the load generator's scheduling priority was lowered for a measurement, and whether it came back. */
export interface LoadGeneratorPriority {
  /** The niceness before and during the measurement. */
  before: number;
  during: number;
  /** Restores the niceness (needs the privilege to raise a priority; false when it was refused). */
  restore(): boolean;
}

/**
 * Lowers this process's scheduling priority (niceness + 10) while it generates load against an agent that runs in a
 * process of its own. The upstreams and clients in this process stand in for other machines: on a 2-core box they
 * otherwise take the agent's CPU, and `/healthz` then measures the kernel's scheduler as much as the agent (measured:
 * p99 44–59 ms at the same niceness, 26–40 ms lowered, agent event-loop delay unchanged). Call it after the agent and
 * the health poller are started (a child forked later inherits the lower priority). Lowering needs no privilege.
 *
 * @example
 * ```ts
 * const priority = lowerLoadGeneratorPriority();
 * try { await runTheFlood(); } finally { priority.restore(); }
 * ```
 */
export function lowerLoadGeneratorPriority(): LoadGeneratorPriority {
  const before = getPriority();
  const during = Math.min(19, before + 10);
  setPriority(during);
  return {
    before,
    during,
    restore() {
      try {
        setPriority(before);
        return true;
      } catch {
        return false;
      }
    },
  };
}

/** The two streaming routes a never-reading client can hold open. */
export type FloodRoute = '/chat' | '/v1/chat/completions';

function chatBody(route: FloodRoute, requestId: string): string {
  const content = messageFor(requestId);
  return JSON.stringify(
    route === '/chat' ? { message: content } : { stream: true, messages: [{ role: 'user', content }] },
  );
}

/** Sends one streaming request on a raw socket and never reads the reply (the socket is paused from the start). */
function neverReadingRequest(agentUrl: string, route: FloodRoute, requestId: string): Socket {
  const url = new URL(agentUrl);
  const socket = connect({ host: url.hostname, port: Number(url.port) });
  socket.on('error', () => undefined);
  socket.pause();
  const body = chatBody(route, requestId);
  socket.write(
    `POST ${route} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  return socket;
}

export interface FloodFigures {
  /** Never-reading clients opened in all (each one replaced as soon as the agent drops it). */
  opened: number;
  /** Flooded upstream replies the agent aborted (it dropped the client and closed the upstream request). */
  abortedByAgent: number;
  /** Flooded replies that reached their byte cap (the agent never gave up on the client). */
  ranToCap: number;
  /** Text events and MiB the upstreams managed to send into the agent. */
  eventsSent: number;
  mebibytesSent: number;
  /** The smallest and largest flood one client took before it was dropped or the run ended, in MiB. */
  perClientMiB: { min: number; max: number };
  /** The least any of the first `clients` floods (open for the whole run, unless dropped) pushed into the agent. */
  firstWaveMinMiB: number;
}

export interface FloodClients {
  /** Stops opening clients, closes the open ones and waits for their upstreams to end. */
  stop(): Promise<FloodFigures>;
}

/**
 * Keeps `clients` never-reading streams open against the agent, half on `/chat` and half on `/v1/chat/completions`,
 * each answered by an unbounded-rate flood. A client the agent drops (its upstream request closed) is replaced at
 * once, up to `maxOpened` in all, so the flood lasts until {@link FloodClients.stop}.
 *
 * @example
 * ```ts
 * const flood = startFloodClients({ agentUrl: agent.url, upstream, clients: 10, maxOpened: 400 });
 * const figures = await flood.stop();
 * ```
 */
export function startFloodClients(options: {
  agentUrl: string;
  upstream: FloodUpstream;
  clients: number;
  maxOpened: number;
  prefix?: string;
}): FloodClients {
  const prefix = options.prefix ?? 'flood';
  const open = new Map<string, Socket>();
  const ended: FloodRecord[] = [];
  let opened = 0;
  let running = true;
  let allEnded: (() => void) | undefined;
  const openOne = () => {
    if (!running || opened >= options.maxOpened) return;
    const requestId = `${prefix}-${opened}`;
    const route: FloodRoute = opened % 2 === 0 ? '/chat' : '/v1/chat/completions';
    opened += 1;
    open.set(requestId, neverReadingRequest(options.agentUrl, route, requestId));
  };
  options.upstream.onFloodEnd((record) => {
    if (!record.requestId.startsWith(`${prefix}-`)) return;
    ended.push(record);
    open.get(record.requestId)?.destroy();
    open.delete(record.requestId);
    openOne();
    if (!running && ended.length === opened) allEnded?.();
  });
  for (let index = 0; index < options.clients; index += 1) openOne();
  return {
    async stop() {
      running = false;
      const done = new Promise<void>((resolve) => {
        allEnded = resolve;
        if (ended.length === opened) resolve();
      });
      for (const socket of open.values()) socket.destroy();
      await Promise.race([done, sleep(15_000)]);
      const mebibytes = ended.map((record) => record.bytesSent / 2 ** 20);
      const firstWave = ended
        .filter((record) => Number(record.requestId.slice(prefix.length + 1)) < options.clients)
        .map((record) => record.bytesSent / 2 ** 20);
      return {
        opened,
        abortedByAgent: ended.filter((record) => record.closedEarly).length,
        ranToCap: ended.filter((record) => record.finished).length,
        eventsSent: ended.reduce((sum, record) => sum + record.eventsSent, 0),
        mebibytesSent: Math.round(mebibytes.reduce((sum, value) => sum + value, 0)),
        perClientMiB: {
          min: Math.round(Math.min(...mebibytes) * 10) / 10,
          max: Math.round(Math.max(...mebibytes) * 10) / 10,
        },
        firstWaveMinMiB: Math.round(Math.min(...firstWave) * 10) / 10,
      };
    },
  };
}

/** One `/healthz` probe: its status (0 when it failed or timed out) and latency in ms. */
export interface HealthProbe {
  status: number;
  latencyMs: number;
}

export interface HealthPoller {
  /** Stops polling; resolves with every probe, in order. */
  stop(): Promise<HealthProbe[]>;
}

const pollerScript = fileURLToPath(new URL('./health-poller.mjs', import.meta.url));

/**
 * Probes `/healthz` on fresh connections, one after another with `intervalMs` between a reply and the next probe,
 * from a process of its own (`health-poller.mjs`) so the latency is not the test process's own event loop.
 *
 * @example
 * ```ts
 * const health = await pollHealth(agent.url, 20);
 * const probes = await health.stop();
 * ```
 */
export async function pollHealth(agentUrl: string, intervalMs: number): Promise<HealthPoller> {
  const child = fork(pollerScript, [agentUrl, String(intervalMs)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const probes = new Promise<HealthProbe[]>((resolve, reject) => {
    child.on('message', (message: { type?: string; probes?: HealthProbe[] }) => {
      if (message.type === 'probes') resolve(message.probes ?? []);
    });
    child.once('exit', (code) => reject(new Error(`the health poller exited with ${code} before reporting`)));
  });
  // A poller that dies early fails `stop()`, not the process (no unhandled rejection meanwhile).
  probes.catch(() => undefined);
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('error', reject);
  });
  return {
    async stop() {
      child.send({ type: 'stop' });
      return probes;
    },
  };
}

/** The agent's own event-loop delay figures from prom-client's default metrics, in ms. */
export interface EventLoopLag {
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

function gaugeMs(metrics: string, name: string): number {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+)$`, 'm').exec(metrics);
  if (!match) throw new Error(`/metrics has no ${name}`);
  return Math.round(Number(match[1]) * 1e5) / 100;
}

/**
 * Reads `nodejs_eventloop_lag_*_seconds` from the agent's `/metrics`. prom-client resets its event-loop histogram on
 * every scrape, so a scrape before a run and one after it give the figures of that run alone.
 *
 * @example
 * ```ts
 * await scrapeEventLoopLag(agent.url); // reset
 * // … the run …
 * const { p99Ms } = await scrapeEventLoopLag(agent.url);
 * ```
 */
export async function scrapeEventLoopLag(agentUrl: string): Promise<EventLoopLag> {
  const response = await fetch(`${agentUrl}/metrics`);
  const metrics = await response.text();
  return {
    p50Ms: gaugeMs(metrics, 'nodejs_eventloop_lag_p50_seconds'),
    p90Ms: gaugeMs(metrics, 'nodejs_eventloop_lag_p90_seconds'),
    p99Ms: gaugeMs(metrics, 'nodejs_eventloop_lag_p99_seconds'),
    maxMs: gaugeMs(metrics, 'nodejs_eventloop_lag_max_seconds'),
  };
}
