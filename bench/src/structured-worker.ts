import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import { serveRpc } from './processes.js';
import { type StructuredShape, sampleDeltas, sampleObject } from './structured-sample.js';
import { STRUCTURED_SUBJECTS, type StructuredOutcome } from './structured-subjects.js';

/**
 * Fork entry (run with `--expose-gc`): one structured-output subject per process, so that the JIT and GC state of one
 * never touches the other. CPU is this process's `process.cpuUsage()` (user + system); the upstream is another process.
 */

export interface StructuredRun {
  cpuMs: number;
  wallMs: number;
  /** Text deltas the upstream sent (`delta.content` events): the "chunks" of CPU per 1k chunks. */
  textDeltas: number;
  partials: number;
  partialsWithLastField: number;
  /** sha256 (first 16 hex digits) of `JSON.stringify` of the final object, compared across subjects. */
  digest: string;
}

export interface StructuredJob {
  subjectId: string;
  upstreamUrl: string;
  shape: StructuredShape;
  warmupRuns: number;
  /** A smaller stream for the warm-up (the JIT warms up the same either way, in a fraction of the time). */
  warmupShape: StructuredShape;
  runs: number;
}

// The AI SDK warns once per call about an unknown model id; printing is not what is measured.
(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

const runners = new Map<string, Promise<(shape: StructuredShape) => Promise<StructuredOutcome>>>();

/** One client per subject and process, reused by every call (its connection pool stays warm between runs). */
function runnerFor(subjectId: string, upstreamUrl: string) {
  const key = `${subjectId} ${upstreamUrl}`;
  let runner = runners.get(key);
  if (!runner) {
    const subject = STRUCTURED_SUBJECTS.find((candidate) => candidate.id === subjectId);
    if (!subject) throw new Error(`unknown subject ${subjectId}`);
    runner = subject.prepare(upstreamUrl);
    runners.set(key, runner);
  }
  return runner;
}

/** Throws unless the subject's final object is exactly the sample object; returns its digest. */
function checkedDigest(subjectId: string, shape: StructuredShape, outcome: StructuredOutcome): string {
  if (!isDeepStrictEqual(outcome.object, sampleObject(shape.fields)))
    throw new Error(`${subjectId}: the final object differs from the object the upstream streamed`);
  if (outcome.partials === 0) throw new Error(`${subjectId}: no partial object`);
  return createHash('sha256').update(JSON.stringify(outcome.object)).digest('hex').slice(0, 16);
}

async function runJob(job: StructuredJob): Promise<StructuredRun[]> {
  const runOne = await runnerFor(job.subjectId, job.upstreamUrl);
  for (let warmup = 0; warmup < job.warmupRuns; warmup += 1)
    checkedDigest(job.subjectId, job.warmupShape, await runOne(job.warmupShape));
  const textDeltas = sampleDeltas(job.shape).length;
  const runs: StructuredRun[] = [];
  for (let run = 0; run < job.runs; run += 1) {
    gc();
    const cpuBefore = process.cpuUsage();
    const startedAt = performance.now();
    const outcome = await runOne(job.shape);
    const wallMs = performance.now() - startedAt;
    const cpu = process.cpuUsage(cpuBefore);
    runs.push({
      cpuMs: (cpu.user + cpu.system) / 1000,
      wallMs,
      textDeltas,
      partials: outcome.partials,
      partialsWithLastField: outcome.partialsWithLastField,
      digest: checkedDigest(job.subjectId, job.shape, outcome),
    });
  }
  return runs;
}

if (process.send) serveRpc({ run: (payload) => runJob(payload as StructuredJob) });
