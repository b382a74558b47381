import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { serveRpc } from './processes.js';
import { percentile } from './statistics.js';
import { TEXT_MARKER } from './wire.js';

/**
 * The load client, a fork entry of its own so that its CPU is not the gateway's. It reads every stream to its end
 * (not only the headers), over an undici keep-alive pool, and times each text event by spotting
 * {@link TEXT_MARKER} in the raw bytes, whatever the gateway's dialect.
 */

export interface LoadJob {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  concurrency: number;
  /** Stop starting streams once this many have been started (after warm-up)... */
  streams?: number;
  /** ...or once this much time has passed. Whichever comes first. */
  durationMs?: number;
  /** Streams run and thrown away first (JIT, pools, caches). */
  warmupStreams?: number;
  /** Record inter-event gaps (paced streams). */
  recordGaps?: boolean;
}

export interface LoadResult {
  completed: number;
  failed: number;
  firstError: string | undefined;
  elapsedMs: number;
  streamsPerSecond: number;
  ttftP50Ms: number;
  ttftP99Ms: number;
  gapP50Ms: number;
  gapP99Ms: number;
  /** Request sent → last text event received: the whole stream's delivery time (paced streams: N × delay + added delay). */
  lastTextP50Ms: number;
  lastTextP99Ms: number;
  textEvents: number;
  textEventsPerStreamMin: number;
  bytes: number;
  clientCpuMs: number;
}

const MARKER = Buffer.from(TEXT_MARKER);

interface StreamOutcome {
  ok: boolean;
  error?: string;
  ttftMs: number;
  lastTextMs: number;
  textEvents: number;
  bytes: number;
}

function countMarkers(chunk: Buffer, carry: number): { count: number; carry: number } {
  // `carry` = 1 when the previous chunk ended with the marker's first byte (the marker split across reads).
  let count = 0;
  let from = 0;
  if (carry === 1 && chunk[0] === MARKER[1]) {
    count += 1;
    from = 1;
  }
  for (;;) {
    const index = chunk.indexOf(MARKER, from);
    if (index === -1) break;
    count += 1;
    from = index + MARKER.length;
  }
  return { count, carry: chunk[chunk.length - 1] === MARKER[0] ? 1 : 0 };
}

function openStream(
  pool: Pool,
  job: LoadJob,
  gaps: number[] | undefined,
  onFirstText?: () => void,
  registerAbort?: (abort: () => void) => void,
  /** Call `onFirstText` at the first body byte instead of the first text event. */
  onFirstByte = false,
): Promise<StreamOutcome> {
  return new Promise<StreamOutcome>((resolve) => {
    const startedAt = performance.now();
    let ttftMs = Number.NaN;
    let textEvents = 0;
    let bytes = 0;
    let carry = 0;
    let lastTextAt = 0;
    const controller = new AbortController();
    registerAbort?.(() => controller.abort());
    pool
      .request({
        path: job.path,
        method: 'POST',
        headers: job.headers,
        body: job.body,
        signal: controller.signal,
      })
      .then(({ statusCode, body }) => {
        if (statusCode !== 200) {
          body.text().then(
            (text) =>
              resolve({
                ok: false,
                error: `HTTP ${statusCode}: ${text.slice(0, 300)}`,
                ttftMs,
                lastTextMs: lastTextAt - startedAt,
                textEvents,
                bytes,
              }),
            (error: unknown) =>
              resolve({
                ok: false,
                error: `HTTP ${statusCode}: ${String(error)}`,
                ttftMs,
                lastTextMs: lastTextAt - startedAt,
                textEvents,
                bytes,
              }),
          );
          return;
        }
        body.on('data', (chunk: Buffer) => {
          if (onFirstByte && bytes === 0) onFirstText?.();
          bytes += chunk.length;
          const found = countMarkers(chunk, carry);
          carry = found.carry;
          if (found.count === 0) return;
          const now = performance.now();
          if (textEvents === 0) {
            ttftMs = now - startedAt;
            if (!onFirstByte) onFirstText?.();
          } else if (gaps) {
            gaps.push(now - lastTextAt);
          }
          if (gaps) for (let extra = 1; extra < found.count; extra += 1) gaps.push(0);
          lastTextAt = now;
          textEvents += found.count;
        });
        body.on('end', () => resolve({ ok: true, ttftMs, lastTextMs: lastTextAt - startedAt, textEvents, bytes }));
        body.on('error', (error: Error) =>
          resolve({ ok: false, error: error.message, ttftMs, lastTextMs: lastTextAt - startedAt, textEvents, bytes }),
        );
      })
      .catch((error: unknown) =>
        resolve({
          ok: false,
          error: error instanceof Error ? error.message : String(error),
          ttftMs,
          lastTextMs: lastTextAt - startedAt,
          textEvents,
          bytes,
        }),
      );
  });
}

async function runLoad(job: LoadJob): Promise<LoadResult> {
  const pool = new Pool(job.origin, {
    connections: job.concurrency,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
  try {
    const warmup = job.warmupStreams ?? 0;
    if (warmup > 0) {
      let started = 0;
      await Promise.all(
        Array.from({ length: Math.min(job.concurrency, warmup) }, async () => {
          while (started < warmup) {
            started += 1;
            await openStream(pool, job, undefined);
          }
        }),
      );
    }
    const ttfts: number[] = [];
    const lastTexts: number[] = [];
    const gaps: number[] | undefined = job.recordGaps ? [] : undefined;
    let started = 0;
    let completed = 0;
    let failed = 0;
    let firstError: string | undefined;
    let textEvents = 0;
    let textEventsPerStreamMin = Number.POSITIVE_INFINITY;
    let bytes = 0;
    const limit = job.streams ?? Number.POSITIVE_INFINITY;
    const cpuBefore = process.cpuUsage();
    const startedAt = performance.now();
    const deadline = startedAt + (job.durationMs ?? 60_000);
    await Promise.all(
      Array.from({ length: job.concurrency }, async () => {
        while (started < limit && performance.now() < deadline) {
          started += 1;
          const outcome = await openStream(pool, job, gaps);
          bytes += outcome.bytes;
          if (outcome.ok) {
            completed += 1;
            ttfts.push(outcome.ttftMs);
            lastTexts.push(outcome.lastTextMs);
            textEvents += outcome.textEvents;
            textEventsPerStreamMin = Math.min(textEventsPerStreamMin, outcome.textEvents);
          } else {
            failed += 1;
            firstError ??= outcome.error;
          }
        }
      }),
    );
    const elapsedMs = performance.now() - startedAt;
    const cpu = process.cpuUsage(cpuBefore);
    return {
      completed,
      failed,
      firstError,
      elapsedMs,
      streamsPerSecond: (completed * 1000) / elapsedMs,
      ttftP50Ms: percentile(ttfts, 0.5),
      ttftP99Ms: percentile(ttfts, 0.99),
      gapP50Ms: gaps ? percentile(gaps, 0.5) : Number.NaN,
      gapP99Ms: gaps ? percentile(gaps, 0.99) : Number.NaN,
      lastTextP50Ms: percentile(lastTexts, 0.5),
      lastTextP99Ms: percentile(lastTexts, 0.99),
      textEvents,
      textEventsPerStreamMin: completed > 0 ? textEventsPerStreamMin : 0,
      bytes,
      clientCpuMs: (cpu.user + cpu.system) / 1000,
    };
  } finally {
    await pool.destroy();
  }
}

/** Streams held open by `hold`, released by `release`. */
let held: { pool: Pool; aborts: Array<() => void>; outcomes: Promise<StreamOutcome[]> } | undefined;

export interface HoldJob extends LoadJob {
  count: number;
  /** Give up waiting for every stream's first text event after this long. */
  openTimeoutMs: number;
}

export interface HoldResult {
  requested: number;
  receiving: number;
  openMs: number;
}

async function hold(job: HoldJob): Promise<HoldResult> {
  if (held) throw new Error('streams already held');
  const pool = new Pool(job.origin, {
    connections: job.count,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    // A gateway busy setting up hundreds of streams accepts connections late; that is not what this measures.
    connectTimeout: 60_000,
    headersTimeout: 60_000,
    bodyTimeout: 120_000,
  });
  const aborts: Array<() => void> = [];
  let receiving = 0;
  const startedAt = performance.now();
  const deadline = startedAt + job.openTimeoutMs;
  const streams: Promise<StreamOutcome>[] = [];
  // Open in batches and wait for each batch's first body bytes (the stream is set up end to end) before the next,
  // so the gateway is never asked to set up thousands of streams at once.
  const batchSize = 1000;
  for (let batchStart = 0; batchStart < job.count && performance.now() < deadline; batchStart += batchSize) {
    const batchEnd = Math.min(job.count, batchStart + batchSize);
    let batchReceiving = 0;
    let resolveBatch: () => void = () => undefined;
    const batchDone = new Promise<void>((resolve) => {
      resolveBatch = resolve;
    });
    for (let index = batchStart; index < batchEnd; index += 1) {
      const outcome = openStream(
        pool,
        job,
        undefined,
        () => {
          receiving += 1;
          batchReceiving += 1;
          if (batchReceiving === batchEnd - batchStart) resolveBatch();
        },
        (abort) => aborts.push(abort),
        true,
      );
      // A stream that fails while opening must not hold the batch up.
      outcome.then((result) => {
        if (!result.ok) resolveBatch();
      });
      streams.push(outcome);
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      batchDone,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - performance.now())))),
    ]);
    clearTimeout(timer);
  }
  held = { pool, aborts, outcomes: Promise.all(streams) };
  return { requested: job.count, receiving, openMs: performance.now() - startedAt };
}

async function release(): Promise<{ failed: number; firstError: string | undefined }> {
  if (!held) return { failed: 0, firstError: undefined };
  const current = held;
  held = undefined;
  for (const abort of current.aborts) abort();
  const outcomes = await current.outcomes;
  await current.pool.destroy();
  // Aborting is how we release, so abort errors are expected; anything else is reported.
  const unexpected = outcomes.filter((outcome) => !outcome.ok && !/abort/i.test(outcome.error ?? ''));
  return { failed: unexpected.length, firstError: unexpected[0]?.error };
}

if (process.send) {
  serveRpc({
    run: (payload) => runLoad(payload as LoadJob),
    hold: (payload) => hold(payload as HoldJob),
    release: () => release(),
  });
}
