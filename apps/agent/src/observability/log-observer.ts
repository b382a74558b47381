import type { Logger } from 'pino';
import type { StreamObserver } from '../generation/generate.js';

/**
 * What `@rxllm/metrics`' `logSink` does not say: a stream the client abandoned is logged as cancelled (499) with
 * the chunks it got, and a failure with its status and message (messages never hold keys: `LLMError` builds them
 * from vendor bodies). The seed lines themselves come from `logSink` in the provider pipeline.
 *
 * @example
 * ```ts
 * generate({ source, streamId, observer: logObserver(logger) });
 * ```
 */
export function logObserver(logger: Logger): StreamObserver {
  return {
    ended: (outcome, streamId) => {
      const { chunks, chars, durationMs, ttftMs } = outcome.metrics;
      const fields = { streamId, chunks, chars, durationMs, ttftMs };
      if (outcome.status === 'cancelled') {
        logger.info(
          { ...fields, status: 499 },
          `Streaming cancelled (499) - the client went away after ${chunks} chunks, ${chars} characters`,
        );
      } else if (outcome.status === 'failed') {
        logger.warn(
          { ...fields, status: outcome.error.status, kind: outcome.error.kind },
          `Stream error (${outcome.error.status} ${outcome.error.kind}) after ${chunks} chunks: ${outcome.error.message}`,
        );
      }
    },
  };
}

/** Calls every observer in turn. */
export function combineObservers(...observers: StreamObserver[]): StreamObserver {
  return {
    started: (streamId) => {
      for (const observer of observers) observer.started?.(streamId);
    },
    chunk: (chunk, index, streamId) => {
      for (const observer of observers) observer.chunk?.(chunk, index, streamId);
    },
    firstChunk: (chunk, ttftMs, streamId) => {
      for (const observer of observers) observer.firstChunk?.(chunk, ttftMs, streamId);
    },
    ended: (outcome, streamId) => {
      for (const observer of observers) observer.ended?.(outcome, streamId);
    },
  };
}
