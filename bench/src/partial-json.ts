// Which partial-JSON parser should `@rxllm/structured` use? A standalone script (not a test), run with
// `node dist/partial-json.js [fields] [chunkChars]` after `pnpm --filter @rxllm/bench build`.
//
// The workload is what `partialObjects` does for a model streaming a large object: a `fields`-field object
// (default 2,000) arrives in `chunkChars`-character chunks (default 5), and after every chunk the parser must give
// the deep-partial value read so far. Each candidate gets the same chunks; the number is CPU time (user + system,
// `process.cpuUsage`) per 1,000 chunks, the median of a few runs. Parsers that re-parse the whole prefix on every
// chunk do O(n²) work, so the script also runs a quarter-size object to show how each one scales.

import { PartialJsonParser } from '@rxllm/structured';
import { JSONParser } from '@streamparser/json';
import { parsePartialJson } from 'ai';
import { parse as parsePartial } from 'partial-json';

interface Candidate {
  name: string;
  note: string;
  /** Reads every chunk, taking the partial value after each one; returns the final value. */
  run(chunks: readonly string[]): Promise<unknown>;
}

/** An object like a model's structured answer: strings, numbers, booleans, small arrays and nested objects. */
function sampleObject(fields: number): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (let index = 0; index < fields; index += 1) {
    const kind = index % 5;
    if (kind === 0) object[`field_${index}`] = `value number ${index}, with "quotes" and ünïcödé`;
    else if (kind === 1) object[`field_${index}`] = index * 1.5;
    else if (kind === 2) object[`field_${index}`] = index % 2 === 0;
    else if (kind === 3) object[`field_${index}`] = [index, `item ${index}`, null];
    else object[`field_${index}`] = { id: index, label: `label ${index}` };
  }
  return object;
}

function split(text: string, size: number): string[] {
  const chunks: string[] = [];
  for (let index = 0; index < text.length; index += size) chunks.push(text.slice(index, index + size));
  return chunks;
}

const candidates: Candidate[] = [
  {
    name: '@rxllm/structured PartialJsonParser',
    note: 'incremental, immutable snapshot after every chunk that changed something',
    run: async (chunks) => {
      const parser = new PartialJsonParser();
      for (const chunk of chunks) {
        parser.write(chunk);
        if (parser.changed) parser.snapshot();
      }
      parser.end();
      return parser.snapshot();
    },
  },
  {
    name: '@rxllm/structured PartialJsonParser (no snapshots)',
    note: 'incremental, parse only: the floor of the approach',
    run: async (chunks) => {
      const parser = new PartialJsonParser();
      for (const chunk of chunks) parser.write(chunk);
      parser.end();
      return parser.snapshot();
    },
  },
  {
    name: '@streamparser/json 0.0.26',
    note: 'incremental tokenizer, emitPartialValues: one live (mutated) root object, no snapshots',
    run: async (chunks) => {
      let latest: unknown;
      const parser = new JSONParser({
        paths: ['$'],
        keepStack: true,
        emitPartialTokens: true,
        emitPartialValues: true,
      });
      parser.onValue = ({ value }) => {
        latest = value;
      };
      for (const chunk of chunks) parser.write(chunk);
      return latest;
    },
  },
  {
    name: 'partial-json 0.1.7',
    note: 're-parses the whole prefix on every chunk: O(n²)',
    run: async (chunks) => {
      let text = '';
      let latest: unknown;
      for (const chunk of chunks) {
        text += chunk;
        latest = parsePartial(text);
      }
      return latest;
    },
  },
  {
    name: 'ai 6 parsePartialJson (what streamObject uses)',
    note: 'repairs then JSON.parse of the whole prefix on every chunk: O(n²)',
    run: async (chunks) => {
      let text = '';
      let latest: unknown;
      for (const chunk of chunks) {
        text += chunk;
        latest = (await parsePartialJson(text)).value;
      }
      return latest;
    },
  },
];

async function cpuMicroseconds(candidate: Candidate, chunks: readonly string[], expected: string): Promise<number> {
  const before = process.cpuUsage();
  const result = await candidate.run(chunks);
  const used = process.cpuUsage(before);
  if (JSON.stringify(result) !== expected) throw new Error(`${candidate.name}: wrong final value`);
  return used.user + used.system;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function measure(fields: number, chunkChars: number, runs: number): Promise<Map<string, number>> {
  const text = JSON.stringify(sampleObject(fields));
  const chunks = split(text, chunkChars);
  console.log(`\n${fields} fields, ${text.length} characters, ${chunks.length} chunks of ${chunkChars} characters`);
  const perThousand = new Map<string, number>();
  for (const candidate of candidates) {
    await candidate.run(chunks.slice(0, 2000)).catch(() => undefined); // warm up the JIT on a prefix
    const samples: number[] = [];
    for (let run = 0; run < runs; run += 1) samples.push(await cpuMicroseconds(candidate, chunks, text));
    const value = median(samples) / 1000 / (chunks.length / 1000);
    perThousand.set(candidate.name, value);
    console.log(
      `  ${candidate.name.padEnd(52)} ${value.toFixed(2).padStart(10)} ms CPU / 1k chunks   (${candidate.note})`,
    );
  }
  return perThousand;
}

async function main(): Promise<void> {
  const fields = Number(process.argv[2] ?? 2000);
  const chunkChars = Number(process.argv[3] ?? 5);
  const runs = Number(process.argv[4] ?? 3);
  const small = await measure(Math.max(1, Math.round(fields / 4)), chunkChars, runs);
  const large = await measure(fields, chunkChars, runs);
  console.log('\nscaling (CPU per chunk, full size ÷ quarter size; 1 = linear overall, 4 = O(n²)):');
  for (const [name, value] of large)
    console.log(`  ${name.padEnd(52)} ${(value / (small.get(name) ?? value)).toFixed(1)}×`);
}

await main();
