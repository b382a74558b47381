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
  /** Output tokens per second of generation (first content to end). */
  tokensPerSecond: number | undefined;
  /** True when `tokensPerSecond` is estimated from characters (chars / 4) because the agent sent no usage. */
  tokensEstimated: boolean;
  outputTokens: number | undefined;
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

/**
 * Measures a reply on the client side: chunks, characters, time to first token, tokens per second (from the
 * `usage` event when the agent forwards one, else estimated as chars / 4). `now` is injectable for tests.
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
  let firstContentAt: number | undefined;
  let chunks = 0;
  let chars = 0;
  let outputTokens: number | undefined;
  let objectFields: number | undefined;
  return {
    observe(event) {
      if (event.type === 'text' || event.type === 'reasoning' || event.type === 'tool-call') {
        firstContentAt ??= now();
      }
      if (event.type === 'text') {
        chunks += 1;
        for (const _ of event.text) chars += 1;
      } else if (event.type === 'usage' && typeof event.usage.outputTokens === 'number') {
        outputTokens = event.usage.outputTokens;
      } else if (event.type === 'object') {
        objectFields = countLeaves(event.object);
      }
    },
    summary() {
      const endedAt = now();
      const durationMs = endedAt - startedAt;
      const generationSeconds = firstContentAt === undefined ? 0 : (endedAt - firstContentAt) / 1000;
      const tokens = outputTokens ?? (chars > 0 ? chars / 4 : undefined);
      const seconds = generationSeconds > 0.001 ? generationSeconds : durationMs / 1000;
      return {
        chunks,
        chars,
        ttftMs: firstContentAt === undefined ? undefined : firstContentAt - startedAt,
        durationMs,
        tokensPerSecond: tokens === undefined || seconds <= 0 ? undefined : tokens / seconds,
        tokensEstimated: outputTokens === undefined,
        outputTokens,
        objectFields,
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

/**
 * The final metrics line: `Complete: N chunks, M chars, TTFT X ms, Y tokens/s` (`~Y tokens/s (est.)` when estimated).
 *
 * @example
 * ```ts
 * formatComplete(meter.summary()); // "Complete: 147 chunks, 523 chars, TTFT 412 ms, 38.2 tokens/s"
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
  return `Complete: ${summary.chunks} chunks, ${summary.chars} chars, ${ttft}, ${rate}`;
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
