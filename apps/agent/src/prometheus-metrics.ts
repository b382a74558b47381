import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { StreamObserver, StreamOutcome } from './generation.js';

/**
 * The agent's Prometheus registry (its own, so several agents in one process never collide): default process
 * metrics, active streams, stream outcomes, TTFT and duration histograms, chunks, and HTTP requests by route/status.
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
  private readonly streams = new Counter({
    name: 'rxllm_agent_streams_total',
    help: 'Streams by outcome (completed, failed, cancelled)',
    labelNames: ['outcome', 'kind'],
    registers: [this.registry],
  });
  private readonly chunks = new Counter({
    name: 'rxllm_agent_chunks_total',
    help: 'Content chunks received from providers',
    registers: [this.registry],
  });
  private readonly ttft = new Histogram({
    name: 'rxllm_agent_time_to_first_chunk_seconds',
    help: 'Time from request to first content chunk',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'rxllm_agent_stream_duration_seconds',
    help: 'Stream duration',
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
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
    chunk: () => this.chunks.inc(),
    firstChunk: (_chunk, ttftMs) => this.ttft.observe(ttftMs / 1000),
    ended: (outcome: StreamOutcome) => {
      this.activeStreams.dec();
      this.streams.inc({ outcome: outcome.status, kind: outcome.status === 'failed' ? outcome.error.kind : '' });
      this.duration.observe(outcome.metrics.durationMs / 1000);
    },
  };

  /** Counts one HTTP request; `route` is the route pattern (never the raw URL, to keep label cardinality bounded). */
  countRequest(method: string, route: string, status: number): void {
    this.httpRequests.inc({ method, route, status: String(status) });
  }
}
