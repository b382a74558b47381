import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LIBRARY_SUBJECTS } from './library-subjects.js';
import type { LibraryRun, MemoryResult } from './library-worker.js';
import { forkWorker, type Worker } from './processes.js';
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
    // Every subject's process is up at once and the runs go round-robin (A B C … A B C …), so a burst of other
    // work on the machine lands on all subjects alike instead of skewing one of them.
    const live: Array<{ subject: (typeof LIBRARY_SUBJECTS)[number]; entry: LibrarySubjectReport; worker: Worker }> = [];
    for (const subject of LIBRARY_SUBJECTS) {
      const entry: LibrarySubjectReport = { id: subject.id, vendor: subject.vendor, label: subject.label };
      report.subjects.push(entry);
      live.push({
        subject,
        entry,
        worker: forkWorker(join(here, 'library-worker.js'), { execArgv: ['--expose-gc'], label: subject.id }),
      });
    }
    const fastRuns = new Map<string, LibraryRun[]>();
    const pacedRuns = new Map<string, LibraryRun[]>();
    const call = async (
      item: (typeof live)[number],
      shape: StreamShape,
      warmupRuns: number,
      runs: number,
      into: Map<string, LibraryRun[]>,
    ) => {
      if (item.entry.error) return;
      try {
        const result = await item.worker.call<LibraryRun[]>(
          'run',
          { subjectId: item.subject.id, upstreamUrl, shape, warmupRuns, runs },
          180_000,
        );
        into.set(item.subject.id, [...(into.get(item.subject.id) ?? []), ...result]);
      } catch (error) {
        item.entry.error = (error instanceof Error ? error.message : String(error)).split('\n')[0];
        settings.log(`  ${item.subject.id}: not measured: ${item.entry.error}`);
      }
    };
    try {
      for (const item of live) {
        await item.worker.ready.catch(() => undefined);
        await call(item, settings.fast, 2, 0, fastRuns);
      }
      for (let run = 0; run < settings.runs; run += 1)
        for (const item of live) await call(item, settings.fast, 0, 1, fastRuns);
      for (let run = 0; run < settings.pacedRuns; run += 1)
        for (const item of live) await call(item, settings.paced, 0, 1, pacedRuns);
    } finally {
      for (const item of live) await item.worker.stop();
    }
    for (const { subject, entry } of live) {
      if (entry.error) continue;
      entry.fast = summarize(fastRuns.get(subject.id) ?? [], settings.fast.textEvents);
      entry.paced = summarize(pacedRuns.get(subject.id) ?? [], settings.paced.textEvents);
      settings.log(
        `  ${subject.id}: fast ${fixed(entry.fast.cpuMsPer1k, 2)} ms CPU/1k (wall ${fixed(entry.fast.wallMsPer1k, 2)}), paced ${fixed(entry.paced.cpuMsPer1k, 2)} ms CPU/1k, retained heap ${fixed(entry.fast.retainedHeapBytes / 1024, 0)} KiB`,
      );
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
