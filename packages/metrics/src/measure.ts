import type { Chunk } from '@rxllm/core';
import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { StreamProgress, StreamReport } from './stream-report.js';
import { StreamMeter } from './stream-report.js';

/**
 * Where measurements go. Every hook is optional; a sink must not throw.
 *
 * @example
 * ```ts
 * const sink: MetricsSink = { onReport: (report) => console.log(report.outcome, report.chars) };
 * ```
 */
export interface MetricsSink {
  /** At subscription, before any chunk. */
  onStart?(): void;
  /** After each chunk has been counted (and before it is passed on). */
  onChunk?(chunk: Chunk, progress: StreamProgress): void;
  /**
   * Exactly once: on completion, on error, or when the consumer unsubscribes first. `progress` is the same object
   * `onChunk` saw for this stream, so a sink can keep per-stream state keyed on it.
   */
  onReport?(report: StreamReport, progress: StreamProgress): void;
}

/**
 * Options of {@link measure}.
 *
 * @example
 * ```ts
 * measure(onReport, { onProgress: (report) => console.log(report.chars), provider: 'openai' });
 * ```
 */
export interface MeasureOptions {
  /** Time source; `asyncScheduler` by default, a `TestScheduler` in tests. */
  scheduler?: SchedulerLike;
  /** A live report after every chunk (builds a full snapshot each time; prefer a sink's `onChunk` for hot paths). */
  onProgress?: (report: StreamReport, chunk: Chunk) => void;
  /** Labels used until (and instead of) the `start` chunk's. */
  provider?: string;
  model?: string;
}

const toSinks = (target: ((report: StreamReport) => void) | MetricsSink | MetricsSink[]): MetricsSink[] =>
  typeof target === 'function' ? [{ onReport: target }] : Array.isArray(target) ? target : [target];

/**
 * A pass-through operator that measures the stream: TTFT, chunks, characters, duration, output tokens per second
 * and inter-chunk gaps (min/p50/p99/max). It reports live (`onProgress`, sinks' `onChunk`) and once at the end,
 * also when the consumer unsubscribes early: that final report is the abort receipt (text length and usage so far).
 * Times are scheduler time from subscription.
 *
 * ```
 * source:  s-a--b-u-f|
 * result:  s-a--b-u-f|     onReport({ ttftMs: 2, textChunks: 2, gaps: { min: 3, … }, outcome: 'complete', … })
 * ```
 *
 * @example
 * ```ts
 * provider.stream(request).pipe(measure((report) => console.log(report.ttftMs, report.tokensPerSecond)));
 * provider.stream(request).pipe(measure([logSink(logger), openTelemetrySink(meter)]));
 * ```
 */
export function measure(
  target: ((report: StreamReport) => void) | MetricsSink | MetricsSink[],
  options: MeasureOptions = {},
): OperatorFunction<Chunk, Chunk> {
  const sinks = toSinks(target);
  return (source) =>
    new Observable<Chunk>((subscriber) => {
      const scheduler = options.scheduler ?? asyncScheduler;
      const meter = new StreamMeter(() => scheduler.now(), scheduler.now(), options);
      let ended = false;
      const end = (outcome: 'complete' | 'error' | 'unsubscribed', error?: unknown) => {
        if (ended) return;
        ended = true;
        const report = meter.end(outcome, error);
        for (const sink of sinks) sink.onReport?.(report, meter);
      };

      for (const sink of sinks) sink.onStart?.();
      const upstream = source.subscribe({
        next: (chunk) => {
          meter.record(chunk);
          for (const sink of sinks) sink.onChunk?.(chunk, meter);
          options.onProgress?.(meter.snapshot(), chunk);
          subscriber.next(chunk);
        },
        error: (error: unknown) => {
          end('error', error);
          subscriber.error(error);
        },
        complete: () => {
          end('complete');
          subscriber.complete();
        },
      });
      return () => {
        upstream.unsubscribe();
        end('unsubscribed');
      };
    });
}
