import type { Chunk } from '@rxllm/core';
import { type Observable, type OperatorFunction, ReplaySubject, Subject } from 'rxjs';
import { type MeasureOptions, type MetricsSink, measure } from './measure.js';
import type { StreamReport } from './stream-report.js';

/**
 * What {@link withMetrics} returns: the operator and its side streams.
 *
 * @example
 * ```ts
 * const { operator, report$ } = withMetrics();
 * ```
 */
export interface MeteredStream {
  /** The pass-through operator to put in the stream's pipe. */
  operator: OperatorFunction<Chunk, Chunk>;
  /** A live report after every chunk: the side stream a dashboard subscribes to. Completes with the stream. */
  progress$: Observable<StreamReport>;
  /** The final report (complete, error or unsubscribed), replayed to late subscribers. */
  report$: Observable<StreamReport>;
}

/**
 * Measures one stream and exposes its metrics as observables beside it. Use one `withMetrics()` per stream.
 *
 * @example
 * ```ts
 * const metrics = withMetrics();
 * metrics.progress$.subscribe((report) => dashboard.update(report));
 * metrics.report$.subscribe((report) => console.log(`TTFT ${report.ttftMs} ms`));
 * provider.stream(request).pipe(metrics.operator).subscribe(render);
 * ```
 */
export function withMetrics(
  options: Omit<MeasureOptions, 'onProgress'> & { sinks?: MetricsSink[] } = {},
): MeteredStream {
  const progress = new Subject<StreamReport>();
  const report = new ReplaySubject<StreamReport>(1);
  const sink: MetricsSink = {
    onReport: (final) => {
      progress.complete();
      report.next(final);
      report.complete();
    },
  };
  return {
    operator: measure([...(options.sinks ?? []), sink], { ...options, onProgress: (live) => progress.next(live) }),
    progress$: progress.asObservable(),
    report$: report.asObservable(),
  };
}
