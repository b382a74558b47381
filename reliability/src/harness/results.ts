import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const resultsDirectory = fileURLToPath(new URL('../../results/', import.meta.url));

/** Writes one run's figures to `reliability/results/<name>.json` (git-ignored), summarised into RELIABILITY.md. */
export function writeResult(name: string, figures: Record<string, unknown>): void {
  mkdirSync(resultsDirectory, { recursive: true });
  const record = { name, recordedAt: new Date().toISOString(), node: process.version, ...figures };
  writeFileSync(`${resultsDirectory}${name}.json`, `${JSON.stringify(record, null, 2)}\n`);
}

/** The p-th percentile (0–100) of a list of numbers, nearest-rank; `NaN` for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

/** Rounds to one decimal for reports. */
export const round1 = (value: number) => Math.round(value * 10) / 10;
