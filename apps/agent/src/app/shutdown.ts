import type { Server, ServerResponse } from 'node:http';
import { HttpError } from '../http/errors.js';
import { flushLogs } from '../observability/logger.js';
import type { AgentContext } from './context.js';

export interface ShutdownParts {
  server: Server;
  context: AgentContext;
  /** Ends the dashboard feeds. */
  endFeeds(): void;
  /** Closes every WebSocket with 1001. */
  closeWebSockets(): Promise<void>;
}

const shuttingDown = () => new HttpError({ kind: 'shutdown', message: 'the server is shutting down' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What the server does with each response during the drain: no connection may outlive its answer, and a stream that
 * ends during the drain leaves its kept-alive socket behind, so that socket closes once it is idle.
 *
 * @example
 * ```ts
 * createServer((request, response) => { closeAfterDrain(server, context, response); handler(request, response); });
 * ```
 */
export function closeAfterDrain(server: Server, context: AgentContext, response: ServerResponse): void {
  if (context.isDraining()) response.setHeader('Connection', 'close');
  response.on('finish', () => {
    if (context.isDraining()) setImmediate(() => server.closeIdleConnections());
  });
}

/**
 * The graceful stop: readiness fails at once (503) while the listener stays open; new work (WebSocket upgrades
 * too) gets 503 `shutdown` from the router's drain guard; streams drain until `drainMs` or the last one ends, the
 * rest end with `shutdown`; then the listener and every socket close. Calling it again returns the same promise.
 *
 * @example
 * ```ts
 * const shutdown = createShutdown({ server, context, endFeeds, closeWebSockets });
 * process.on('SIGTERM', () => void shutdown(10_000));
 * ```
 */
export function createShutdown(parts: ShutdownParts): (drainMs?: number) => Promise<void> {
  const { server, context } = parts;
  const { logger, generations, shared } = context;
  let stopping: Promise<void> | undefined;
  const run = async (drainMs: number) => {
    context.startDraining();
    // Timers here stay referenced: an emptied event loop must not end the process before the last log line.
    const streams = context.activeStreams();
    logger.info({ activeStreams: streams.length, drainMs }, 'Shutting down: readiness now fails, draining streams');
    parts.endFeeds();
    // The listener stays open while streams drain, so a load balancer's probe gets a 503 rather than a refused
    // connection (endpoint updates lag the probe); idle keep-alive sockets go now, busy ones when they finish.
    server.closeIdleConnections();
    if (streams.length > 0 && drainMs > 0) {
      await Promise.race([Promise.allSettled(streams.map((stream) => stream.finished)), sleep(drainMs)]);
    }
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Resumable runs end with a `shutdown` event in their log, so followers elsewhere learn it too.
    if (generations) await generations.close(shuttingDown());
    const remaining = context.activeStreams();
    if (remaining.length > 0) logger.warn({ remaining: remaining.length }, 'Drain deadline passed: ending streams');
    const error = shuttingDown();
    for (const stream of remaining) stream.abort(error);
    // One budget after the drain for the last events and the WebSocket closes, so the exit stays within drain + 1 s.
    await Promise.race([
      Promise.allSettled([...remaining.map((stream) => stream.finished), parts.closeWebSockets()]),
      sleep(500),
    ]);
    // Give final events a moment to flush, then cut whatever is left.
    await sleep(50);
    server.closeAllConnections();
    await closed;
    await Promise.all([shared.close(), context.mcp.close()]);
    logger.info('Shutdown complete');
    flushLogs(logger);
  };
  return (drainMs = context.config.shutdownDrainMs) => {
    stopping ??= run(drainMs);
    return stopping;
  };
}
