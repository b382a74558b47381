import type { Chunk, CompletionRequest, Provider } from '@rxllm/core';
import { logSink, type MetricsSink, measure } from '@rxllm/metrics';
import { retryBeforeFirstChunk } from '@rxllm/retry';
import { streamTimeout } from '@rxllm/timeout';
import type { Logger } from 'pino';
import type { Observable } from 'rxjs';
import type { AgentConfig } from '../config.js';

/** Longest `Retry-After` the agent waits out itself before the first chunk. */
export const maxRetryWaitMs = 5_000;

/**
 * The provider side of every request, whatever the transport: provider stream → retry before the first chunk →
 * timeouts (first chunk, idle, total) → metrics (`@rxllm/metrics`' `measure` with its seed log lines:
 * `Streaming response...`, `First chunk received: "…"`, `Chunk N: "…"` at debug, `Streaming complete - …`).
 * Cold: nothing happens until a transport subscribes.
 *
 * @example
 * ```ts
 * const source = providerPipeline(provider, { messages: [{ role: 'user', content: 'Hi' }] }, config, logger);
 * ```
 */
export function providerPipeline(
  provider: Provider,
  request: CompletionRequest,
  config: Pick<AgentConfig, 'firstChunkTimeoutMs' | 'idleTimeoutMs' | 'totalTimeoutMs' | 'maxRetries'>,
  logger: Logger,
  sinks: MetricsSink[] = [],
): Observable<Chunk> {
  return provider.stream(request).pipe(
    // A vendor asking for a longer pause than this gets its 429 + Retry-After passed on instead of holding the client.
    retryBeforeFirstChunk({ maxRetries: config.maxRetries, maxRetryAfterMs: maxRetryWaitMs }),
    streamTimeout({
      provider: provider.name,
      ...(config.firstChunkTimeoutMs === undefined ? {} : { firstChunkMs: config.firstChunkTimeoutMs }),
      ...(config.idleTimeoutMs === undefined ? {} : { idleMs: config.idleTimeoutMs }),
      ...(config.totalTimeoutMs === undefined ? {} : { totalMs: config.totalTimeoutMs }),
    }),
    measure([logSink(logger), ...sinks], { provider: provider.name }),
  );
}
