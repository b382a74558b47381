import type { AgentEvent, StreamMetrics } from '@rxllm/protocol';

/** What the page shows under a reply. */
export interface ReplyMetrics {
  /** Request sent to first content event, measured in the browser. */
  ttftMs: number | undefined;
  /** The agent's own TTFT (request received to first upstream chunk), from the `done` event. */
  serverTtftMs: number | undefined;
  chunks: number;
  chars: number;
  durationMs: number;
  tokensPerSecond: number | undefined;
  /** True when tokens are estimated as chars / 4 (no `usage` event). */
  tokensEstimated: boolean;
}

/**
 * Tracks one reply's numbers from its events and the clock (injectable for tests).
 *
 * @example
 * ```ts
 * const tracker = createReplyTracker();
 * for await (const event of streamChat(request)) tracker.observe(event);
 * metricsElement.textContent = formatReplyMetrics(tracker.metrics());
 * ```
 */
export function createReplyTracker(now: () => number = () => performance.now()) {
  const startedAt = now();
  let firstContentAt: number | undefined;
  let endedAt: number | undefined;
  let chunks = 0;
  let chars = 0;
  let outputTokens: number | undefined;
  let server: StreamMetrics | undefined;
  return {
    observe(event: AgentEvent): void {
      if (event.type === 'text' || event.type === 'reasoning' || event.type === 'tool-call') firstContentAt ??= now();
      if (event.type === 'text') {
        chunks += 1;
        for (const _ of event.text) chars += 1;
      } else if (event.type === 'usage' && typeof event.usage.outputTokens === 'number') {
        outputTokens = event.usage.outputTokens;
      } else if (event.type === 'done') {
        server = event.metrics;
      }
    },
    /** Freezes the duration (call when the reply ends, stops or fails). */
    end(): void {
      endedAt ??= now();
    },
    metrics(): ReplyMetrics {
      const end = endedAt ?? now();
      const durationMs = end - startedAt;
      const tokens = outputTokens ?? (chars > 0 ? chars / 4 : undefined);
      const generationMs = firstContentAt === undefined ? 0 : end - firstContentAt;
      const seconds = (generationMs > 1 ? generationMs : durationMs) / 1000;
      return {
        ttftMs: firstContentAt === undefined ? undefined : firstContentAt - startedAt,
        serverTtftMs: server?.ttftMs ?? undefined,
        chunks,
        chars,
        durationMs,
        tokensPerSecond: tokens === undefined || seconds <= 0 ? undefined : tokens / seconds,
        tokensEstimated: outputTokens === undefined,
      };
    },
  };
}

/**
 * The per-reply line: `TTFT 120 ms (server 95 ms) · 42 chunks · 31.5 tokens/s · 1.34 s`; estimated rates say so.
 *
 * @example
 * ```ts
 * formatReplyMetrics({ ttftMs: 120, serverTtftMs: 95, chunks: 42, chars: 180, durationMs: 1340,
 *   tokensPerSecond: 31.5, tokensEstimated: false });
 * ```
 */
export function formatReplyMetrics(metrics: ReplyMetrics): string {
  const parts: string[] = [];
  if (metrics.ttftMs !== undefined) {
    const server = metrics.serverTtftMs === undefined ? '' : ` (server ${Math.round(metrics.serverTtftMs)} ms)`;
    parts.push(`TTFT ${Math.round(metrics.ttftMs)} ms${server}`);
  }
  parts.push(`${metrics.chunks} ${metrics.chunks === 1 ? 'chunk' : 'chunks'}`);
  if (metrics.tokensPerSecond !== undefined) {
    parts.push(
      metrics.tokensEstimated
        ? `~${metrics.tokensPerSecond.toFixed(1)} tokens/s (est. chars/4)`
        : `${metrics.tokensPerSecond.toFixed(1)} tokens/s`,
    );
  }
  parts.push(`${(metrics.durationMs / 1000).toFixed(2)} s`);
  return parts.join(' · ');
}
