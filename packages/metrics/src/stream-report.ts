import { type Chunk, type FinishReason, isContentChunk, LLMError, type LLMErrorKind, type Usage } from '@rxllm/core';
import { GapHistogram, type GapStats } from './gap-histogram.js';

/**
 * How a measured stream ended.
 *
 * @example
 * ```ts
 * measure((report) => report.outcome === 'unsubscribed' && console.log('stopped early', report.chars));
 * ```
 */
export type StreamOutcome = 'complete' | 'error' | 'unsubscribed';

/**
 * Measurements of one stream. All times are milliseconds of scheduler time since subscription.
 * `chunks` counts every chunk, `contentChunks` text/reasoning/tool-call chunks, `textChunks` text chunks;
 * `chars` is the length (UTF-16 code units) of all text. While streaming, `outcome` is `undefined`.
 *
 * @example
 * ```ts
 * measure((report: StreamReport) => console.log(report.ttftMs, report.tokensPerSecond, report.gaps.p50));
 * ```
 */
export interface StreamReport {
  /** Time to the first content chunk. */
  ttftMs?: number;
  chunks: number;
  contentChunks: number;
  textChunks: number;
  chars: number;
  durationMs: number;
  /** From the last usage chunk. */
  outputTokens?: number;
  /** `outputTokens` over the time from the first content chunk to the end. */
  tokensPerSecond?: number;
  /** Gaps between consecutive content chunks. */
  gaps: GapStats;
  usage?: Usage;
  finishReason?: FinishReason;
  outcome?: StreamOutcome;
  /** The `LLMError` kind (`unknown` for any other error) when `outcome` is `error`. */
  errorKind?: LLMErrorKind;
  provider?: string;
  model?: string;
}

/**
 * What sinks can read cheaply on every chunk; `snapshot()` builds a full report.
 *
 * @example
 * ```ts
 * const sink: MetricsSink = { onChunk: (chunk, progress) => progress.textChunks === 1 && console.log('first text') };
 * ```
 */
export interface StreamProgress {
  readonly chunks: number;
  readonly contentChunks: number;
  readonly textChunks: number;
  readonly chars: number;
  readonly ttftMs: number | undefined;
  readonly provider: string | undefined;
  readonly model: string | undefined;
  snapshot(): StreamReport;
}

/** Per-subscription measuring state: constant memory whatever the stream length. */
export class StreamMeter implements StreamProgress {
  chunks = 0;
  contentChunks = 0;
  textChunks = 0;
  chars = 0;
  ttftMs: number | undefined;
  provider: string | undefined;
  model: string | undefined;
  private usage: Usage | undefined;
  private finishReason: FinishReason | undefined;
  private lastContentAt: number | undefined;
  private endedAt: number | undefined;
  private outcome: StreamOutcome | undefined;
  private errorKind: LLMErrorKind | undefined;
  private readonly gaps = new GapHistogram();

  constructor(
    private readonly now: () => number,
    private readonly startedAt: number,
    labels: { provider?: string; model?: string } = {},
  ) {
    this.provider = labels.provider;
    this.model = labels.model;
  }

  record(chunk: Chunk): void {
    this.chunks += 1;
    if (isContentChunk(chunk)) {
      const at = this.now();
      if (this.lastContentAt === undefined) this.ttftMs = at - this.startedAt;
      else this.gaps.record(at - this.lastContentAt);
      this.lastContentAt = at;
      this.contentChunks += 1;
    }
    switch (chunk.type) {
      case 'start':
        this.provider ??= chunk.provider;
        this.model ??= chunk.model;
        break;
      case 'text':
        this.textChunks += 1;
        this.chars += chunk.text.length;
        break;
      case 'usage':
        this.usage = { ...this.usage, ...chunk.usage };
        break;
      case 'finish':
        this.finishReason = chunk.reason;
        break;
    }
  }

  end(outcome: StreamOutcome, error?: unknown): StreamReport {
    this.endedAt = this.now();
    this.outcome = outcome;
    if (outcome === 'error') this.errorKind = LLMError.isInstance(error) ? error.kind : 'unknown';
    return this.snapshot();
  }

  snapshot(): StreamReport {
    const at = this.endedAt ?? this.now();
    const outputTokens = this.usage?.outputTokens;
    const generatingMs = this.ttftMs === undefined ? 0 : at - this.startedAt - this.ttftMs;
    const report: StreamReport = {
      chunks: this.chunks,
      contentChunks: this.contentChunks,
      textChunks: this.textChunks,
      chars: this.chars,
      durationMs: at - this.startedAt,
      gaps: this.gaps.stats(),
    };
    if (this.ttftMs !== undefined) report.ttftMs = this.ttftMs;
    if (outputTokens !== undefined) report.outputTokens = outputTokens;
    if (outputTokens !== undefined && generatingMs > 0) report.tokensPerSecond = outputTokens / (generatingMs / 1000);
    if (this.usage) report.usage = { ...this.usage };
    if (this.finishReason) report.finishReason = this.finishReason;
    if (this.outcome) report.outcome = this.outcome;
    if (this.errorKind) report.errorKind = this.errorKind;
    if (this.provider !== undefined) report.provider = this.provider;
    if (this.model !== undefined) report.model = this.model;
    return report;
  }
}
