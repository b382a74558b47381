import type { Chunk } from '@rxllm/core';
import type { StatsSnapshot } from '@rxllm/protocol';
import type { StreamObserver, StreamOutcome } from '../generation/generate.js';

function percentile(sorted: readonly number[], fraction: number): number | null {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index] as number;
}

/**
 * Live numbers for the browser dashboard: stream counters, TTFT percentiles over the last `windowSize` streams,
 * chunk/char rates over the last interval, and server-side tool calls (count, failures, duration percentiles). Cancelled streams count as completed-by-the-client, not failed.
 *
 * @example
 * ```ts
 * const stats = new DashboardStats();
 * generate({ source, streamId, observer: stats.observer });
 * stats.sample(); // { activeStreams: 1, ... }
 * ```
 */
export class DashboardStats {
  private active = 0;
  private started = 0;
  private completed = 0;
  private failed = 0;
  private readonly ttfts: number[] = [];
  private chunks = 0;
  private chars = 0;
  private toolCalls = 0;
  private costUsd = 0;
  private toolCallsFailed = 0;
  private readonly toolDurations: number[] = [];
  private lastSample: { at: number; chunks: number; chars: number };

  constructor(
    private readonly windowSize = 200,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.lastSample = { at: now(), chunks: 0, chars: 0 };
  }

  readonly observer: StreamObserver = {
    started: () => {
      this.active += 1;
      this.started += 1;
    },
    firstChunk: (_chunk: Chunk, ttftMs: number) => {
      this.ttfts.push(ttftMs);
      if (this.ttfts.length > this.windowSize) this.ttfts.shift();
    },
    chunk: (chunk: Chunk) => {
      this.chunks += 1;
      if (chunk.type === 'text' || chunk.type === 'reasoning') this.chars += chunk.text.length;
    },
    ended: (outcome: StreamOutcome) => {
      this.active -= 1;
      if (outcome.status === 'failed') this.failed += 1;
      else this.completed += 1;
      if (typeof outcome.metrics.costUsd === 'number') this.costUsd += outcome.metrics.costUsd;
    },
  };

  /** One finished server-side tool call (`outcome`: `ok` or a tool error kind). */
  recordToolCall(_tool: string, outcome: string, durationMs: number): void {
    this.toolCalls += 1;
    if (outcome !== 'ok') this.toolCallsFailed += 1;
    this.toolDurations.push(durationMs);
    if (this.toolDurations.length > this.windowSize) this.toolDurations.shift();
  }

  get activeStreams(): number {
    return this.active;
  }

  /** The current numbers without moving the rate window. */
  snapshot(): StatsSnapshot {
    return this.build(false);
  }

  /** The current numbers; rates cover the time since the previous `sample()`. */
  sample(): StatsSnapshot {
    return this.build(true);
  }

  private build(advance: boolean): StatsSnapshot {
    const now = this.now();
    const elapsedSeconds = Math.max(0.001, (now - this.lastSample.at) / 1000);
    const sorted = [...this.ttfts].sort((left, right) => left - right);
    const tools = [...this.toolDurations].sort((left, right) => left - right);
    const snapshot: StatsSnapshot = {
      time: now,
      activeStreams: this.active,
      streamsStarted: this.started,
      streamsCompleted: this.completed,
      streamsFailed: this.failed,
      ttftMsP50: percentile(sorted, 0.5),
      ttftMsP95: percentile(sorted, 0.95),
      chunksPerSecond: Math.round(((this.chunks - this.lastSample.chunks) / elapsedSeconds) * 10) / 10,
      charsPerSecond: Math.round(((this.chars - this.lastSample.chars) / elapsedSeconds) * 10) / 10,
      toolCalls: this.toolCalls,
      toolCallsFailed: this.toolCallsFailed,
      toolMsP50: percentile(tools, 0.5),
      toolMsP95: percentile(tools, 0.95),
      costUsd: this.costUsd,
    };
    if (advance) this.lastSample = { at: now, chunks: this.chunks, chars: this.chars };
    return snapshot;
  }
}
