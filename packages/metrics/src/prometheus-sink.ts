import { isContentChunk } from '@rxllm/core';
import { Counter, register as defaultRegistry, Histogram, type Registry } from 'prom-client';
import type { MetricsSink } from './measure.js';
import type { StreamProgress } from './stream-report.js';

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

/** One stream's chunk counts not yet added to the counter, under the labels they were counted with. */
interface PendingChunks {
  provider: string;
  model: string;
  counts: Map<string, number>;
}

function addPending(counter: Counter, pending: PendingChunks): void {
  for (const [type, count] of pending.counts) {
    if (count > 0) counter.inc({ provider: pending.provider, model: pending.model, type }, count);
  }
  pending.counts.clear();
}

/** The streams counting into a chunk counter, shared by every sink on it (the agent makes one sink per request). */
const liveStreamsByCounter = new WeakMap<Counter, Set<PendingChunks>>();

function liveStreamsOf(counter: Counter): Set<PendingChunks> {
  const known = liveStreamsByCounter.get(counter);
  if (known) return known;
  const streams = new Set<PendingChunks>();
  liveStreamsByCounter.set(counter, streams);
  // prom-client calls a metric's `collect` when the registry is read: add what live streams counted so far, so
  // every scrape is exact. Installed once per counter, keeping any `collect` it already had.
  const collectable = counter as unknown as { collect?: (this: unknown) => unknown };
  const previousCollect = collectable.collect;
  collectable.collect = function collect(this: unknown) {
    for (const pending of streams) addPending(counter, pending);
    return previousCollect?.call(this);
  };
  return streams;
}

function reuse<TMetric>(registry: Registry, name: string, create: () => TMetric): TMetric {
  // Creating a sink twice on one registry must not throw "already registered".
  return (registry.getSingleMetric(name) as TMetric | undefined) ?? create();
}

/**
 * Records streams into Prometheus metrics (prom-client): histograms `rxllm_ttft_seconds` and
 * `rxllm_stream_duration_seconds{outcome}`, counters `rxllm_chunks_total{type}`, `rxllm_output_tokens_total`,
 * `rxllm_input_tokens_total`, `rxllm_stream_errors_total{kind}` and `rxllm_streams_total{outcome}`, all labelled
 * `provider` and `model`. TTFT is recorded live; chunks are counted per stream and added to the counter at the end
 * of the stream and whenever the registry is read (so `/metrics` is exact at every scrape); tokens, duration and
 * outcome at the end.
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

  // prom-client validates the labels on every `inc` (bound children too), which showed up per chunk in profiles.
  const pendingByStream = new WeakMap<StreamProgress, PendingChunks>();
  const live = liveStreamsOf(chunks);

  return {
    onChunk: (chunk, progress) => {
      const provider = progress.provider ?? 'unknown';
      const model = progress.model ?? 'unknown';
      let pending = pendingByStream.get(progress);
      if (!pending || pending.provider !== provider || pending.model !== model) {
        if (pending) {
          addPending(chunks, pending);
          live.delete(pending);
        }
        pending = { provider, model, counts: new Map() };
        pendingByStream.set(progress, pending);
        live.add(pending);
      }
      pending.counts.set(chunk.type, (pending.counts.get(chunk.type) ?? 0) + 1);
      if (isContentChunk(chunk) && progress.contentChunks === 1 && progress.ttftMs !== undefined) {
        ttft.observe(labels(progress), progress.ttftMs / 1000);
      }
    },
    onReport: (report, progress) => {
      const pending = progress === undefined ? undefined : pendingByStream.get(progress);
      if (pending) {
        addPending(chunks, pending);
        live.delete(pending);
        pendingByStream.delete(progress);
      }
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
