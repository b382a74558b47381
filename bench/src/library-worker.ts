import { performance } from 'node:perf_hooks';
import { LIBRARY_SUBJECTS } from './library-subjects.js';
import { serveRpc } from './processes.js';
import { type StreamShape, textPiece } from './wire.js';

/**
 * Fork entry (run with `--expose-gc`): one library subject per process, so heaps and JIT state never mix.
 * CPU is this process's `process.cpuUsage()`; the upstream runs in another process.
 */

export interface LibraryRun {
  cpuMs: number;
  wallMs: number;
  /** Heap still in use after a full GC, minus before the run: what a stream leaves behind. */
  retainedHeapBytes: number;
  /** Heap in use at the end of the run before any GC, minus before: garbage + retained. */
  heapGrowthBytes: number;
}

export interface LibraryJob {
  subjectId: string;
  upstreamUrl: string;
  shape: StreamShape;
  warmupRuns: number;
  runs: number;
}

export interface MemoryJob {
  subjectId: string;
  upstreamUrl: string;
  shape: StreamShape;
  sampleEveryMs: number;
}

export interface MemoryResult {
  /** `[chunksSoFar... not known for SDK loops, so] elapsed ms, heapUsed after GC` pairs. */
  samples: Array<{ atMs: number; heapUsedBytes: number }>;
  wallMs: number;
  cpuMs: number;
}

// The AI SDK prints a warning per call for unknown model ids (ours are `bench-…`); printing is not what we measure.
(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

export function expectedCharacters(textEvents: number): number {
  let total = 0;
  const cycle = Array.from({ length: 12 }, (_, index) => textPiece(index).length);
  for (let index = 0; index < textEvents; index += 1) total += cycle[index % 12]!;
  return total;
}

const preparedRunners = new Map<string, Promise<(shape: StreamShape) => Promise<number>>>();

/** One client per subject and process, reused by every call (its connection pool stays warm between runs). */
function prepared(subjectId: string, upstreamUrl: string) {
  const key = `${subjectId} ${upstreamUrl}`;
  let runner = preparedRunners.get(key);
  if (!runner) {
    const subject = LIBRARY_SUBJECTS.find((candidate) => candidate.id === subjectId);
    if (!subject) throw new Error(`unknown subject ${subjectId}`);
    runner = subject.prepare(upstreamUrl);
    preparedRunners.set(key, runner);
  }
  return runner;
}

async function runJob(job: LibraryJob): Promise<LibraryRun[]> {
  const runOne = await prepared(job.subjectId, job.upstreamUrl);
  const expected = expectedCharacters(job.shape.textEvents);
  const check = (characters: number) => {
    if (characters !== expected)
      throw new Error(`${job.subjectId} saw ${characters} text characters, expected ${expected}`);
  };
  for (let warmup = 0; warmup < job.warmupRuns; warmup += 1) check(await runOne(job.shape));
  const runs: LibraryRun[] = [];
  for (let run = 0; run < job.runs; run += 1) {
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const cpuBefore = process.cpuUsage();
    const startedAt = performance.now();
    check(await runOne(job.shape));
    const wallMs = performance.now() - startedAt;
    const cpu = process.cpuUsage(cpuBefore);
    const heapEnd = process.memoryUsage().heapUsed;
    gc();
    runs.push({
      cpuMs: (cpu.user + cpu.system) / 1000,
      wallMs,
      retainedHeapBytes: process.memoryUsage().heapUsed - heapBefore,
      heapGrowthBytes: heapEnd - heapBefore,
    });
  }
  return runs;
}

async function runMemory(job: MemoryJob): Promise<MemoryResult> {
  const runOne = await prepared(job.subjectId, job.upstreamUrl);
  await runOne({ textEvents: 1000, delayMs: 0 });
  gc();
  const samples: MemoryResult['samples'] = [];
  const startedAt = performance.now();
  const cpuBefore = process.cpuUsage();
  // A full GC on a timer, between reads: what is left is what the stream holds, not garbage waiting to be collected.
  const timer = setInterval(() => {
    gc();
    samples.push({ atMs: performance.now() - startedAt, heapUsedBytes: process.memoryUsage().heapUsed });
  }, job.sampleEveryMs);
  try {
    const characters = await runOne(job.shape);
    const expected = expectedCharacters(job.shape.textEvents);
    if (characters !== expected) throw new Error(`saw ${characters} text characters, expected ${expected}`);
  } finally {
    clearInterval(timer);
  }
  const cpu = process.cpuUsage(cpuBefore);
  return { samples, wallMs: performance.now() - startedAt, cpuMs: (cpu.user + cpu.system) / 1000 };
}

if (process.send) {
  serveRpc({
    run: (payload) => runJob(payload as LibraryJob),
    memory: (payload) => runMemory(payload as MemoryJob),
  });
}
