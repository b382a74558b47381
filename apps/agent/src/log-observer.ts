import type { Chunk } from '@rxllm/core';
import type { Logger } from 'pino';
import type { StreamObserver } from './generation.js';
import { truncateForLog } from './logger.js';

function chunkText(chunk: Chunk): string {
  if (chunk.type === 'text' || chunk.type === 'reasoning') return chunk.text;
  if (chunk.type === 'tool-call') return `${chunk.name ?? ''}${chunk.argumentsDelta}`;
  return '';
}

/**
 * The seed's log lines for a stream: `Streaming response...`, `First chunk received: "Once"`, `Chunk N: "…"` at
 * debug, `Streaming complete - Total chunks: N, Total length: M characters`; failures and cancellations (499) too.
 *
 * @example
 * ```ts
 * generate({ source, streamId, observer: logObserver(logger) });
 * ```
 */
export function logObserver(logger: Logger): StreamObserver {
  return {
    started: (streamId) => logger.info({ streamId }, 'Streaming response...'),
    firstChunk: (chunk, ttftMs, streamId) =>
      logger.info(
        { streamId, ttftMs },
        `First chunk received: ${JSON.stringify(truncateForLog(chunkText(chunk), 80))}`,
      ),
    chunk: (chunk, index, streamId) => {
      if (index > 1 && logger.isLevelEnabled('debug')) {
        logger.debug({ streamId }, `Chunk ${index}: ${JSON.stringify(truncateForLog(chunkText(chunk), 80))}`);
      }
    },
    ended: (outcome, streamId) => {
      const { chunks, chars, durationMs, ttftMs } = outcome.metrics;
      const fields = { streamId, chunks, chars, durationMs, ttftMs };
      if (outcome.status === 'completed') {
        logger.info(fields, `Streaming complete - Total chunks: ${chunks}, Total length: ${chars} characters`);
      } else if (outcome.status === 'cancelled') {
        logger.info(
          { ...fields, status: 499 },
          `Streaming cancelled (499) - the client went away after ${chunks} chunks, ${chars} characters`,
        );
      } else {
        logger.warn(
          { ...fields, status: outcome.error.status, kind: outcome.error.kind },
          `Streaming failed (${outcome.error.status} ${outcome.error.kind}) after ${chunks} chunks: ${outcome.error.message}`,
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
