import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { StreamObserver } from '../generation/generate.js';

/**
 * The agent's Prometheus registry (its own, so several agents in one process never collide): default process
 * metrics, active streams, HTTP requests by route/status, tool calls and tool-loop steps. Per-stream metrics (TTFT, duration, chunks, tokens,
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

  private readonly toolDuration = new Histogram({
    name: 'rxllm_agent_tool_duration_seconds',
    help: 'Server-side tool calls by tool and outcome (ok, or the tool error kind), from start to result',
    labelNames: ['tool', 'outcome'],
    buckets: [0.001, 0.005, 0.025, 0.1, 0.5, 1, 2.5, 10, 30],
    registers: [this.registry],
  });
  private readonly cost = new Counter({
    name: 'rxllm_agent_cost_usd_total',
    help: 'What streams cost in US dollars at the price table, by provider, model and whether the usage was estimated',
    labelNames: ['provider', 'model', 'estimated'],
    registers: [this.registry],
  });
  private readonly toolSteps = new Counter({
    name: 'rxllm_agent_tool_steps_total',
    help: 'Model steps of server-side tool loops (each step is also one stream in the per-stream metrics)',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  readonly observer: StreamObserver = {
    started: () => this.activeStreams.inc(),
    ended: (outcome) => {
      this.activeStreams.dec();
      const { costUsd, costEstimated } = outcome.metrics;
      if (typeof costUsd === 'number' && outcome.provider) {
        const labels = {
          provider: outcome.provider,
          model: outcome.model ?? '',
          estimated: String(costEstimated === true),
        };
        this.cost.inc(labels, costUsd);
      }
    },
  };

  /** Records one finished tool call; `tool` is a configured tool's name (a bounded set). */
  recordToolCall(tool: string, outcome: string, durationMs: number): void {
    this.toolDuration.observe({ tool, outcome }, durationMs / 1000);
  }

  /** Counts one model step of a tool loop. */
  countToolStep(): void {
    this.toolSteps.inc();
  }

  /** Counts one HTTP request; `route` is the route pattern (never the raw URL, to keep label cardinality bounded). */
  countRequest(method: string, route: string, status: number): void {
    this.httpRequests.inc({ method, route, status: String(status) });
  }
}
