import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LIBRARY_SUBJECTS } from './library-subjects.js';
import type { LibraryRun, MemoryResult } from './library-worker.js';
import { forkWorker } from './processes.js';
import { fixed, median } from './statistics.js';
import type { StreamShape } from './wire.js';

/** The in-process library benchmarks: one forked process per subject, the upstream in another. */

export interface LibrarySettings {
  fast: StreamShape;
  paced: StreamShape;
  runs: number;
  pacedRuns: number;
  memoryTextEvents: number;
  memorySubjects: string[];
  log: (line: string) => void;
}

export interface LibraryMode {
  /** Medians over runs. */
  cpuMsPer1k: number;
  wallMsPer1k: number;
  retainedHeapBytes: number;
  heapGrowthBytes: number;
  runs: LibraryRun[];
}

export interface LibrarySubjectReport {
  id: string;
  vendor: 'openai' | 'anthropic';
  label: string;
  error?: string;
  fast?: LibraryMode;
  paced?: LibraryMode;
}

export interface MemoryReport {
  subjectId: string;
  textEvents: number;
  error?: string;
  result?: MemoryResult;
  /** Largest |sample − median| / median of the post-GC heap samples after the first 10 % of the stream. */
  maxDeviation?: number;
  minHeapBytes?: number;
  maxHeapBytes?: number;
  medianHeapBytes?: number;
  /** Mean of the second half of the samples over the mean of the first half, minus 1: growth, not noise. */
  trend?: number;
  chunksPerSecond?: number;
}

export interface LibraryReport {
  settings: Omit<LibrarySettings, 'log'>;
  subjects: LibrarySubjectReport[];
  memory: MemoryReport[];
}

const here = dirname(fileURLToPath(import.meta.url));

function summarize(runs: LibraryRun[], textEvents: number): LibraryMode {
  const per1k = textEvents / 1000;
  return {
    cpuMsPer1k: median(runs.map((run) => run.cpuMs / per1k)),
    wallMsPer1k: median(runs.map((run) => run.wallMs / per1k)),
    retainedHeapBytes: median(runs.map((run) => run.retainedHeapBytes)),
    heapGrowthBytes: median(runs.map((run) => run.heapGrowthBytes)),
    runs,
  };
}

export async function runLibraryBench(settings: LibrarySettings): Promise<LibraryReport> {
  const upstream = forkWorker(join(here, 'upstream-process.js'), { label: 'upstream' });
  const { log: _log, ...recorded } = settings;
  const report: LibraryReport = { settings: recorded, subjects: [], memory: [] };
  try {
    const upstreamUrl = String((await upstream.ready).url);
    for (const subject of LIBRARY_SUBJECTS) {
      const entry: LibrarySubjectReport = { id: subject.id, vendor: subject.vendor, label: subject.label };
      report.subjects.push(entry);
      const worker = forkWorker(join(here, 'library-worker.js'), { execArgv: ['--expose-gc'], label: subject.id });
      try {
        await worker.ready;
        const fastRuns = await worker.call<LibraryRun[]>(
          'run',
          { subjectId: subject.id, upstreamUrl, shape: settings.fast, warmupRuns: 2, runs: settings.runs },
          180_000,
        );
        entry.fast = summarize(fastRuns, settings.fast.textEvents);
        const pacedRuns = await worker.call<LibraryRun[]>(
          'run',
          { subjectId: subject.id, upstreamUrl, shape: settings.paced, warmupRuns: 0, runs: settings.pacedRuns },
          180_000,
        );
        entry.paced = summarize(pacedRuns, settings.paced.textEvents);
        settings.log(
          `  ${subject.id}: fast ${fixed(entry.fast.cpuMsPer1k, 2)} ms CPU/1k (wall ${fixed(entry.fast.wallMsPer1k, 2)}), paced ${fixed(entry.paced.cpuMsPer1k, 2)} ms CPU/1k, retained heap ${fixed(entry.fast.retainedHeapBytes / 1024, 0)} KiB`,
        );
      } catch (error) {
        entry.error = (error instanceof Error ? error.message : String(error)).split('\n')[0];
        settings.log(`  ${subject.id}: not measured: ${entry.error}`);
      } finally {
        await worker.stop();
      }
    }
    for (const subjectId of settings.memorySubjects) {
      const memory: MemoryReport = { subjectId, textEvents: settings.memoryTextEvents };
      report.memory.push(memory);
      const worker = forkWorker(join(here, 'library-worker.js'), { execArgv: ['--expose-gc'], label: subjectId });
      try {
        await worker.ready;
        const result = await worker.call<MemoryResult>(
          'memory',
          { subjectId, upstreamUrl, shape: { textEvents: settings.memoryTextEvents, delayMs: 0 }, sampleEveryMs: 250 },
          300_000,
        );
        memory.result = result;
        const steady = result.samples
          .filter((sample) => sample.atMs >= result.wallMs * 0.1)
          .map((s) => s.heapUsedBytes);
        const lowest = Math.min(...steady);
        const middle = median(steady);
        memory.minHeapBytes = lowest;
        memory.maxHeapBytes = Math.max(...steady);
        memory.medianHeapBytes = middle;
        const half = Math.floor(steady.length / 2);
        const mean = (values: number[]) => values.reduce((total, value) => total + value, 0) / values.length;
        memory.trend = half > 0 ? mean(steady.slice(half)) / mean(steady.slice(0, half)) - 1 : Number.NaN;
        memory.maxDeviation =
          steady.length > 1 ? Math.max(...steady.map((sample) => Math.abs(sample - middle))) / middle : Number.NaN;
        memory.chunksPerSecond = (settings.memoryTextEvents * 1000) / result.wallMs;
        settings.log(
          `  memory ${subjectId}: ${settings.memoryTextEvents} chunks in ${fixed(result.wallMs / 1000, 1)} s, ${steady.length} samples, heap ${fixed(lowest / 2 ** 20, 2)}–${fixed(Math.max(...steady) / 2 ** 20, 2)} MiB, max deviation from median ±${fixed(memory.maxDeviation * 100, 1)} %`,
        );
      } catch (error) {
        memory.error = (error instanceof Error ? error.message : String(error)).split('\n')[0];
        settings.log(`  memory ${subjectId}: not measured: ${memory.error}`);
      } finally {
        await worker.stop();
      }
    }
  } finally {
    await upstream.stop();
  }
  return report;
}
