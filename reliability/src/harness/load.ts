import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent } from 'undici';
import { postChat, socketChat } from './clients.js';
import { percentile, round1 } from './results.js';
import { expectedTextFor, messageFor } from './scripted-text.js';
import type { SecretScanner } from './secrets.js';
import { type SeenEvent, verifyTranscript } from './verify.js';

export interface LoadOptions {
  agentUrl: string;
  sseStreams: number;
  webSocketStreams: number;
  /** Pieces per scripted reply (the mock responder must use the same number). */
  pieces: number;
  scanner: SecretScanner;
  /** Streams started per ramp step (every 5 ms), so the listen backlog is not flooded. */
  rampBatch?: number;
  deadlineMs?: number;
  /** Request id prefix, so several runs against one mock stay distinct. */
  label: string;
}

/** One failed stream, with enough detail to see what went wrong. */
export interface LoadFailure {
  requestId: string;
  transport: 'sse' | 'websocket';
  problem: string;
}

export interface LoadFigures {
  streams: number;
  completed: number;
  failures: LoadFailure[];
  /** Streams whose text was short, reordered, duplicated, or carried another stream's text. */
  lost: number;
  reordered: number;
  duplicated: number;
  mixed: number;
  httpErrors: number;
  /** Connections that failed before any byte of a reply (refused or reset): loud failures, not truncations. */
  connectionFailures: number;
  peakConcurrent: number;
  durationMs: number;
  firstEventMs: { p50: number; p99: number };
  streamMs: { p50: number; p99: number; max: number };
  /** Largest gap between two consecutive text events of one stream, at the client. */
  interChunkGapMs: { p50: number; p99: number; max: number };
}

/** Classifies a wrong transcript: which of the integrity rules it broke. */
function classify(events: readonly SeenEvent[], requestId: string, pieces: number) {
  const texts = events.filter((event) => event.type === 'text').map((event) => String(event.data.text));
  const expectedPieces = expectedTextFor(requestId, pieces);
  const mixed = texts.some((text) => !text.startsWith(`${requestId}#`));
  const indexes = texts.map((text) => Number(/#(\d+) /.exec(text)?.[1]));
  const duplicated = new Set(indexes).size !== indexes.length;
  const reordered = indexes.some((value, index) => index > 0 && value < (indexes[index - 1] as number));
  const lost = texts.join('') !== expectedPieces && !mixed && !duplicated && !reordered;
  return { mixed, duplicated, reordered, lost };
}

/**
 * Runs `sseStreams` SSE and `webSocketStreams` WebSocket generations at once against the agent, each with its own
 * scripted text, and checks every transcript exactly.
 *
 * @example
 * ```ts
 * const figures = await runLoad({ agentUrl, sseStreams: 200, webSocketStreams: 200, pieces: 40, scanner, label: 'a' });
 * ```
 */
export async function runLoad(options: LoadOptions): Promise<LoadFigures> {
  const dispatcher = new Agent({ pipelining: 1, connect: { timeout: 60_000 }, keepAliveTimeout: 1_000 });
  const failures: LoadFailure[] = [];
  const counts = { lost: 0, reordered: 0, duplicated: 0, mixed: 0, httpErrors: 0, completed: 0, connectionFailures: 0 };
  const firstEvent: number[] = [];
  const streamDurations: number[] = [];
  const gaps: number[] = [];
  let active = 0;
  let peakConcurrent = 0;
  const deadlineMs = options.deadlineMs ?? 120_000;

  const check = (
    transport: 'sse' | 'websocket',
    requestId: string,
    startedAt: number,
    events: SeenEvent[],
    error: string | undefined,
  ) => {
    const verdict = verifyTranscript(events);
    const expected = expectedTextFor(requestId, options.pieces);
    const textEvents = events.filter((event) => event.type === 'text');
    if (events[0]) firstEvent.push(events[0].at - startedAt);
    if (events.length > 0) streamDurations.push((events.at(-1) as SeenEvent).at - startedAt);
    let largestGap = 0;
    for (let index = 1; index < textEvents.length; index += 1) {
      largestGap = Math.max(largestGap, (textEvents[index] as SeenEvent).at - (textEvents[index - 1] as SeenEvent).at);
    }
    gaps.push(largestGap);
    if (!error && verdict.problems.length === 0 && verdict.terminal === 'done' && verdict.text === expected) {
      counts.completed += 1;
      return;
    }
    if (error && events.length === 0) {
      counts.connectionFailures += 1;
      failures.push({ requestId, transport, problem: `connection failed before any byte: ${error}`.slice(0, 300) });
      return;
    }
    const kind = classify(events, requestId, options.pieces);
    if (kind.mixed) counts.mixed += 1;
    if (kind.duplicated) counts.duplicated += 1;
    if (kind.reordered) counts.reordered += 1;
    if (kind.lost) counts.lost += 1;
    failures.push({
      requestId,
      transport,
      problem: [error, ...verdict.problems, verdict.terminal === 'error' ? `error ${verdict.errorKind}` : undefined]
        .filter(Boolean)
        .join('; ')
        .slice(0, 300),
    });
  };

  const runSse = async (index: number) => {
    const requestId = `${options.label}-sse-${index}`;
    const startedAt = performance.now();
    active += 1;
    peakConcurrent = Math.max(peakConcurrent, active);
    const reply = await postChat(
      `${options.agentUrl}/chat`,
      { message: messageFor(requestId) },
      { dispatcher, deadlineMs },
    );
    active -= 1;
    options.scanner.body(reply.raw);
    if (reply.status !== 200) counts.httpErrors += 1;
    check(
      'sse',
      requestId,
      startedAt,
      reply.events,
      reply.readError ?? (reply.status !== 200 ? `HTTP ${reply.status}` : undefined),
    );
  };
  const runSocket = async (index: number) => {
    const requestId = `${options.label}-ws-${index}`;
    const startedAt = performance.now();
    active += 1;
    peakConcurrent = Math.max(peakConcurrent, active);
    const reply = await socketChat(options.agentUrl, { message: messageFor(requestId) }, { deadlineMs });
    active -= 1;
    for (const frame of reply.raw) options.scanner.body(frame, 'websocket');
    check('websocket', requestId, startedAt, reply.events, reply.error);
  };

  const started = performance.now();
  const runs: Promise<void>[] = [];
  const total = Math.max(options.sseStreams, options.webSocketStreams);
  const batch = options.rampBatch ?? 25;
  for (let index = 0; index < total; index += 1) {
    if (index < options.sseStreams) runs.push(runSse(index));
    if (index < options.webSocketStreams) runs.push(runSocket(index));
    if ((index + 1) % batch === 0) await sleep(5);
  }
  await Promise.all(runs);
  const durationMs = performance.now() - started;
  await dispatcher.close();
  return {
    streams: options.sseStreams + options.webSocketStreams,
    completed: counts.completed,
    failures,
    lost: counts.lost,
    reordered: counts.reordered,
    duplicated: counts.duplicated,
    mixed: counts.mixed,
    httpErrors: counts.httpErrors,
    connectionFailures: counts.connectionFailures,
    peakConcurrent,
    durationMs: round1(durationMs),
    firstEventMs: { p50: round1(percentile(firstEvent, 50)), p99: round1(percentile(firstEvent, 99)) },
    streamMs: {
      p50: round1(percentile(streamDurations, 50)),
      p99: round1(percentile(streamDurations, 99)),
      max: round1(Math.max(...streamDurations)),
    },
    interChunkGapMs: {
      p50: round1(percentile(gaps, 50)),
      p99: round1(percentile(gaps, 99)),
      max: round1(Math.max(...gaps)),
    },
  };
}
