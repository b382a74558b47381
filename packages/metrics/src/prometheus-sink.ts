import { isContentChunk } from '@rxllm/core';
import { Counter, register as defaultRegistry, Histogram, type Registry } from 'prom-client';
import type { MetricsSink } from './measure.js';

/**
 * Options of {@link prometheusSink}.
 *
 * @example
 * ```ts
 * prometheusSink({ registry: new Registry(), prefix: 'agent_' });
 * ```
 */
export interface PrometheusSinkOptions {
  /** Default: prom-client's global `register`. */
  registry?: Registry;
  /** Metric name prefix. Default `rxllm_`. */
  prefix?: string;
  /** Histogram buckets in seconds for TTFT. */
  ttftBuckets?: number[];
  /** Histogram buckets in seconds for stream duration. */
  durationBuckets?: number[];
}

const defaultTtftBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];
const defaultDurationBuckets = [0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

function reuse<TMetric>(registry: Registry, name: string, create: () => TMetric): TMetric {
  // Creating a sink twice on one registry must not throw "already registered".
  return (registry.getSingleMetric(name) as TMetric | undefined) ?? create();
}

/**
 * Records streams into Prometheus metrics (prom-client): histograms `rxllm_ttft_seconds` and
 * `rxllm_stream_duration_seconds{outcome}`, counters `rxllm_chunks_total{type}`, `rxllm_output_tokens_total`,
 * `rxllm_input_tokens_total`, `rxllm_stream_errors_total{kind}` and `rxllm_streams_total{outcome}`, all labelled
 * `provider` and `model`. TTFT and chunks are recorded live; tokens, duration and outcome at the end.
 * Safe to create more than once on the same registry: existing metrics are reused.
 * Import it from `@rxllm/metrics/prometheus` (prom-client is an optional peer dependency).
 *
 * @example
 * ```ts
 * import { measure } from '@rxllm/metrics';
 * import { prometheusSink } from '@rxllm/metrics/prometheus';
 * const sink = prometheusSink();
 * provider.stream(request).pipe(measure(sink)).subscribe(render);
 * // later: res.end(await register.metrics());
 * ```
 */
export function prometheusSink(options: PrometheusSinkOptions = {}): MetricsSink {
  const registry = options.registry ?? defaultRegistry;
  const prefix = options.prefix ?? 'rxllm_';
  const registers = [registry];
  const ttft = reuse(
    registry,
    `${prefix}ttft_seconds`,
    () =>
      new Histogram({
        name: `${prefix}ttft_seconds`,
        help: 'Time from request to the first content chunk, in seconds.',
        labelNames: ['provider', 'model'],
        buckets: options.ttftBuckets ?? defaultTtftBuckets,
        registers,
      }),
  );
  const duration = reuse(
    registry,
    `${prefix}stream_duration_seconds`,
    () =>
      new Histogram({
        name: `${prefix}stream_duration_seconds`,
        help: 'Time from request to the end of the stream, in seconds.',
        labelNames: ['provider', 'model', 'outcome'],
        buckets: options.durationBuckets ?? defaultDurationBuckets,
        registers,
      }),
  );
  const counter = (name: string, help: string, extraLabel?: string) =>
    reuse(
      registry,
      `${prefix}${name}`,
      () =>
        new Counter({
          name: `${prefix}${name}`,
          help,
          labelNames: extraLabel ? ['provider', 'model', extraLabel] : ['provider', 'model'],
          registers,
        }),
    );
  const chunks = counter('chunks_total', 'Chunks received, by chunk type.', 'type');
  const outputTokens = counter('output_tokens_total', 'Output tokens as reported by the provider.');
  const inputTokens = counter('input_tokens_total', 'Input tokens as reported by the provider.');
  const errors = counter('stream_errors_total', 'Streams that failed, by error kind.', 'kind');
  const streams = counter('streams_total', 'Streams that ended, by outcome.', 'outcome');

  const labels = (source: { provider?: string | undefined; model?: string | undefined }) => ({
    provider: source.provider ?? 'unknown',
    model: source.model ?? 'unknown',
  });

  return {
    onChunk: (chunk, progress) => {
      chunks.inc({ ...labels(progress), type: chunk.type });
      if (isContentChunk(chunk) && progress.contentChunks === 1 && progress.ttftMs !== undefined) {
        ttft.observe(labels(progress), progress.ttftMs / 1000);
      }
    },
    onReport: (report) => {
      const base = labels(report);
      const outcome = report.outcome ?? 'complete';
      duration.observe({ ...base, outcome }, report.durationMs / 1000);
      streams.inc({ ...base, outcome });
      if (report.usage?.outputTokens) outputTokens.inc(base, report.usage.outputTokens);
      if (report.usage?.inputTokens) inputTokens.inc(base, report.usage.inputTokens);
      if (outcome === 'error') errors.inc({ ...base, kind: report.errorKind ?? 'unknown' });
    },
  };
}
