import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { StreamObserver } from '../generation/generate.js';

/**
 * The agent's Prometheus registry (its own, so several agents in one process never collide): default process
 * metrics, active streams and HTTP requests by route/status. Per-stream metrics (TTFT, duration, chunks, tokens,
 * outcomes, error kinds) come from `@rxllm/metrics`' `prometheusSink` on the same registry.
 *
 * @example
 * ```ts
 * const metrics = new AgentPrometheus();
 * response.end(await metrics.registry.metrics());
 * ```
 */
export class AgentPrometheus {
  readonly registry = new Registry();
  private readonly activeStreams = new Gauge({
    name: 'rxllm_agent_active_streams',
    help: 'Streams being generated right now',
    registers: [this.registry],
  });
  private readonly httpRequests = new Counter({
    name: 'rxllm_agent_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  readonly observer: StreamObserver = {
    started: () => this.activeStreams.inc(),
    ended: () => this.activeStreams.dec(),
  };

  /** Counts one HTTP request; `route` is the route pattern (never the raw URL, to keep label cardinality bounded). */
  countRequest(method: string, route: string, status: number): void {
    this.httpRequests.inc({ method, route, status: String(status) });
  }
}
