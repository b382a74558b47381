import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import { serveRpc } from './processes.js';
import { EXPECTED_TRACE, type ToolsTrace } from './tools-sample.js';
import { TOOLS_SUBJECTS } from './tools-subjects.js';

/**
 * Fork entry (run with `--expose-gc`): one tool-loop subject per process, so that the JIT and GC state of one never
 * touches the other. CPU is this process's `process.cpuUsage()` (user + system) per loop; the upstream is another
 * process. Every loop's trace must equal the expected one (three steps, the same calls, results and text), or the
 * job fails.
 */

export interface ToolsLoopRun {
  cpuMs: number;
  wallMs: number;
}

export interface ToolsJob {
  subjectId: string;
  upstreamUrl: string;
  /** Loops run and checked but not timed. */
  warmupLoops: number;
  loops: number;
}

// The AI SDK warns once per call about an unknown model id; printing is not what is measured.
(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

const runners = new Map<string, Promise<() => Promise<ToolsTrace>>>();

/** One client per subject and process, reused by every loop (its connection pool stays warm between loops). */
function runnerFor(subjectId: string, upstreamUrl: string): Promise<() => Promise<ToolsTrace>> {
  const key = `${subjectId} ${upstreamUrl}`;
  let runner = runners.get(key);
  if (!runner) {
    const subject = TOOLS_SUBJECTS.find((candidate) => candidate.id === subjectId);
    if (!subject) throw new Error(`unknown subject ${subjectId}`);
    runner = subject.prepare(upstreamUrl);
    runners.set(key, runner);
  }
  return runner;
}

/** Throws unless the loop left exactly the expected trace. */
function checkTrace(subjectId: string, trace: ToolsTrace): void {
  if (isDeepStrictEqual(trace, EXPECTED_TRACE)) return;
  const { text, ...rest } = trace;
  throw new Error(
    `${subjectId}: the loop differs from the scripted one: ${JSON.stringify({ ...rest, textChars: text.length })}`,
  );
}

async function runJob(job: ToolsJob): Promise<ToolsLoopRun[]> {
  const runOne = await runnerFor(job.subjectId, job.upstreamUrl);
  for (let warmup = 0; warmup < job.warmupLoops; warmup += 1) checkTrace(job.subjectId, await runOne());
  const runs: ToolsLoopRun[] = [];
  for (let loop = 0; loop < job.loops; loop += 1) {
    gc();
    const cpuBefore = process.cpuUsage();
    const startedAt = performance.now();
    const trace = await runOne();
    const wallMs = performance.now() - startedAt;
    const cpu = process.cpuUsage(cpuBefore);
    checkTrace(job.subjectId, trace);
    runs.push({ cpuMs: (cpu.user + cpu.system) / 1000, wallMs });
  }
  return runs;
}

if (process.send) serveRpc({ run: (payload) => runJob(payload as ToolsJob) });
