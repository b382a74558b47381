import type { MetricsSink } from './measure.js';

/**
 * The logger `logSink` writes to: `pino`, `console` and most loggers fit.
 *
 * @example
 * ```ts
 * const logger: MetricsLogger = { info: console.log, debug: () => {} };
 * ```
 */
export interface MetricsLogger {
  info(message: string): void;
  debug(message: string): void;
  /** Used for failed streams when present, else `info`. */
  warn?(message: string): void;
  /** When present and false for `'debug'`, the per-chunk debug line is not even built (pino has it). */
  isLevelEnabled?(level: string): boolean;
}

/**
 * The seed's log lines: `Streaming response...` at subscription, `First chunk received: "Once"` on the first text
 * chunk, `Chunk 2: " upon"` at debug for each later one, and `Streaming complete - Total chunks: 147, Total length:
 * 523 characters` (text chunks and characters) at the end. A failure logs
 * `Streaming failed (rate-limit) - Total chunks: …` and an early unsubscribe `Streaming stopped - Total chunks: …`.
 * Only chunk text, counts and error kinds are logged: never error messages or request data. With a logger that has
 * `isLevelEnabled` (pino), the per-chunk line costs nothing while debug is off.
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * provider.stream(request).pipe(measure(logSink(pino()))).subscribe(render);
 * ```
 */
export function logSink(logger: MetricsLogger): MetricsSink {
  const totals = (report: { textChunks: number; chars: number }) =>
    `Total chunks: ${report.textChunks}, Total length: ${report.chars} characters`;
  return {
    onStart: () => logger.info('Streaming response...'),
    onChunk: (chunk, progress) => {
      if (chunk.type !== 'text') return;
      if (progress.textChunks === 1) logger.info(`First chunk received: ${JSON.stringify(chunk.text)}`);
      else if (logger.isLevelEnabled?.('debug') !== false)
        logger.debug(`Chunk ${progress.textChunks}: ${JSON.stringify(chunk.text)}`);
    },
    onReport: (report) => {
      if (report.outcome === 'complete') logger.info(`Streaming complete - ${totals(report)}`);
      else if (report.outcome === 'error')
        (logger.warn ?? logger.info).call(logger, `Streaming failed (${report.errorKind}) - ${totals(report)}`);
      else logger.info(`Streaming stopped - ${totals(report)}`);
    },
  };
}
