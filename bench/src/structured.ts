import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forkWorker, type Worker } from './processes.js';
import { fixed, median } from './statistics.js';
import { type StructuredShape, sampleDeltas } from './structured-sample.js';
import { STRUCTURED_SUBJECTS } from './structured-subjects.js';
import type { StructuredJob, StructuredRun } from './structured-worker.js';

/**
 * The `structured` section: `partialObjects` from `@rxllm/structured` against the AI SDK's `streamObject`, each in a
 * process of its own, on the same wide object streamed by `@rxllm/testing`'s mock upstream (a third process).
 */

export interface StructuredSettings {
  shape: StructuredShape;
  warmupShape: StructuredShape;
  warmupRuns: number;
  runs: number;
  log: (line: string) => void;
}

export interface StructuredSubjectReport {
  id: string;
  label: string;
  error?: string;
  /** Medians over the runs. */
  cpuMsPer1k?: number;
  wallMsPer1k?: number;
  partials?: number;
  runs: StructuredRun[];
}

export interface StructuredReport {
  settings: Omit<StructuredSettings, 'log'>;
  textDeltas: number;
  subjects: StructuredSubjectReport[];
  /** `partialObjects`' CPU per 1k chunks over `streamObject`'s (target ≤ 0.5). */
  cpuRatio?: number;
}

/** `partialObjects` at most this share of `streamObject`'s CPU per chunk. */
export const STRUCTURED_CPU_TARGET = 0.5;

const here = dirname(fileURLToPath(import.meta.url));
const RXLLM = 'rxllm-partial-objects';
const AI_SDK = 'ai-sdk-stream-object';

interface LiveSubject {
  entry: StructuredSubjectReport;
  worker: Worker;
}

async function callRuns(item: LiveSubject, job: StructuredJob, log: (line: string) => void): Promise<void> {
  if (item.entry.error) return;
  try {
    item.entry.runs.push(...(await item.worker.call<StructuredRun[]>('run', job, 600_000)));
  } catch (error) {
    item.entry.error = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    log(`  ${item.entry.id}: not measured: ${item.entry.error}`);
  }
}

function summarize(entry: StructuredSubjectReport): void {
  if (entry.error || entry.runs.length === 0) return;
  entry.cpuMsPer1k = median(entry.runs.map((run) => run.cpuMs / (run.textDeltas / 1000)));
  entry.wallMsPer1k = median(entry.runs.map((run) => run.wallMs / (run.textDeltas / 1000)));
  entry.partials = median(entry.runs.map((run) => run.partials));
}

/** Throws when a subject failed or the two final objects differ: a wrong answer must not be timed. */
function assertSameObject(subjects: readonly StructuredSubjectReport[]): void {
  const failed = subjects.filter((subject) => subject.error);
  if (failed.length > 0)
    throw new Error(`structured: ${failed.map((subject) => `${subject.id}: ${subject.error}`).join('; ')}`);
  const digests = new Set(subjects.flatMap((subject) => subject.runs.map((run) => run.digest)));
  if (digests.size !== 1)
    throw new Error(`structured: the subjects' final objects differ (${[...digests].join(', ')})`);
}

function printTable(report: StructuredReport, log: (line: string) => void): void {
  log(
    `  ${'subject'.padEnd(24)} ${'CPU ms/1k chunks'.padStart(16)} ${'wall ms/1k'.padStart(11)} ${'partials'.padStart(9)}`,
  );
  for (const subject of report.subjects) {
    log(
      `  ${subject.id.padEnd(24)} ${fixed(subject.cpuMsPer1k, 2).padStart(16)} ${fixed(subject.wallMsPer1k, 2).padStart(11)} ${fixed(subject.partials, 0).padStart(9)}   runs (CPU ms): ${subject.runs.map((run) => fixed(run.cpuMs, 0)).join(', ')}`,
    );
  }
  const ratio = report.cpuRatio;
  const verdict = ratio === undefined ? 'not measured' : ratio <= STRUCTURED_CPU_TARGET ? 'met' : 'missed';
  log(`  partialObjects / streamObject CPU: ${fixed(ratio, 3)}× (target ≤ ${STRUCTURED_CPU_TARGET}×: ${verdict})`);
}

/**
 * Runs the section: forks the upstream and one worker per subject, warms both up, takes the runs round-robin, prints
 * the table and returns the report. Throws when a subject fails or the final objects differ.
 *
 * @example
 * ```ts
 * const report = await runStructuredBench({
 *   shape: { fields: 2000, deltaChars: 5 },
 *   warmupShape: { fields: 200, deltaChars: 5 },
 *   warmupRuns: 3,
 *   runs: 5,
 *   log: console.log,
 * });
 * report.cpuRatio; // partialObjects' CPU per chunk over streamObject's
 * ```
 */
export async function runStructuredBench(settings: StructuredSettings): Promise<StructuredReport> {
  const { log, ...recorded } = settings;
  const textDeltas = sampleDeltas(settings.shape).length;
  const report: StructuredReport = { settings: recorded, textDeltas, subjects: [] };
  log(
    `  ${settings.shape.fields} fields, ${textDeltas} text deltas of ${settings.shape.deltaChars} characters; ${settings.runs} runs each after ${settings.warmupRuns} warm-up streams of ${settings.warmupShape.fields} fields`,
  );
  const upstream = forkWorker(join(here, 'structured-upstream-process.js'), { label: 'structured upstream' });
  try {
    const upstreamUrl = String((await upstream.ready).url);
    const live: LiveSubject[] = STRUCTURED_SUBJECTS.map((subject) => {
      const entry: StructuredSubjectReport = { id: subject.id, label: subject.label, runs: [] };
      report.subjects.push(entry);
      const worker = forkWorker(join(here, 'structured-worker.js'), { execArgv: ['--expose-gc'], label: subject.id });
      return { entry, worker };
    });
    const job = (item: LiveSubject, warmupRuns: number, runs: number): StructuredJob => ({
      subjectId: item.entry.id,
      upstreamUrl,
      shape: settings.shape,
      warmupShape: settings.warmupShape,
      warmupRuns,
      runs,
    });
    try {
      for (const item of live) {
        await item.worker.ready.catch(() => undefined);
        await callRuns(item, job(item, settings.warmupRuns, 0), log);
      }
      // Round-robin (A B A B …): a burst of other work on the shared cores lands on both subjects alike.
      for (let run = 0; run < settings.runs; run += 1)
        for (const item of live) await callRuns(item, job(item, 0, 1), log);
    } finally {
      for (const item of live) await item.worker.stop();
    }
  } finally {
    await upstream.stop();
  }
  for (const subject of report.subjects) summarize(subject);
  const ours = report.subjects.find((subject) => subject.id === RXLLM)?.cpuMsPer1k;
  const theirs = report.subjects.find((subject) => subject.id === AI_SDK)?.cpuMsPer1k;
  if (ours !== undefined && theirs !== undefined) report.cpuRatio = ours / theirs;
  printTable(report, log);
  assertSameObject(report.subjects);
  return report;
}
