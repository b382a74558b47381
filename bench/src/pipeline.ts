import type { Chunk } from '@rxllm/core';
import type { Observable, OperatorFunction } from 'rxjs';

/**
 * The operator pipeline every benchmark puts on a provider stream: streamTimeout → measure → bufferText →
 * textDeltas (filter + map), five RxJS operators. Loaded at run time so the harness builds while an operator
 * package is still being written; a missing export makes the rows that need it "not measured".
 */
export interface Operators {
  textDeltas: () => OperatorFunction<Chunk, string>;
  bufferText: (options: { minChars: number; maxDelayMs?: number }) => OperatorFunction<Chunk, Chunk>;
  streamTimeout: (options: {
    firstChunkMs?: number;
    idleMs?: number;
    totalMs?: number;
  }) => OperatorFunction<Chunk, Chunk>;
  measure: (target: (report: unknown) => void) => OperatorFunction<Chunk, Chunk>;
}

/** Loads a workspace export at run time. */
export async function loadExport<T>(specifier: string, name: string): Promise<T> {
  const module = (await import(specifier)) as Record<string, unknown>;
  const value = module[name];
  if (value === undefined) throw new Error(`${specifier} does not export ${name} yet`);
  return value as T;
}

export async function loadOperators(): Promise<Operators> {
  return {
    textDeltas: await loadExport('@rxllm/core', 'textDeltas'),
    bufferText: await loadExport('@rxllm/buffer', 'bufferText'),
    streamTimeout: await loadExport('@rxllm/timeout', 'streamTimeout'),
    measure: await loadExport('@rxllm/metrics', 'measure'),
  };
}

/** Settings an app would use: the seed's "update the UI every 50 characters", bounded at 100 ms. */
export function pipeline(operators: Operators): (source: Observable<Chunk>) => Observable<string> {
  return (source) => {
    let lastReport: unknown;
    return source.pipe(
      operators.streamTimeout({ firstChunkMs: 10_000, idleMs: 5_000, totalMs: 600_000 }),
      operators.measure((report) => {
        lastReport = report;
      }),
      operators.bufferText({ minChars: 50, maxDelayMs: 100 }),
      operators.textDeltas(),
      // Keeps the report reachable like an app would (a log line); costs nothing per chunk.
      (texts) => (lastReport === null ? texts : texts),
    );
  };
}
