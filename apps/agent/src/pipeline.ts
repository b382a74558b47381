import type { Chunk, CompletionRequest, Provider } from '@rxllm/core';
import { retryBeforeFirstChunk } from '@rxllm/retry';
import { streamTimeout } from '@rxllm/timeout';
import type { Observable } from 'rxjs';
import type { AgentConfig } from './config.js';

/** Longest `Retry-After` the agent waits out itself before the first chunk. */
export const maxRetryWaitMs = 5_000;

/**
 * The provider side of every request, whatever the transport: provider stream → retry before the first chunk →
 * timeouts (first chunk, idle, total). Cold: nothing happens until a transport subscribes.
 *
 * @example
 * ```ts
 * const source = providerPipeline(provider, { messages: [{ role: 'user', content: 'Hi' }] }, config);
 * ```
 */
export function providerPipeline(
  provider: Provider,
  request: CompletionRequest,
  config: Pick<AgentConfig, 'firstChunkTimeoutMs' | 'idleTimeoutMs' | 'totalTimeoutMs' | 'maxRetries'>,
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
  );
}
