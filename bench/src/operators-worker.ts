import type { Chunk } from '@rxllm/core';
import { Observable } from 'rxjs';
import { loadOperators, type Operators, pipeline } from './pipeline.js';
import { serveRpc } from './processes.js';
import { median } from './statistics.js';
import { textPiece } from './wire.js';

/**
 * Fork entry: cost per chunk of the operators with no network, over a synchronous in-memory source of text chunks,
 * next to a plain callback loop over the same array.
 */

export interface OperatorCase {
  id: string;
  label: string;
  /** Median over runs. */
  nsPerChunk: number;
  runsNsPerChunk: number[];
  error?: string;
}

function makeChunks(count: number): Chunk[] {
  // A realistic array of distinct chunk objects (a provider allocates one per event).
  const chunks: Chunk[] = [{ type: 'start', provider: 'bench', model: 'bench', id: 'bench' }];
  for (let index = 0; index < count; index += 1) chunks.push({ type: 'text', text: textPiece(index) });
  chunks.push({ type: 'usage', usage: { inputTokens: 12, outputTokens: count } });
  chunks.push({ type: 'finish', reason: 'stop', rawReason: 'stop' });
  return chunks;
}

/** A synchronous Observable over the array: the cheapest possible source, so the operators are what is measured. */
function source(chunks: Chunk[]): Observable<Chunk> {
  return new Observable<Chunk>((subscriber) => {
    for (let index = 0; index < chunks.length && !subscriber.closed; index += 1) subscriber.next(chunks[index]!);
    subscriber.complete();
  });
}

function consume(stream: Observable<string | Chunk>): Promise<number> {
  return new Promise((resolve, reject) => {
    let characters = 0;
    stream.subscribe({
      next: (value) => {
        characters += typeof value === 'string' ? value.length : value.type === 'text' ? value.text.length : 0;
      },
      error: reject,
      complete: () => resolve(characters),
    });
  });
}

type Case = { id: string; label: string; run: (chunks: Chunk[]) => Promise<number> };

function cases(
  operators: Operators | undefined,
  loadError: string | undefined,
): Array<Case | { id: string; label: string; error: string }> {
  const needs = (id: string, label: string, build: (ops: Operators) => Case['run']) =>
    operators ? { id, label, run: build(operators) } : { id, label, error: loadError ?? 'operators not loaded' };
  return [
    {
      id: 'callback',
      label: 'plain callback loop (baseline)',
      run: async (chunks) => {
        let characters = 0;
        const onText = (text: string) => {
          characters += text.length;
        };
        for (const chunk of chunks) if (chunk.type === 'text') onText(chunk.text);
        return characters;
      },
    },
    {
      id: 'observable',
      label: 'the bare synchronous Observable (no operator)',
      run: (chunks) => consume(source(chunks)),
    },
    needs(
      'textDeltas',
      '`textDeltas()` (filter + map)',
      (ops) => (chunks) => consume(source(chunks).pipe(ops.textDeltas())),
    ),
    needs(
      'streamTimeout',
      '`streamTimeout({ firstChunkMs, idleMs, totalMs })`',
      (ops) => (chunks) =>
        consume(source(chunks).pipe(ops.streamTimeout({ firstChunkMs: 10_000, idleMs: 5_000, totalMs: 600_000 }))),
    ),
    needs(
      'measure',
      '`measure(report => …)`',
      (ops) => (chunks) => consume(source(chunks).pipe(ops.measure(() => undefined))),
    ),
    needs(
      'bufferText',
      '`bufferText({ minChars: 50, maxDelayMs: 100 })`',
      (ops) => (chunks) => consume(source(chunks).pipe(ops.bufferText({ minChars: 50, maxDelayMs: 100 }))),
    ),
    needs('pipeline', 'five operators: streamTimeout → measure → bufferText → textDeltas (filter + map)', (ops) => {
      const withPipeline = pipeline(ops);
      return (chunks) => consume(withPipeline(source(chunks)));
    }),
  ];
}

async function runOperators(payload: { chunks: number; runs: number }): Promise<OperatorCase[]> {
  let operators: Operators | undefined;
  let loadError: string | undefined;
  try {
    operators = await loadOperators();
  } catch (error) {
    loadError = error instanceof Error ? error.message : String(error);
  }
  const chunks = makeChunks(payload.chunks);
  const expected = chunks.reduce((total, chunk) => total + (chunk.type === 'text' ? chunk.text.length : 0), 0);
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  const results: OperatorCase[] = [];
  for (const entry of cases(operators, loadError)) {
    if ('error' in entry) {
      results.push({
        id: entry.id,
        label: entry.label,
        nsPerChunk: Number.NaN,
        runsNsPerChunk: [],
        error: entry.error,
      });
      continue;
    }
    try {
      await entry.run(chunks.slice(0, 100_000));
      const runs: number[] = [];
      for (let run = 0; run < payload.runs; run += 1) {
        gc();
        const before = process.cpuUsage();
        const characters = await entry.run(chunks);
        const cpu = process.cpuUsage(before);
        if (characters !== expected) throw new Error(`saw ${characters} characters, expected ${expected}`);
        runs.push(((cpu.user + cpu.system) * 1000) / payload.chunks);
      }
      results.push({ id: entry.id, label: entry.label, nsPerChunk: median(runs), runsNsPerChunk: runs });
    } catch (error) {
      results.push({
        id: entry.id,
        label: entry.label,
        nsPerChunk: Number.NaN,
        runsNsPerChunk: [],
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return results;
}

if (process.send) serveRpc({ run: (payload) => runOperators(payload as { chunks: number; runs: number }) });
