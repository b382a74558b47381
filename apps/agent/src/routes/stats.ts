import type { ServerResponse } from 'node:http';
import { encodeStatsEvent } from '@rxllm/protocol';
import type { AgentContext } from '../app/context.js';
import { replyJson } from '../http/responses.js';
import type { Route } from '../http/router.js';

/** A dashboard that cannot keep up simply misses samples: never queue more than this for it. */
const maxQueuedFeedBytes = 64 * 1024;

/** The dashboard routes, and a way for shutdown to end the live feeds. */
export interface StatsRoutes {
  routes: Route[];
  /** Ends every open `/stats/stream` feed (shutdown). */
  endFeeds(): void;
}

/**
 * `GET /stats` (one dashboard sample as JSON) and `GET /stats/stream` (a sample every `STATS_INTERVAL_MS` as SSE
 * `data:` lines, for the page's live dashboard).
 *
 * @example
 * ```ts
 * const stats = statsRoutes(context);
 * stats.endFeeds(); // on shutdown
 * ```
 */
export function statsRoutes(context: AgentContext): StatsRoutes {
  const { stats, config } = context;
  const feeds = new Set<ServerResponse>();
  const feed = (response: ServerResponse) => {
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      'X-Accel-Buffering': 'no',
    });
    const send = () => {
      if (response.writableLength > maxQueuedFeedBytes) return;
      response.write(encodeStatsEvent(stats.sample()));
    };
    send();
    const timer = setInterval(send, config.statsIntervalMs);
    feeds.add(response);
    response.on('close', () => {
      clearInterval(timer);
      feeds.delete(response);
    });
  };
  return {
    routes: [
      { path: '/stats', methods: { GET: (_request, reply) => replyJson(reply, 200, stats.snapshot()) } },
      {
        path: '/stats/stream',
        methods: {
          GET: (_request, reply) => {
            reply.hijack();
            feed(reply.raw);
          },
        },
      },
    ],
    endFeeds() {
      for (const response of feeds) response.end();
    },
  };
}
