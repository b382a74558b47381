import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OperatorCase } from './operators-worker.js';
import { forkWorker } from './processes.js';
import { fixed } from './statistics.js';

export interface OperatorsReport {
  chunks: number;
  runs: number;
  cases: OperatorCase[];
}

const here = dirname(fileURLToPath(import.meta.url));

/** Runs the in-memory operator benchmark in a process of its own (`--expose-gc`). */
export async function runOperatorsBench(settings: {
  chunks: number;
  runs: number;
  log: (line: string) => void;
}): Promise<OperatorsReport> {
  const worker = forkWorker(join(here, 'operators-worker.js'), { execArgv: ['--expose-gc'], label: 'operators' });
  try {
    await worker.ready;
    const cases = await worker.call<OperatorCase[]>('run', { chunks: settings.chunks, runs: settings.runs }, 300_000);
    for (const entry of cases) {
      settings.log(
        `  ${entry.id}: ${entry.error ? `not measured: ${entry.error}` : `${fixed(entry.nsPerChunk, 0)} ns/chunk`}`,
      );
    }
    return { chunks: settings.chunks, runs: settings.runs, cases };
  } finally {
    await worker.stop();
  }
}
