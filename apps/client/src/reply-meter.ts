import type { Usage } from '@rxllm/core';
import type { AgentEvent, StreamMetrics } from '@rxllm/protocol';

/** What the client measured about one reply. */
export interface ReplySummary {
  /** Text chunks received. */
  chunks: number;
  /** Characters of answer text (Unicode code points, so an emoji counts once). */
  chars: number;
  /** Request start to first content event (text, reasoning or tool call), measured by the client. */
  ttftMs: number | undefined;
  durationMs: number;
  /**
   * Output tokens per second of generation: from each step's first content to its `finish` (the model's time only,
   * so a tool's run or a wait for approval between steps does not count); first content to end without steps.
   */
  tokensPerSecond: number | undefined;
  /** True when `tokensPerSecond` is estimated from characters (chars / 4) because the agent sent no usage. */
  tokensEstimated: boolean;
  /** Output tokens of the whole reply: every step's, from `step-finish.totalUsage` (or the sum of the steps' usage). */
  outputTokens: number | undefined;
  /** Model requests of a tool loop (`step-finish` events); 0 for a reply without tool-loop events. */
  steps?: number;
  /** Tool calls made (`tool-call-ready` events). */
  toolCalls?: number;
  /** Values (leaves, at any depth) of the latest `object` event so far; undefined before any came. */
  objectFields?: number | undefined;
}

/** The values of a JSON value at any depth: an empty object or array counts as none, a scalar as one. */
function countLeaves(value: unknown, depth = 0): number {
  if (typeof value !== 'object' || value === null) return 1;
  if (depth > 64) return 0;
  return Object.values(value).reduce((total: number, entry) => total + countLeaves(entry, depth + 1), 0);
}

/** Counts one reply's events as they arrive; see {@link createReplyMeter}. */
export interface ReplyMeter {
  observe(event: AgentEvent): void;
  summary(): ReplySummary;
}

/** Output tokens across the steps of a tool loop, from what each step and the loop report. */
interface TokenCount {
  observe(event: AgentEvent): void;
  total(): number | undefined;
}

/**
 * Each step reports its own `usage` (the provider's, possibly several times: the latest counts) and `step-finish`
 * brings the loop's running `totalUsage`, which wins when present; the steps' figures are summed otherwise.
 */
function createTokenCount(): TokenCount {
  let finishedSteps: number | undefined;
  let currentStep: number | undefined;
  const add = (a: number | undefined, b: number | undefined) => (a === undefined ? b : b === undefined ? a : a + b);
  const outputOf = (usage: Usage | undefined) =>
    typeof usage?.outputTokens === 'number' ? usage.outputTokens : undefined;
  return {
    observe(event) {
      if (event.type === 'usage') {
        currentStep = outputOf(event.usage) ?? currentStep;
      } else if (event.type === 'step-finish') {
        finishedSteps = outputOf(event.totalUsage) ?? add(finishedSteps, outputOf(event.usage) ?? currentStep);
        currentStep = undefined;
      }
    },
    total: () => add(finishedSteps, currentStep),
  };
}

/** The model's own time: from the first content of each step to its `finish`, summed (the last one may be open). */
function createGenerationClock(now: () => number) {
  let closedMs = 0;
  let openedAt: number | undefined;
  let firstContentAt: number | undefined;
  return {
    content() {
      if (openedAt !== undefined) return;
      openedAt = now();
      firstContentAt ??= openedAt;
    },
    finish() {
      if (openedAt === undefined) return;
      closedMs += now() - openedAt;
      openedAt = undefined;
    },
    firstContentAt: () => firstContentAt,
    elapsedMs: (endedAt: number) => closedMs + (openedAt === undefined ? 0 : endedAt - openedAt),
  };
}

/**
 * Measures a reply on the client side: chunks, characters, time to first token, tokens per second (from the
 * `usage` events when the agent forwards them, summed over the steps of a tool loop, else estimated as chars / 4),
 * steps and tool calls. `now` is injectable for tests.
 *
 * @example
 * ```ts
 * const meter = createReplyMeter();
 * for await (const event of streamChat(options)) meter.observe(event);
 * console.error(formatComplete(meter.summary()));
 * ```
 */
export function createReplyMeter(now: () => number = () => performance.now()): ReplyMeter {
  const startedAt = now();
  const clock = createGenerationClock(now);
  const tokens = createTokenCount();
  let chunks = 0;
  let chars = 0;
  let steps = 0;
  let toolCalls = 0;
  let objectFields: number | undefined;
  return {
    observe(event) {
      tokens.observe(event);
      if (event.type === 'text' || event.type === 'reasoning' || event.type === 'tool-call') clock.content();
      if (event.type === 'text') {
        chunks += 1;
        for (const _ of event.text) chars += 1;
      } else if (event.type === 'finish') {
        clock.finish();
      } else if (event.type === 'step-finish') {
        steps += 1;
      } else if (event.type === 'tool-call-ready') {
        toolCalls += 1;
      } else if (event.type === 'object') {
        objectFields = countLeaves(event.object);
      }
    },
    summary() {
      const endedAt = now();
      const durationMs = endedAt - startedAt;
      const firstContentAt = clock.firstContentAt();
      const generationSeconds = clock.elapsedMs(endedAt) / 1000;
      const outputTokens = tokens.total();
      const estimate = outputTokens ?? (chars > 0 ? chars / 4 : undefined);
      const seconds = generationSeconds > 0.001 ? generationSeconds : durationMs / 1000;
      return {
        chunks,
        chars,
        ttftMs: firstContentAt === undefined ? undefined : firstContentAt - startedAt,
        durationMs,
        tokensPerSecond: estimate === undefined || seconds <= 0 ? undefined : estimate / seconds,
        tokensEstimated: outputTokens === undefined,
        outputTokens,
        objectFields,
        steps,
        toolCalls,
      };
    },
  };
}

/**
 * The progress line of the seed, meant for a terminal's stderr (starts with `\r` to overwrite itself); with
 * `objectFields` (an object run), how many values the partial object holds so far.
 *
 * @example
 * ```ts
 * process.stderr.write(formatProgress(12, 345)); // "\rReceived 12 chunks, 345 chars..."
 * process.stderr.write(formatProgress(12, 345, 4)); // "\rReceived 12 chunks, 345 chars, object: 4 fields..."
 * ```
 */
export function formatProgress(chunks: number, chars: number, objectFields?: number): string {
  const object = objectFields === undefined ? '' : `, object: ${objectFields} field${objectFields === 1 ? '' : 's'}`;
  return `\rReceived ${chunks} chunks, ${chars} chars${object}...`;
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

/** `, 2 steps, 1 tool call` for a reply that ran tools (or took several steps), else nothing. */
function toolFigures(summary: ReplySummary): string {
  const steps = summary.steps ?? 0;
  const toolCalls = summary.toolCalls ?? 0;
  if (steps <= 1 && toolCalls === 0) return '';
  return `, ${plural(steps, 'step')}, ${plural(toolCalls, 'tool call')}`;
}

/**
 * The final metrics line: `Complete: N chunks, M chars, TTFT X ms, Y tokens/s` (`~Y tokens/s (est.)` when estimated);
 * a reply that ran tools also says how many steps and calls it took, and its rate counts every step's tokens.
 *
 * @example
 * ```ts
 * formatComplete(meter.summary()); // "Complete: 147 chunks, 523 chars, TTFT 412 ms, 38.2 tokens/s"
 * // with tools: "Complete: 21 chunks, 110 chars, 2 steps, 1 tool call, TTFT 5 ms, 30.4 tokens/s"
 * ```
 */
export function formatComplete(summary: ReplySummary): string {
  const ttft = summary.ttftMs === undefined ? 'TTFT n/a' : `TTFT ${Math.round(summary.ttftMs)} ms`;
  const rate =
    summary.tokensPerSecond === undefined
      ? 'n/a tokens/s'
      : summary.tokensEstimated
        ? `~${summary.tokensPerSecond.toFixed(1)} tokens/s (est.)`
        : `${summary.tokensPerSecond.toFixed(1)} tokens/s`;
  return `Complete: ${summary.chunks} chunks, ${summary.chars} chars${toolFigures(summary)}, ${ttft}, ${rate}`;
}

/**
 * The final stderr line of `--follow`: what this client received, and the generation's own numbers from the agent's
 * `done` event (a follower's clock starts when it attached, so its TTFT and rate would describe nothing).
 *
 * @example
 * ```ts
 * formatFollowed('9d5c83fa-…', meter.summary(), { ttftMs: 202, chunks: 72, chars: 415, durationMs: 3498 });
 * // 'Followed 9d5c83fa-…: received 3 chunks, 24 chars; the agent measured TTFT 202 ms, 72 chunks, 3498 ms'
 * ```
 */
export function formatFollowed(streamId: string, summary: ReplySummary, agent: StreamMetrics | undefined): string {
  const received = `Followed ${streamId}: received ${summary.chunks} chunks, ${summary.chars} chars`;
  if (!agent) return received;
  const ttft = typeof agent.ttftMs === 'number' ? `TTFT ${Math.round(agent.ttftMs)} ms` : 'TTFT n/a';
  const parts = [ttft];
  if (typeof agent.chunks === 'number') parts.push(`${agent.chunks} chunks`);
  if (typeof agent.durationMs === 'number') parts.push(`${Math.round(agent.durationMs)} ms`);
  return `${received}; the agent measured ${parts.join(', ')}`;
}
