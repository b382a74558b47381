import type { Usage } from '@rxllm/core';
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
  /** Tokens the agent reported for the whole reply, every step of a tool loop added up. */
  inputTokens?: number;
  outputTokens?: number;
  /** Steps of a tool loop (0 or absent: none) and the tool calls it made. */
  steps?: number;
  toolCalls?: number;
}

type TokenCounts = Pick<Usage, 'inputTokens' | 'outputTokens'>;

function addTokens(left: TokenCounts | undefined, right: TokenCounts | undefined): TokenCounts | undefined {
  if (!left || !right) return left ?? right;
  const sum = (a?: number, b?: number) => (a === undefined && b === undefined ? undefined : (a ?? 0) + (b ?? 0));
  const inputTokens = sum(left.inputTokens, right.inputTokens);
  const outputTokens = sum(left.outputTokens, right.outputTokens);
  return {
    ...(inputTokens === undefined ? {} : { inputTokens }),
    ...(outputTokens === undefined ? {} : { outputTokens }),
  };
}

/**
 * The reply's tokens across the steps of a tool loop: each `step-finish` brings the sum so far (`totalUsage`, or
 * its own `usage` added up when the agent sent no sum), and the `usage` event of the step still running adds to it.
 * A reply without steps is its one `usage` event, as before.
 */
function createUsageSum() {
  let finishedSteps: TokenCounts | undefined;
  let runningStep: TokenCounts | undefined;
  return {
    observe(event: AgentEvent): void {
      if (event.type === 'usage') runningStep = event.usage;
      if (event.type !== 'step-finish') return;
      finishedSteps = event.totalUsage ?? addTokens(finishedSteps, event.usage ?? runningStep);
      runningStep = undefined;
    },
    total: () => addTokens(finishedSteps, runningStep),
  };
}

/**
 * Time a tool loop spends between steps (from a step's model answer, its `finish`, to the next `step-start`):
 * running tools and waiting for approvals, which is not generation and must not lower the tokens/s.
 */
function createToolTime(now: () => number) {
  let pausedAt: number | undefined;
  let inLoop = false;
  let milliseconds = 0;
  return {
    observe(event: AgentEvent): void {
      if (event.type === 'step-start') {
        inLoop = true;
        if (pausedAt !== undefined) milliseconds += now() - pausedAt;
        pausedAt = undefined;
      } else if (event.type === 'finish' && inLoop) {
        pausedAt = now();
      }
    },
    /** Tool time until `end` (a pause still open at the end counts up to it). */
    until: (end: number) => milliseconds + (pausedAt === undefined ? 0 : Math.max(0, end - pausedAt)),
  };
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
  let steps = 0;
  let toolCalls = 0;
  let server: StreamMetrics | undefined;
  const usage = createUsageSum();
  const toolTime = createToolTime(now);
  return {
    observe(event: AgentEvent): void {
      if (event.type === 'text' || event.type === 'reasoning' || event.type === 'tool-call') firstContentAt ??= now();
      usage.observe(event);
      toolTime.observe(event);
      if (event.type === 'text') {
        chunks += 1;
        for (const _ of event.text) chars += 1;
      } else if (event.type === 'step-start') {
        steps = Math.max(steps, event.step);
      } else if (event.type === 'tool-call-ready') {
        toolCalls += 1;
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
      const { inputTokens, outputTokens } = usage.total() ?? {};
      const tokens = outputTokens ?? (chars > 0 ? chars / 4 : undefined);
      const generationMs = firstContentAt === undefined ? 0 : end - firstContentAt - toolTime.until(end);
      const seconds = (generationMs > 1 ? generationMs : durationMs) / 1000;
      return {
        ttftMs: firstContentAt === undefined ? undefined : firstContentAt - startedAt,
        serverTtftMs: server?.ttftMs ?? undefined,
        chunks,
        chars,
        durationMs,
        tokensPerSecond: tokens === undefined || seconds <= 0 ? undefined : tokens / seconds,
        tokensEstimated: outputTokens === undefined,
        ...(inputTokens === undefined ? {} : { inputTokens }),
        ...(outputTokens === undefined ? {} : { outputTokens }),
        ...(steps > 0 ? { steps, toolCalls } : {}),
      };
    },
  };
}

function tokenCounts(metrics: ReplyMetrics): string | undefined {
  const { inputTokens, outputTokens } = metrics;
  if (inputTokens === undefined && outputTokens === undefined) return undefined;
  if (inputTokens === undefined) return `${outputTokens} tokens out`;
  if (outputTokens === undefined) return `${inputTokens} tokens in`;
  return `${inputTokens} in / ${outputTokens} out tokens`;
}

function loopSummary(metrics: ReplyMetrics): string | undefined {
  if (!metrics.steps) return undefined;
  const calls = metrics.toolCalls ?? 0;
  return `${metrics.steps} ${metrics.steps === 1 ? 'step' : 'steps'}, ${calls} tool ${calls === 1 ? 'call' : 'calls'}`;
}

/**
 * The per-reply line: `TTFT 120 ms (server 95 ms) · 42 chunks · 31.5 tokens/s · 1.34 s`; estimated rates say so.
 * With usage it also says the tokens (`12 in / 40 out tokens`, every step of a tool loop added up), and for a tool
 * loop its steps and tool calls (`2 steps, 1 tool call`); tokens/s then leaves out the time spent in tools.
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
  const loop = loopSummary(metrics);
  if (loop) parts.push(loop);
  const tokens = tokenCounts(metrics);
  if (tokens) parts.push(tokens);
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
