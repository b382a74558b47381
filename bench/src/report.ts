import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SubjectReport } from './gateway.js';
import type { LibrarySubjectReport } from './library.js';
import { renderPlot } from './plot.js';
import type { BenchResults } from './results.js';
import { formatNumber } from './statistics.js';
import { STRUCTURED_CPU_TARGET } from './structured.js';
import { TOOLS_CPU_TARGET } from './tools.js';

/**
 * Writes `BENCHMARKS.md` (repository root), `results/bench.svg` and `results/summary.json` from one run's results.
 * Every number in the report comes from `results`; a row whose subject failed or was missing says "not measured".
 */

const NOT_MEASURED = 'not measured';

function verdict(ok: boolean | undefined): string {
  if (ok === undefined) return NOT_MEASURED;
  return ok ? '**met**' : '**missed**';
}

function table(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}

const ms = (value: number | undefined, decimals = 2) =>
  value === undefined ? NOT_MEASURED : formatNumber(value, decimals);
/** `+1.23` / `−0.45`: an added amount, which can come out negative when the subject's run was the luckier one. */
const signed = (value: number, decimals: number) =>
  `${value < 0 ? '−' : '+'}${formatNumber(Math.abs(value), decimals)}`;
const finite = (value: number | undefined): value is number => value !== undefined && Number.isFinite(value);

function librarySubject(results: BenchResults, id: string): LibrarySubjectReport | undefined {
  const subject = results.library?.subjects.find((candidate) => candidate.id === id);
  return subject?.fast ? subject : undefined;
}

function gatewaySubject(results: BenchResults, id: string): SubjectReport | undefined {
  const subject = results.gateway?.subjects.find((candidate) => candidate.id === id);
  return subject && Object.keys(subject.latency).length > 0 ? subject : undefined;
}

interface TargetRow {
  target: string;
  measured: string;
  ok: boolean | undefined;
}

function targetRows(results: BenchResults): TargetRow[] {
  const rows: TargetRow[] = [];
  for (const vendor of ['openai', 'anthropic'] as const) {
    const sdk = librarySubject(results, `${vendor}-sdk`);
    const pipeline = librarySubject(results, `rxllm-${vendor}-pipeline`);
    const aiSdk = librarySubject(results, `ai-sdk-${vendor}`);
    const ratio = sdk && pipeline ? pipeline.fast!.cpuMsPer1k / sdk.fast!.cpuMsPer1k : undefined;
    rows.push({
      target: `${vendor}: rxllm pipeline CPU ≤ 1.10× the bare SDK loop (fast stream)`,
      measured: finite(ratio) ? `${formatNumber(ratio, 2)}×` : NOT_MEASURED,
      ok: finite(ratio) ? ratio <= 1.1 : undefined,
    });
    const aheadRatio = aiSdk && pipeline ? pipeline.fast!.cpuMsPer1k / aiSdk.fast!.cpuMsPer1k : undefined;
    rows.push({
      target: `${vendor}: rxllm pipeline ahead of AI SDK \`streamText\` (CPU)`,
      measured: finite(aheadRatio) ? `${formatNumber(aheadRatio, 2)}× streamText's CPU` : NOT_MEASURED,
      ok: finite(aheadRatio) ? aheadRatio < 1 : undefined,
    });
  }
  const memory = results.library?.memory.find((entry) => entry.subjectId === 'rxllm-openai-pipeline');
  rows.push({
    target: `heap flat (±5 %) across a ${formatNumber(memory?.textEvents)}-chunk stream, text not kept`,
    measured: finite(memory?.maxDeviation) ? `±${formatNumber(memory.maxDeviation * 100, 1)} %` : NOT_MEASURED,
    ok: finite(memory?.maxDeviation) ? memory.maxDeviation <= 0.05 : undefined,
  });
  const pipelineCase = results.operators?.cases.find((entry) => entry.id === 'pipeline');
  rows.push({
    target: 'five-operator pipeline ≤ 1 µs per chunk (in memory)',
    measured: finite(pipelineCase?.nsPerChunk) ? `${formatNumber(pipelineCase.nsPerChunk)} ns` : NOT_MEASURED,
    ok: finite(pipelineCase?.nsPerChunk) ? pipelineCase.nsPerChunk <= 1000 : undefined,
  });
  const structuredRatio = results.structured?.cpuRatio;
  rows.push({
    target: `\`partialObjects\` CPU ≤ ${STRUCTURED_CPU_TARGET}× AI SDK \`streamObject\`'s (${formatNumber(results.structured?.settings.shape.fields ?? 2000)}-field object)`,
    measured: finite(structuredRatio)
      ? `${formatNumber(structuredRatio, 3)}×`
      : results.structured
        ? NOT_MEASURED
        : 'not run (`--only=structured`)',
    ok: finite(structuredRatio) ? structuredRatio <= STRUCTURED_CPU_TARGET : undefined,
  });
  const toolsRatio = results.tools?.cpuRatio;
  rows.push({
    target: `\`runTools\` CPU ≤ ${TOOLS_CPU_TARGET}× AI SDK \`streamText\`'s (3-step tool loop, \`stopWhen: stepCountIs(3)\`)`,
    measured: finite(toolsRatio)
      ? `${formatNumber(toolsRatio, 3)}×`
      : results.tools
        ? NOT_MEASURED
        : 'not run (`--only=tools`)',
    ok: finite(toolsRatio) ? toolsRatio <= TOOLS_CPU_TARGET : undefined,
  });
  const direct = gatewaySubject(results, 'direct');
  const portkey = gatewaySubject(results, 'portkey');
  for (const id of ['agent-openai', 'agent-chat'] as const) {
    const subject = gatewaySubject(results, id);
    const addedP50 = subject && direct ? subject.latency.c1!.ttftP50Ms - direct.latency.c1!.ttftP50Ms : undefined;
    const addedP99 = subject && direct ? subject.latency.c1!.ttftP99Ms - direct.latency.c1!.ttftP99Ms : undefined;
    rows.push({
      target: `${id}: added TTFT p50 ≤ 0.5 ms at concurrency 1`,
      measured: finite(addedP50) ? `${formatNumber(addedP50, 2)} ms` : NOT_MEASURED,
      ok: finite(addedP50) ? addedP50 <= 0.5 : undefined,
    });
    rows.push({
      target: `${id}: added TTFT p99 ≤ 2 ms at concurrency 1`,
      measured: finite(addedP99) ? `${formatNumber(addedP99, 2)} ms` : NOT_MEASURED,
      ok: finite(addedP99) ? addedP99 <= 2 : undefined,
    });
    const streams = subject?.latency.c10?.streamsPerSecond;
    rows.push({
      target: `${id}: ≥ 2,500 short streams/s at concurrency 10`,
      measured: finite(streams) ? formatNumber(streams) : NOT_MEASURED,
      ok: finite(streams) ? streams >= 2500 : undefined,
    });
    const relay = subject?.relay?.chunksPerCpuSecond;
    rows.push({
      target: `${id}: ≥ 40,000 relayed chunks per core-second`,
      measured: finite(relay) ? formatNumber(relay) : NOT_MEASURED,
      ok: finite(relay) ? relay >= 40_000 : undefined,
    });
    const hold = subject?.hold;
    rows.push({
      target: `${id}: ≥ 10,000 held streams at ≤ 32 KiB each`,
      measured: hold
        ? `${formatNumber(hold.receiving)} held, ${formatNumber(hold.bytesPerStream / 1024, 1)} KiB each`
        : NOT_MEASURED,
      ok: hold ? hold.receiving >= 10_000 && hold.bytesPerStream <= 32 * 1024 : undefined,
    });
    const portkeyStreams = portkey?.latency.c10?.streamsPerSecond;
    const times = finite(streams) && finite(portkeyStreams) ? streams / portkeyStreams : undefined;
    rows.push({
      target: `${id}: ≥ 5× the Portkey gateway's streams/s (concurrency 10)`,
      measured: finite(times) ? `${formatNumber(times, 1)}×` : NOT_MEASURED,
      ok: finite(times) ? times >= 5 : undefined,
    });
  }
  return rows;
}

function operatorsSection(results: BenchResults): string {
  const operators = results.operators;
  if (!operators) return `Not run (\`--only\` left it out).`;
  const baseline = operators.cases.find((entry) => entry.id === 'callback')?.nsPerChunk;
  return table(
    ['case', 'ns per chunk (CPU, median)', '× plain callback', 'runs (ns/chunk)'],
    operators.cases.map((entry) => [
      entry.label,
      entry.error ? `${NOT_MEASURED}: ${entry.error}` : formatNumber(entry.nsPerChunk),
      entry.error || !finite(baseline) ? '' : `${formatNumber(entry.nsPerChunk / baseline, 1)}×`,
      entry.runsNsPerChunk.map((value) => formatNumber(value)).join(', '),
    ]),
  );
}

function librarySection(results: BenchResults): string {
  const library = results.library;
  if (!library) return 'Not run (`--only` left it out).';
  const rows = library.subjects.map((subject) => {
    if (!subject.fast || !subject.paced)
      return [subject.vendor, subject.label, `${NOT_MEASURED}: ${subject.error ?? ''}`, '', '', '', '', '', ''];
    const sdk = library.subjects.find((candidate) => candidate.id === `${subject.vendor}-sdk`);
    const ratio = sdk?.fast ? subject.fast.cpuMsPer1k / sdk.fast.cpuMsPer1k : Number.NaN;
    const pacedRatio = sdk?.paced ? subject.paced.cpuMsPer1k / sdk.paced.cpuMsPer1k : Number.NaN;
    return [
      subject.vendor,
      subject.label,
      ms(subject.fast.cpuMsPer1k),
      ms(subject.fast.wallMsPer1k),
      `${formatNumber(ratio, 2)}×`,
      ms(subject.paced.cpuMsPer1k),
      `${formatNumber(pacedRatio, 2)}×`,
      formatNumber(subject.fast.heapGrowthBytes / 1024),
      formatNumber(subject.fast.retainedHeapBytes / 1024),
    ];
  });
  const memoryRows = library.memory.map((entry) => [
    entry.subjectId,
    formatNumber(entry.textEvents),
    entry.result ? formatNumber(entry.result.wallMs / 1000, 1) : NOT_MEASURED,
    entry.result ? formatNumber(entry.result.samples.length) : '',
    finite(entry.minHeapBytes)
      ? `${formatNumber(entry.minHeapBytes / 2 ** 20, 2)} / ${formatNumber(entry.medianHeapBytes! / 2 ** 20, 2)} / ${formatNumber(entry.maxHeapBytes! / 2 ** 20, 2)}`
      : (entry.error ?? ''),
    finite(entry.maxDeviation) ? `±${formatNumber(entry.maxDeviation * 100, 1)} %` : '',
    finite(entry.trend) ? `${entry.trend >= 0 ? '+' : ''}${formatNumber(entry.trend * 100, 1)} %` : '',
  ]);
  return [
    `Fast: one stream of ${formatNumber(library.settings.fast.textEvents)} text events written as fast as the upstream can (one write per event), ${library.settings.runs} runs after 2 warm-up runs, taken round-robin across the subjects (one process per subject, all alive at once) so that other load on the machine hits every subject alike. Paced: ${formatNumber(library.settings.paced.textEvents)} text events ${library.settings.paced.delayMs} ms apart, ${library.settings.pacedRuns} runs. CPU is the benchmark process's \`process.cpuUsage()\` (user + system) over the run; medians. "Heap growth" is \`heapUsed\` at the end of a run minus before it (garbage included); "retained" is the same after a forced GC.`,
    '',
    table(
      [
        'vendor',
        'subject',
        'fast: CPU ms / 1k chunks',
        'fast: wall ms / 1k chunks',
        'fast: × bare SDK',
        'paced: CPU ms / 1k chunks',
        'paced: × bare SDK',
        'heap growth KiB',
        'retained KiB',
      ],
      rows,
    ),
    '',
    '**Memory across one long stream** (heap sampled every 250 ms right after a forced GC; samples from the first 10 % of the stream are left out):',
    '',
    table(
      [
        'subject',
        'chunks',
        'seconds',
        'samples',
        'heapUsed MiB min / median / max',
        'max deviation from median',
        'second half vs first half (trend)',
      ],
      memoryRows,
    ),
  ].join('\n');
}

function structuredSection(results: BenchResults): string {
  const structured = results.structured;
  if (!structured) return 'Not run: not part of the default run (it takes minutes); `--only=structured` runs it.';
  const theirs = structured.subjects.find((subject) => subject.id === 'ai-sdk-stream-object')?.cpuMsPer1k;
  const rows = structured.subjects.map((subject) => {
    if (!finite(subject.cpuMsPer1k)) return [subject.label, `${NOT_MEASURED}: ${subject.error ?? ''}`, '', '', '', ''];
    return [
      subject.label,
      ms(subject.cpuMsPer1k),
      finite(theirs) ? `${formatNumber(subject.cpuMsPer1k / theirs, 3)}×` : '',
      ms(subject.wallMsPer1k),
      formatNumber(subject.partials),
      subject.runs.map((run) => formatNumber(run.cpuMs)).join(', '),
    ];
  });
  const { shape, warmupShape, warmupRuns, runs } = structured.settings;
  return [
    `A ${formatNumber(shape.fields)}-field object (strings with escapes and non-ASCII, numbers, booleans, arrays of numbers and of strings, nested objects; a zod \`strictObject\` describing it exactly) streamed as JSON in ${formatNumber(structured.textDeltas)} text deltas of ${shape.deltaChars} characters by \`@rxllm/testing\`'s mock upstream (OpenAI Chat Completions SSE, one write per event) in a process of its own; each subject in a \`--expose-gc\` process of its own, ${warmupRuns} warm-up streams of ${formatNumber(warmupShape.fields)} fields, then ${runs} runs each, round-robin. CPU is the subject process's \`process.cpuUsage()\` (user + system) per 1,000 text deltas, medians. Each consumer reads one field of every partial; both final objects must equal the streamed one (the run fails otherwise). Neither subject throttles: each emits a partial after every chunk that changes what is visible, so the partial counts differ only in when a value first shows: the AI SDK shows \`true\`/\`false\` from their first letter (\`partialObjects\` once complete), and a number whose chunk ends at \`19.\` as \`19\` before \`19.5\` (\`partialObjects\` waits for a valid number: one partial fewer).`,
    '',
    table(
      ['subject', 'CPU ms / 1k chunks', '× `streamObject`', 'wall ms / 1k chunks', 'partials', 'runs (CPU ms)'],
      rows,
    ),
  ].join('\n');
}

function toolsSection(results: BenchResults): string {
  const tools = results.tools;
  if (!tools) return 'Not run: not part of the default run; `--only=tools` runs it (one to two minutes).';
  const theirs = tools.subjects.find((subject) => subject.id === 'ai-sdk-stream-text')?.cpuMsPerLoop;
  const rows = tools.subjects.map((subject) => {
    if (!finite(subject.cpuMsPerLoop))
      return [subject.label, `${NOT_MEASURED}: ${subject.error ?? ''}`, '', '', '', ''];
    return [
      subject.label,
      ms(subject.cpuMsPerLoop, 3),
      finite(theirs) ? `${formatNumber(subject.cpuMsPerLoop / theirs, 3)}×` : '',
      ms(subject.wallMsPerLoop, 3),
      ms(subject.requestsPerLoop, 2),
      formatNumber(subject.runs.length),
    ];
  });
  const { warmupLoops, loops, loopsPerTurn } = tools.settings;
  return [
    `One loop is ${tools.steps} model requests to \`@rxllm/testing\`'s mock upstream (OpenAI Chat Completions SSE, one write per event) in a process of its own, which answers by the tool results each request sends back: two parallel tool calls with streamed argument fragments, then one call, then an answer of ${formatNumber(tools.answerDeltas)} text deltas with usage. The three tools are cheap local functions (add, look up a constant, multiply), the same zod schemas and bodies for both subjects. Each subject runs in a \`--expose-gc\` process of its own: ${formatNumber(warmupLoops)} warm-up loops, then ${formatNumber(loops)} timed loops each, round-robin in turns of ${formatNumber(loopsPerTurn)}. CPU is the subject process's \`process.cpuUsage()\` (user + system) per loop, medians. Every loop must make exactly the scripted calls with the scripted results, text and 3 steps, and the mock must have served exactly 3 requests per loop (the run fails otherwise).`,
    '',
    table(['subject', 'CPU ms / loop', '× `streamText`', 'wall ms / loop', 'requests / loop', 'timed loops'], rows),
  ].join('\n');
}

function gatewaySection(results: BenchResults): string {
  const gateway = results.gateway;
  if (!gateway) return 'Not run (`--only` left it out).';
  const direct = gatewaySubject(results, 'direct');
  const added = (subject: SubjectReport, key: string, field: 'ttftP50Ms' | 'ttftP99Ms') =>
    subject.id === 'direct' || !direct?.latency[key] || !subject.latency[key]
      ? ''
      : ` (${signed(subject.latency[key][field] - direct.latency[key][field], 2)})`;
  const latencyRows = gateway.subjects.map((subject) => {
    if (!subject.latency.c1) return [subject.label, `${NOT_MEASURED}: ${subject.error ?? ''}`, '', '', '', ''];
    const cells = ['c1', 'c10', 'c100'].map((key) =>
      subject.latency[key]
        ? `${ms(subject.latency[key].ttftP50Ms)}${added(subject, key, 'ttftP50Ms')} / ${ms(subject.latency[key].ttftP99Ms)}${added(subject, key, 'ttftP99Ms')}`
        : NOT_MEASURED,
    );
    return [
      subject.label,
      ...cells,
      formatNumber(subject.latency.c10?.streamsPerSecond),
      subject.id === 'direct' ? '' : ms(subject.latency.c10?.gatewayCpuMsPerStream, 3),
      formatNumber(subject.latency.c10?.upstreamConnectionsPerRequest, 3),
    ];
  });
  const pacedRows = gateway.subjects
    .filter((subject) => subject.paced.c20)
    .map((subject) => {
      const cell = (key: string) => {
        const entry = subject.paced[key];
        if (!entry) return NOT_MEASURED;
        const base = direct?.paced[key];
        const addedP99 = subject.id !== 'direct' && base ? ` (${signed(entry.gapP99Ms - base.gapP99Ms, 2)})` : '';
        return `${ms(entry.gapP50Ms)} / ${ms(entry.gapP99Ms)}${addedP99}`;
      };
      const whole = (key: string) => {
        const entry = subject.paced[key];
        if (!entry) return NOT_MEASURED;
        const base = direct?.paced[key];
        const addedP99 =
          subject.id !== 'direct' && base ? ` (${signed(entry.lastTextP99Ms - base.lastTextP99Ms, 1)})` : '';
        return `${ms(entry.lastTextP50Ms, 1)} / ${ms(entry.lastTextP99Ms, 1)}${addedP99}`;
      };
      return [subject.label, cell('c20'), cell('c200'), whole('c20'), whole('c200')];
    });
  const relayRows = gateway.subjects
    .filter((subject) => subject.relay && subject.id !== 'direct')
    .map((subject) => [
      subject.label,
      formatNumber(subject.relay!.textEvents),
      formatNumber(subject.relay!.gatewayCpuMs),
      formatNumber(subject.relay!.chunksPerCpuSecond),
      formatNumber(subject.relay!.streamsPerSecond, 1),
    ]);
  const lengths = gateway.settings.lengths;
  const lengthRows = gateway.subjects
    .filter((subject) => subject.lengths.length > 0)
    .map((subject) => [
      subject.label,
      ...lengths.map((length) => {
        const entry = subject.lengths.find((candidate) => candidate.textEvents === length);
        if (!entry) return NOT_MEASURED;
        return subject.id === 'direct'
          ? `${formatNumber(entry.streamsPerSecond)} streams/s; upstream ${formatNumber(entry.upstreamCpuUsPerChunk, 2)} µs`
          : `${formatNumber(entry.gatewayCpuUsPerChunk, 2)} µs; ${formatNumber(entry.streamsPerSecond)} streams/s`;
      }),
    ]);
  const holdRows = gateway.subjects
    .filter((subject) => subject.hold)
    .map((subject) => [
      subject.label,
      `${formatNumber(subject.hold!.receiving)} / ${formatNumber(subject.hold!.requested)}`,
      formatNumber(subject.hold!.openMs / 1000, 1),
      `${formatNumber(subject.hold!.rssBeforeBytes / 2 ** 20, 1)} → ${formatNumber(subject.hold!.rssAfterBytes / 2 ** 20, 1)}`,
      formatNumber(subject.hold!.bytesPerStream / 1024, 1),
      formatNumber(subject.hold!.failedOnRelease),
    ]);
  const failures = gateway.subjects.flatMap((subject) =>
    Object.entries(subject.runs).flatMap(([key, runs]) =>
      runs
        .filter((run) => run.failed > 0)
        .map(
          (run) =>
            `- ${subject.id} ${key}: ${run.failed} failed streams, first: \`${(run.firstError ?? '').slice(0, 200)}\``,
        ),
    ),
  );
  const errors = gateway.subjects
    .filter((subject) => subject.error)
    .map((subject) => `- ${subject.id}: ${NOT_MEASURED}: \`${subject.error!.split('\n')[0]}\``);
  const secrets = gateway.subjects
    .filter((subject) => subject.id !== 'direct')
    .map(
      (subject) =>
        `- ${subject.id}: marker key ${subject.secretInOutput ? '**found** in' : 'absent from'} the last 64 KiB of its output`,
    );
  const upstreamRows = (gateway.upstreams ?? []).map((entry) => [
    entry.label,
    formatNumber(entry.streamsPerSecond),
    ms(entry.ttftP50Ms),
    ms(entry.upstreamCpuMsPerStream, 3),
    formatNumber(entry.failed),
  ]);
  return [
    ...(upstreamRows.length > 0
      ? [
          "**Choice of upstream**: short streams at concurrency 10 straight from the load client to each candidate (the upstream process's CPU per stream from `/proc`):",
          '',
          table(['upstream', 'streams/s', 'TTFT p50 ms', 'upstream CPU ms per stream', 'failed'], upstreamRows),
          '',
        ]
      : []),
    `The agent runs as \`node apps/agent/dist/main.js\` with \`LLM_PROVIDER=openai\`, \`OPENAI_BASE_URL\` at the upstream, \`OPENAI_MODELS\` listing the bench's model ids and \`LOG_LEVEL=${gateway.settings.agentLogLevel ?? 'info'}\`; every other setting is its default. Portkey runs headless with \`NODE_ENV=production\`.`,
    '',
    `Short streams: ${32} text events (35 SSE events upstream: role chunk, 32 text, finish, \`[DONE]\`; 36 when the client asks for the usage chunk, as \`@rxllm/openai\` does), no delay. Each concurrency ran ${formatNumber(gateway.settings.runMs / 1000, 1)} s after warm-up, ${gateway.settings.repeats}× (medians of the per-run p50/p99). TTFT = request sent → first byte holding a text event, as the load client saw it; "added" = minus the direct row at the same concurrency (a difference of percentiles, not a percentile of differences).`,
    '',
    table(
      [
        'subject',
        'TTFT p50 / p99 ms, c=1 (added)',
        'c=10',
        'c=100',
        'streams/s at c=10',
        'gateway CPU ms per stream (c=10)',
        'new upstream connections per upstream request (c=10)',
      ],
      latencyRows,
    ),
    '',
    `**Paced streams** (60 text events 5 ms apart, ${formatNumber(gateway.settings.pacedRunMs / 1000, 1)} s): gap between text events as the client saw them, p50 / p99 ms (added p99 vs direct). A gap of 0 means two events arrived in one read, so a gateway that batches events shows small gaps; the last two columns catch that: request → last text event, p50 / p99 ms (ideal ≈ 60 × 5 ms = 300 ms plus timer slack; added p99 vs direct).`,
    '',
    table(['subject', 'gap, 20 concurrent', 'gap, 200 concurrent', 'whole stream, 20', 'whole stream, 200'], pacedRows),
    '',
    `**Relay cost**: streams of 2,000 text events, no delay, concurrency 10, ${formatNumber(gateway.settings.runMs / 1000, 1)} s; gateway CPU from \`/proc/<pid>/stat\` (10 ms ticks).`,
    '',
    table(['subject', 'text events relayed', 'gateway CPU ms', 'chunks per CPU-second', 'streams/s'], relayRows),
    '',
    '**Cost against response length** (concurrency 10, gateway CPU µs per text event; flat means per-chunk cost does not grow with length; the per-stream fixed cost dominates short streams):',
    '',
    table(['subject', ...lengths.map((length) => `${formatNumber(length)} events`)], lengthRows),
    '',
    `**Held streams**: a fresh gateway process, 300 short streams of warm-up, RSS read, then N streams whose upstream sends one text event every 2 s, opened in batches of 1,000 (each batch waits for its first body bytes), held open; RSS read 3 s after the last batch. "Receiving" counts streams that got body bytes. The per-process open-file limit here is ${results.environment.openFilesLimit} and cannot be raised (\`ulimit -n 65535\` is refused), and a gateway needs two sockets per held stream (client side + upstream side), so about 9,900 is this machine's ceiling.`,
    '',
    holdRows.length > 0
      ? table(
          [
            'subject',
            'receiving / opened',
            'seconds to open',
            'RSS MiB before → after',
            'KiB per stream',
            'failed on release',
          ],
          holdRows,
        )
      : NOT_MEASURED,
    '',
    ...(errors.length > 0 ? ['**Subjects that could not be measured:**', '', ...errors, ''] : []),
    ...(failures.length > 0
      ? ['**Failed streams during runs:**', '', ...failures, '']
      : ['No stream failed in any load run (held streams: see the last column of the table above).', '']),
    '**Secret check** (the load client and the gateways use the marker key `sk-bench-marker-…`):',
    '',
    ...secrets,
  ].join('\n');
}

export function renderReport(results: BenchResults, notes: string | undefined): string {
  const environment = results.environment;
  const versionRows = Object.entries(environment.versions).map(([name, version]) => [`\`${name}\``, version]);
  const targets = targetRows(results);
  return `# rxllm benchmarks

Generated by the bench itself from one run (\`bench/src/report.ts\`); do not edit by hand, edit
\`bench/results/notes.md\` (included below) or rerun.

## How this was run

- Command: \`${environment.command}\` (${results.quick ? 'quick mode: shorter and fewer runs' : 'full mode'}), at the repository root, ${environment.startedAt}; took ${formatNumber(environment.durationS, 1)} s.
- Machine: ${environment.cpuModel}, ${environment.cores} cores, ${formatNumber(environment.memoryGiB, 1)} GiB RAM, Linux ${environment.kernel}, open-file limit ${environment.openFilesLimit}; 1-minute load average ${formatNumber(environment.loadAverageAtStart, 2)} at the start, ${formatNumber(environment.loadAverageAtEnd, 2)} at the end (other engineers' builds and tests share these cores: numbers above ~2 mean contention).
- Node ${environment.node}; git ${environment.gitCommit}${environment.gitDirty ? ' (with uncommitted changes in the tree)' : ''}.
- Everything on 127.0.0.1. The upstream is the bench's own raw-\`node:http\` server (\`bench/src/fast-upstream.ts\`:
  precomputed bytes, one \`write\` per SSE event, backpressure honoured) in a process of its own, so that gateway and
  library numbers are not limited by the scriptable \`@rxllm/testing\` mock. The load client (undici \`Pool\`, keep-alive,
  reads every stream to its end) and each gateway also run in processes of their own; CPU is read per process.

${table(['package', 'version'], versionRows)}

## Targets

${table(
  ['target', 'measured', 'verdict'],
  targets.map((row) => [row.target, row.measured, verdict(row.ok)]),
)}

![plot](bench/results/bench.svg)

## Operators (in memory, no network)

${formatNumber(results.operators?.chunks)} text chunks from a synchronous Observable over an array (plus start, usage,
finish chunks), consumed by a subscriber that sums text lengths; CPU time of the process over the run, median of
${results.operators?.runs ?? 0} runs after a 100k-chunk warm-up.

${operatorsSection(results)}

## Library (in process)

${librarySection(results)}

## Gateway (load client → gateway → upstream, three processes)

${gatewaySection(results)}

## Structured output (\`partialObjects\` against the AI SDK's \`streamObject\`)

${structuredSection(results)}

## Tool loop (\`runTools\` against the AI SDK's \`streamText\`)

${toolsSection(results)}

${notes ? `\n## Notes, profiles, before/after\n\n${notes.trim()}\n` : ''}`;
}

/** Writes the report files; returns their paths. */
export function writeReport(results: BenchResults, resultsDirectory: string): string[] {
  const notesPath = join(resultsDirectory, 'notes.md');
  const notes = existsSync(notesPath) ? readFileSync(notesPath, 'utf8') : undefined;
  const reportPath = join(resultsDirectory, '..', '..', 'BENCHMARKS.md');
  const plotPath = join(resultsDirectory, 'bench.svg');
  const summaryPath = join(resultsDirectory, 'summary.json');
  writeFileSync(plotPath, renderPlot(results));
  writeFileSync(reportPath, renderReport(results, notes));
  const summary = {
    ...results,
    gateway: results.gateway && {
      ...results.gateway,
      subjects: results.gateway.subjects.map(({ runs: _runs, ...rest }) => rest),
    },
    library: results.library && {
      ...results.library,
      memory: results.library.memory.map(({ result, ...rest }) => ({
        ...rest,
        wallMs: result?.wallMs,
        cpuMs: result?.cpuMs,
      })),
    },
  };
  writeFileSync(summaryPath, `${JSON.stringify(summary, null, 1)}\n`);
  return [reportPath, plotPath, summaryPath];
}

// `node dist/report.js` re-renders the report from results/latest.json without rerunning the bench.
if (process.argv[1]?.endsWith('report.js')) {
  const resultsDirectory = join(import.meta.dirname, '..', 'results');
  const results = JSON.parse(readFileSync(join(resultsDirectory, 'latest.json'), 'utf8')) as BenchResults;
  for (const path of writeReport(results, resultsDirectory)) console.log(`wrote ${path}`);
}
