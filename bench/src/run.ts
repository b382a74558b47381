import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOptions } from './cli-options.js';
import { describeEnvironment } from './environment.js';
import type { BenchResults } from './results.js';

/**
 * `pnpm bench` (`node dist/run.js`): operators (in memory), library (in process, upstream in its own process),
 * gateway (client, gateway and upstream in three processes); `--only=structured` adds partialObjects against the AI SDK's
 * streamObject (not in the default run: it takes minutes); `--only=tools` a three-step tool loop, `runTools` against the AI
 * SDK's streamText (not in the default run either). Writes `bench/results/latest.json`, the committed
 * `summary.json`, the plot, and `BENCHMARKS.md` at the repository root.
 */

const options = parseOptions(process.argv.slice(2));
// Ctrl-C or a kill: exit normally so that every child process is stopped by its 'exit' / 'disconnect' handler.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
const here = dirname(fileURLToPath(import.meta.url));
const resultsDirectory = join(here, '..', 'results');
const log = (line: string) => console.log(line);
const startedAt = Date.now();

const command = ['pnpm bench', ...process.argv.slice(2)].join(' ');
const results: BenchResults = { quick: options.quick, environment: describeEnvironment(command) };
log(`rxllm bench (${options.quick ? 'quick' : 'full'}): ${options.sections.join(', ')}`);

if (options.sections.includes('operators')) {
  log('operators: cost per chunk, in memory');
  const { runOperatorsBench } = await import('./operators.js');
  results.operators = await runOperatorsBench({
    chunks: options.quick ? 300_000 : 1_000_000,
    runs: options.quick ? 3 : 7,
    log,
  });
}

if (options.sections.includes('library')) {
  log('library: in process, upstream in its own process');
  const { runLibraryBench } = await import('./library.js');
  results.library = await runLibraryBench({
    fast: { textEvents: options.quick ? 5000 : 20_000, delayMs: 0 },
    paced: { textEvents: options.quick ? 200 : 1000, delayMs: 1 },
    runs: options.quick ? 3 : 7,
    pacedRuns: options.quick ? 1 : 3,
    memoryTextEvents: options.quick ? 100_000 : 1_000_000,
    memorySubjects: ['rxllm-openai-pipeline'],
    log,
  });
}

if (options.sections.includes('gateway')) {
  log('gateway: load client → gateway → upstream, one process each');
  const { runGatewayBench } = await import('./gateway.js');
  results.gateway = await runGatewayBench({
    quick: options.quick,
    repeats: options.quick ? 1 : 3,
    runMs: options.quick ? 600 : 1500,
    pacedRunMs: options.quick ? 1000 : 2000,
    lengths: options.quick ? [10, 1000] : [10, 100, 1000, 10_000],
    heldStreams: options.held ?? (options.quick ? 500 : 9500),
    subjects: (options.subjects ?? ['direct', 'agent-openai', 'agent-chat', 'portkey']) as never,
    agentLogLevel: process.env.BENCH_AGENT_LOG_LEVEL ?? 'info',
    log,
  });
}

if (options.sections.includes('structured')) {
  log('structured: partialObjects vs AI SDK streamObject, each in its own process, mock upstream in another');
  const { runStructuredBench } = await import('./structured.js');
  results.structured = await runStructuredBench({
    shape: { fields: 2000, deltaChars: 5 },
    warmupShape: { fields: 200, deltaChars: 5 },
    warmupRuns: 3,
    runs: options.quick ? 3 : 5,
    log,
  });
}

if (options.sections.includes('tools')) {
  log('tools: a 3-step tool loop, runTools vs AI SDK streamText, each in its own process, mock upstream in another');
  const { runToolsBench } = await import('./tools.js');
  results.tools = await runToolsBench({
    warmupLoops: options.quick ? 50 : 150,
    loops: options.quick ? 200 : 800,
    loopsPerTurn: 50,
    log,
  });
}

results.environment.loadAverageAtEnd = Math.round(loadavg()[0]! * 100) / 100;
results.environment.durationS = Math.round((Date.now() - startedAt) / 100) / 10;
mkdirSync(resultsDirectory, { recursive: true });
// A trial run (--no-report) gets a file of its own, so it never replaces the results the report was built from.
const resultsFile = join(resultsDirectory, options.report ? 'latest.json' : `trial-${startedAt}.json`);
writeFileSync(resultsFile, `${JSON.stringify(results, null, 1)}\n`);
log(`results: ${resultsFile} (${results.environment.durationS} s)`);
if (options.report) {
  const { writeReport } = await import('./report.js');
  const written = writeReport(results, resultsDirectory);
  for (const path of written) log(`wrote ${path}`);
}
