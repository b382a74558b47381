import type { Chunk } from '@rxllm/core';
import { Observable } from 'rxjs';
import { loadExport, loadOperators, type Operators, pipeline } from './pipeline.js';
import { serveRpc } from './processes.js';
import { median } from './statistics.js';
import { openAIStream, textPiece } from './wire.js';

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

interface EventReader {
  feed(bytes: Uint8Array): string[];
  end(): void;
  sawDone(): boolean;
}

/**
 * Reading an OpenAI SSE body: one web stream of events, one event per read, read to its end; bare, and through
 * `@rxllm/openai`'s event reader (the provider's whole parse before `JSON.parse`).
 */
async function bodyReadCases(events: number, runs: number): Promise<OperatorCase[]> {
  const bytes = openAIStream('bench', false, events);
  const reads: Uint8Array[] = [...bytes.head];
  for (let index = 0; index < events; index += 1) reads.push(bytes.textCycle[index % bytes.textCycle.length]!);
  reads.push(...bytes.tail);
  const bodyOf = () => {
    let index = 0;
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        if (index < reads.length) controller.enqueue(reads[index++]!);
        else controller.close();
      },
    });
  };
  let createEventReader: ((provider: string) => EventReader) | undefined;
  let loadError: string | undefined;
  try {
    createEventReader = await loadExport<(provider: string) => EventReader>(
      '@rxllm/openai/internal',
      'createEventReader',
    );
  } catch (error) {
    loadError = error instanceof Error ? error.message : String(error);
  }
  const variants: Array<
    { id: string; label: string; run: () => Promise<boolean> } | { id: string; label: string; error: string }
  > = [
    {
      id: 'body-read',
      label: 'SSE body, read only (a web stream, one event per read)',
      run: async () => {
        const reader = bodyOf().getReader();
        for (;;) if ((await reader.read()).done) return true;
      },
    },
    createEventReader
      ? {
          id: 'body-events',
          label: 'SSE body read and split into events by `@rxllm/openai` `createEventReader` (eventsource-parser)',
          run: async () => {
            const events = createEventReader!('bench');
            const reader = bodyOf().getReader();
            let payloads = 0;
            for (;;) {
              const { done, value } = await reader.read();
              if (done) break;
              payloads += events.feed(value).length;
            }
            events.end();
            return events.sawDone() && payloads > 0;
          },
        }
      : { id: 'body-events', label: '`@rxllm/openai` `createEventReader`', error: loadError ?? '' },
  ];
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  const results: OperatorCase[] = [];
  for (const variant of variants) {
    if ('error' in variant) {
      results.push({
        id: variant.id,
        label: variant.label,
        nsPerChunk: Number.NaN,
        runsNsPerChunk: [],
        error: variant.error,
      });
      continue;
    }
    await variant.run();
    const samples: number[] = [];
    for (let run = 0; run < runs; run += 1) {
      gc();
      const before = process.cpuUsage();
      const sawDone = await variant.run();
      const cpu = process.cpuUsage(before);
      if (!sawDone) throw new Error(`${variant.id} missed its events or data: [DONE]`);
      samples.push(((cpu.user + cpu.system) * 1000) / reads.length);
    }
    results.push({ id: variant.id, label: variant.label, nsPerChunk: median(samples), runsNsPerChunk: samples });
  }
  return results;
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
  try {
    results.push(...(await bodyReadCases(Math.min(200_000, Math.floor(payload.chunks / 5)), payload.runs)));
  } catch (error) {
    results.push({
      id: 'body-read',
      label: 'SSE body read cases',
      nsPerChunk: Number.NaN,
      runsNsPerChunk: [],
      error: error instanceof Error ? error.message : String(error),
    });
  }
  return results;
}

if (process.send) serveRpc({ run: (payload) => runOperators(payload as { chunks: number; runs: number }) });
