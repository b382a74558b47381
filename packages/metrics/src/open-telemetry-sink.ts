import type { Attributes, Meter } from '@opentelemetry/api';
import type { MetricsSink } from './measure.js';

/**
 * Options of {@link openTelemetrySink}.
 *
 * @example
 * ```ts
 * openTelemetrySink(meter, { requestModel: request.model });
 * ```
 */
export interface OpenTelemetrySinkOptions {
  /** `gen_ai.operation.name`. Default `chat`. */
  operationName?: string;
  /** `gen_ai.request.model` when the request named one; else the `start` chunk's model is used. */
  requestModel?: string;
}

/**
 * Records each stream with the OpenTelemetry GenAI semantic conventions on the given meter:
 * `gen_ai.client.operation.time_to_first_chunk` and `gen_ai.client.operation.duration` (seconds), and
 * `gen_ai.client.token.usage` (`{token}`, with `gen_ai.token.type` `input`/`output`), with the attributes
 * `gen_ai.operation.name`, `gen_ai.provider.name`, `gen_ai.request.model`, `gen_ai.response.model` and, for a
 * failed stream, `error.type` (the `LLMError` kind). Recorded once, at the end of the stream.
 *
 * @example
 * ```ts
 * import { metrics } from '@opentelemetry/api';
 * const sink = openTelemetrySink(metrics.getMeter('my-app'));
 * provider.stream(request).pipe(measure(sink)).subscribe(render);
 * ```
 */
export function openTelemetrySink(meter: Meter, options: OpenTelemetrySinkOptions = {}): MetricsSink {
  const timeToFirstChunk = meter.createHistogram('gen_ai.client.operation.time_to_first_chunk', {
    description: 'Time to receive the first chunk of a streamed response.',
    unit: 's',
  });
  const duration = meter.createHistogram('gen_ai.client.operation.duration', {
    description: 'GenAI operation duration.',
    unit: 's',
  });
  const tokenUsage = meter.createHistogram('gen_ai.client.token.usage', {
    description: 'Number of input and output tokens used.',
    unit: '{token}',
  });
  return {
    onReport: (report) => {
      const attributes: Attributes = { 'gen_ai.operation.name': options.operationName ?? 'chat' };
      if (report.provider !== undefined) attributes['gen_ai.provider.name'] = report.provider;
      const requestModel = options.requestModel ?? report.model;
      if (requestModel !== undefined) attributes['gen_ai.request.model'] = requestModel;
      if (report.model !== undefined) attributes['gen_ai.response.model'] = report.model;
      if (report.outcome === 'error') attributes['error.type'] = report.errorKind ?? 'unknown';
      if (report.ttftMs !== undefined) timeToFirstChunk.record(report.ttftMs / 1000, attributes);
      duration.record(report.durationMs / 1000, attributes);
      if (report.usage?.inputTokens !== undefined) {
        tokenUsage.record(report.usage.inputTokens, { ...attributes, 'gen_ai.token.type': 'input' });
      }
      if (report.usage?.outputTokens !== undefined) {
        tokenUsage.record(report.usage.outputTokens, { ...attributes, 'gen_ai.token.type': 'output' });
      }
    },
  };
}
