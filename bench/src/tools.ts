import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forkWorker, type Worker } from './processes.js';
import { fixed, median } from './statistics.js';
import { ANSWER_DELTAS, TOOLS_STEPS } from './tools-sample.js';
import { TOOLS_SUBJECTS } from './tools-subjects.js';
import type { ToolsJob, ToolsLoopRun } from './tools-worker.js';

/**
 * The `tools` section: `runTools` from `@rxllm/tools` on `@rxllm/openai` against the AI SDK's `streamText` with
 * `stopWhen: stepCountIs(3)`, each in a process of its own, on the same scripted three-step loop served by
 * `@rxllm/testing`'s mock upstream (a third process).
 */

export interface ToolsSettings {
  /** Loops per subject before the timed ones (checked, not timed). */
  warmupLoops: number;
  /** Timed loops per subject. */
  loops: number;
  /** Loops per turn of the round-robin (A B A B …). */
  loopsPerTurn: number;
  log: (line: string) => void;
}

export interface ToolsSubjectReport {
  id: string;
  label: string;
  error?: string;
  /** Medians over the timed loops. */
  cpuMsPerLoop?: number;
  wallMsPerLoop?: number;
  /** Model requests the upstream served per loop, over every loop of the subject (must be 3). */
  requestsPerLoop?: number;
  /** Timed loops, in order. */
  runs: ToolsLoopRun[];
}

export interface ToolsReport {
  settings: Omit<ToolsSettings, 'log'>;
  steps: number;
  answerDeltas: number;
  subjects: ToolsSubjectReport[];
  /** `runTools`' CPU per loop over `streamText`'s (target ≤ 0.5). */
  cpuRatio?: number;
}

/** `runTools` at most this share of `streamText`'s CPU per loop. */
export const TOOLS_CPU_TARGET = 0.5;

const here = dirname(fileURLToPath(import.meta.url));
const RXLLM = 'rxllm-run-tools';
const AI_SDK = 'ai-sdk-stream-text';

interface LiveSubject {
  entry: ToolsSubjectReport;
  worker: Worker;
  /** Loops the subject ran and requests the upstream served meanwhile. */
  loops: number;
  requests: number;
}

interface Taken {
  requests: number;
  rejected: string[];
}

const failure = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0];

/** One worker call of `warmupLoops` + `loops` loops; then the upstream's count of the requests they made. */
async function callLoops(
  item: LiveSubject,
  job: ToolsJob,
  upstream: Worker,
  log: (line: string) => void,
): Promise<void> {
  if (item.entry.error) return;
  try {
    const runs = await item.worker.call<ToolsLoopRun[]>('run', job, 600_000);
    const taken = await upstream.call<Taken>('take');
    item.loops += job.warmupLoops + job.loops;
    item.requests += taken.requests;
    if (taken.rejected.length > 0) throw new Error(`the mock refused a request: ${taken.rejected[0]}`);
    if (taken.requests !== (job.warmupLoops + job.loops) * TOOLS_STEPS)
      throw new Error(`${taken.requests} requests for ${job.warmupLoops + job.loops} loops`);
    item.entry.runs.push(...runs);
  } catch (error) {
    item.entry.error = failure(error);
    log(`  ${item.entry.id}: not measured: ${item.entry.error}`);
  }
}

function summarize(item: LiveSubject): void {
  const { entry } = item;
  if (item.loops > 0) entry.requestsPerLoop = item.requests / item.loops;
  if (entry.error || entry.runs.length === 0) return;
  entry.cpuMsPerLoop = median(entry.runs.map((run) => run.cpuMs));
  entry.wallMsPerLoop = median(entry.runs.map((run) => run.wallMs));
}

function printTable(report: ToolsReport, log: (line: string) => void): void {
  log(
    `  ${'subject'.padEnd(20)} ${'CPU ms/loop'.padStart(12)} ${'wall ms/loop'.padStart(13)} ${'requests/loop'.padStart(14)} ${'loops'.padStart(6)}`,
  );
  for (const subject of report.subjects) {
    log(
      `  ${subject.id.padEnd(20)} ${fixed(subject.cpuMsPerLoop, 3).padStart(12)} ${fixed(subject.wallMsPerLoop, 3).padStart(13)} ${fixed(subject.requestsPerLoop, 2).padStart(14)} ${String(subject.runs.length).padStart(6)}`,
    );
  }
  const ratio = report.cpuRatio;
  const verdict = ratio === undefined ? 'not measured' : ratio <= TOOLS_CPU_TARGET ? 'met' : 'missed';
  log(`  runTools / streamText CPU: ${fixed(ratio, 3)}× (target ≤ ${TOOLS_CPU_TARGET}×: ${verdict})`);
}

/** Throws when a subject failed: a broken loop must not be reported as a number. */
function assertMeasured(subjects: readonly ToolsSubjectReport[]): void {
  const failed = subjects.filter((subject) => subject.error || subject.runs.length === 0);
  if (failed.length > 0)
    throw new Error(`tools: ${failed.map((subject) => `${subject.id}: ${subject.error ?? 'no loop'}`).join('; ')}`);
}

/**
 * Runs the section: forks the upstream and one worker per subject, warms both up, takes the timed loops round-robin
 * in turns of `loopsPerTurn`, prints the table and returns the report. Throws when a subject's loop is not the
 * scripted one (steps, calls, results, text, or not exactly 3 requests per loop).
 *
 * @example
 * ```ts
 * const report = await runToolsBench({ warmupLoops: 200, loops: 1000, loopsPerTurn: 50, log: console.log });
 * report.cpuRatio; // runTools' CPU per loop over streamText's
 * ```
 */
export async function runToolsBench(settings: ToolsSettings): Promise<ToolsReport> {
  const { log, ...recorded } = settings;
  const report: ToolsReport = { settings: recorded, steps: TOOLS_STEPS, answerDeltas: ANSWER_DELTAS, subjects: [] };
  log(
    `  ${TOOLS_STEPS} steps per loop (2 parallel calls, 1 call, ${ANSWER_DELTAS} text deltas); ${settings.loops} timed loops each after ${settings.warmupLoops} warm-up loops, round-robin in turns of ${settings.loopsPerTurn}`,
  );
  const upstream = forkWorker(join(here, 'tools-upstream-process.js'), { label: 'tools upstream' });
  const live: LiveSubject[] = [];
  try {
    const upstreamUrl = String((await upstream.ready).url);
    for (const subject of TOOLS_SUBJECTS) {
      const entry: ToolsSubjectReport = { id: subject.id, label: subject.label, runs: [] };
      report.subjects.push(entry);
      const worker = forkWorker(join(here, 'tools-worker.js'), { execArgv: ['--expose-gc'], label: subject.id });
      live.push({ entry, worker, loops: 0, requests: 0 });
    }
    const job = (item: LiveSubject, warmupLoops: number, loops: number): ToolsJob => ({
      subjectId: item.entry.id,
      upstreamUrl,
      warmupLoops,
      loops,
    });
    try {
      for (const item of live) {
        await item.worker.ready.catch(() => undefined);
        await callLoops(item, job(item, settings.warmupLoops, 0), upstream, log);
      }
      // Round-robin: a burst of other work on the shared cores lands on both subjects alike.
      for (let done = 0; done < settings.loops; done += settings.loopsPerTurn) {
        const turn = Math.min(settings.loopsPerTurn, settings.loops - done);
        for (const item of live) await callLoops(item, job(item, 0, turn), upstream, log);
      }
    } finally {
      for (const item of live) await item.worker.stop();
    }
  } finally {
    await upstream.stop();
  }
  for (const item of live) summarize(item);
  const ours = report.subjects.find((subject) => subject.id === RXLLM)?.cpuMsPerLoop;
  const theirs = report.subjects.find((subject) => subject.id === AI_SDK)?.cpuMsPerLoop;
  if (ours !== undefined && theirs !== undefined) report.cpuRatio = ours / theirs;
  printTable(report, log);
  assertMeasured(report.subjects);
  return report;
}
