import { toJsonLine } from './json-line.js';
import { type ReadSseOptions, readServerSentEvents } from './sse.js';

/** The agent's live numbers for the dashboard, as `GET /stats` answers and each `GET /stats/stream` event carries. */
export interface StatsSnapshot {
  /** When it was taken: milliseconds since the epoch (`Date.now()` on the agent). */
  time: number;
  activeStreams: number;
  streamsStarted: number;
  streamsCompleted: number;
  streamsFailed: number;
  /** TTFT percentiles over the agent's recent streams; `null` before the first one. */
  ttftMsP50: number | null;
  ttftMsP95: number | null;
  /** Rates since the previous sample. */
  chunksPerSecond: number;
  charsPerSecond: number;
  /** Server-side tool calls run (finished) so far, and how many of them ended with a tool error (denials included). */
  toolCalls: number;
  toolCallsFailed: number;
  /** Tool call duration percentiles over the agent's recent calls; `null` before the first one. */
  toolMsP50: number | null;
  toolMsP95: number | null;
  /** What the priced streams cost so far, in US dollars (the agent's price table; estimated for cut streams). */
  costUsd: number;
}

const numberFields = [
  'time',
  'activeStreams',
  'streamsStarted',
  'streamsCompleted',
  'streamsFailed',
  'chunksPerSecond',
  'charsPerSecond',
  'toolCalls',
  'toolCallsFailed',
  'costUsd',
] as const satisfies ReadonlyArray<keyof StatsSnapshot>;
const nullableNumberFields = ['ttftMsP50', 'ttftMsP95', 'toolMsP50', 'toolMsP95'] as const satisfies ReadonlyArray<
  keyof StatsSnapshot
>;

/**
 * True when a parsed JSON value is a {@link StatsSnapshot}.
 *
 * @example
 * ```ts
 * isStatsSnapshot(await (await fetch('http://localhost:8080/stats')).json()); // true
 * ```
 */
export function isStatsSnapshot(value: unknown): value is StatsSnapshot {
  if (typeof value !== 'object' || value === null) return false;
  const fields = value as Record<string, unknown>;
  return (
    numberFields.every((name) => typeof fields[name] === 'number') &&
    nullableNumberFields.every((name) => fields[name] === null || typeof fields[name] === 'number')
  );
}

/**
 * One event of the `GET /stats/stream` feed: `data: <one-line JSON>\n\n` (no `id:`, no `event:`).
 *
 * @example
 * ```ts
 * response.write(encodeStatsEvent(stats.sample()));
 * ```
 */
export function encodeStatsEvent(snapshot: StatsSnapshot): string {
  return `data: ${toJsonLine(snapshot)}\n\n`;
}

/**
 * The {@link StatsSnapshot} of one feed event's `data:`, or `undefined` when it is not one.
 *
 * @example
 * ```ts
 * decodeStatsEvent('{"time":1,"activeStreams":0, …}'); // a StatsSnapshot
 * decodeStatsEvent('junk'); // undefined
 * ```
 */
export function decodeStatsEvent(data: string): StatsSnapshot | undefined {
  try {
    const value: unknown = JSON.parse(data);
    return isStatsSnapshot(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads the `GET /stats/stream` feed as its snapshots. A malformed event is skipped: the dashboard is informative,
 * not authoritative. Leaving the loop cancels the body.
 *
 * @example
 * ```ts
 * const response = await fetch('http://localhost:8080/stats/stream');
 * for await (const snapshot of readStatsSnapshots(response.body!)) console.log(snapshot.activeStreams);
 * ```
 */
export async function* readStatsSnapshots(
  body: ReadableStream<Uint8Array>,
  options: ReadSseOptions = {},
): AsyncGenerator<StatsSnapshot> {
  for await (const message of readServerSentEvents(body, options)) {
    const snapshot = decodeStatsEvent(message.data);
    if (snapshot) yield snapshot;
  }
}
