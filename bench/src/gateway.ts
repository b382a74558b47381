import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BENCH_API_KEY,
  direct,
  GATEWAY_SUBJECTS,
  type GatewaySubject,
  type RunningGateway,
} from './gateway-subjects.js';
import type { HoldResult, LoadJob, LoadResult } from './load-client.js';
import { forkWorker, processCpuMs, processRssBytes, sleep, type Worker } from './processes.js';
import { fixed, median } from './statistics.js';
import { modelFor, type StreamShape } from './wire.js';

/**
 * The gateway benchmarks: load client → gateway → upstream, three processes on loopback. CPU is read per process
 * from `/proc`, so a gateway is charged for its own work only.
 */

export interface GatewaySettings {
  quick: boolean;
  /** Repeats of the TTFT / streams-per-second runs; the report shows medians. */
  repeats: number;
  /** Time per load run. */
  runMs: number;
  pacedRunMs: number;
  lengths: number[];
  heldStreams: number;
  subjects: readonly GatewaySubject['id'][];
  /** The agent's `LOG_LEVEL` in this run (`BENCH_AGENT_LOG_LEVEL`, default `info`). */
  agentLogLevel: string;
  log: (line: string) => void;
}

export interface MeasuredRun extends LoadResult {
  gatewayCpuMs: number;
  upstreamCpuMs: number;
  /** Requests and new TCP connections the upstream saw during the run (warm-up included). */
  upstreamRequests: number;
  upstreamConnections: number;
}

export interface LatencySummary {
  ttftP50Ms: number;
  ttftP99Ms: number;
  streamsPerSecond: number;
  gatewayCpuMsPerStream: number;
  /** New upstream TCP connections per upstream request: ~0 with a keep-alive pool, 1 without. */
  upstreamConnectionsPerRequest: number;
  failed: number;
}

export interface SubjectReport {
  id: GatewaySubject['id'];
  label: string;
  error?: string;
  /** Median over repeats, per concurrency. */
  latency: Record<string, LatencySummary>;
  paced: Record<
    string,
    {
      gapP50Ms: number;
      gapP99Ms: number;
      lastTextP50Ms: number;
      lastTextP99Ms: number;
      failed: number;
      streams: number;
    }
  >;
  relay?: { textEvents: number; gatewayCpuMs: number; chunksPerCpuSecond: number; streamsPerSecond: number };
  lengths: Array<{
    textEvents: number;
    streamsPerSecond: number;
    chunksPerSecond: number;
    gatewayCpuUsPerChunk: number;
    upstreamCpuUsPerChunk: number;
  }>;
  hold?: HoldResult & {
    rssBeforeBytes: number;
    rssAfterBytes: number;
    bytesPerStream: number;
    failedOnRelease: number;
  };
  runs: Record<string, MeasuredRun[]>;
  secretInOutput?: boolean;
}

export interface UpstreamComparison {
  label: string;
  streamsPerSecond: number;
  ttftP50Ms: number;
  upstreamCpuMsPerStream: number;
  failed: number;
}

export interface GatewayReport {
  settings: Omit<GatewaySettings, 'log'>;
  subjects: SubjectReport[];
  /** Short streams at concurrency 10 straight to each candidate upstream: why the bench has its own. */
  upstreams: UpstreamComparison[];
}

const here = dirname(fileURLToPath(import.meta.url));

const SHORT: StreamShape = { textEvents: 32, delayMs: 0 };
const PACED: StreamShape = { textEvents: 60, delayMs: 5 };
const RELAY: StreamShape = { textEvents: 2000, delayMs: 0 };
const SLOW: StreamShape = { textEvents: 100_000, delayMs: 2000 };
const LENGTHS = [10, 100, 1000, 10_000];
const MODELS = [SHORT, PACED, RELAY, SLOW, ...LENGTHS.map((textEvents) => ({ textEvents, delayMs: 0 }))].map(modelFor);

async function measure(
  client: Worker,
  gateway: RunningGateway,
  upstream: Worker,
  job: Omit<LoadJob, 'origin' | 'path' | 'headers' | 'body'>,
  shape: StreamShape,
): Promise<MeasuredRun> {
  const request = gateway.request(shape);
  const gatewayBefore = gateway.pid === undefined ? 0 : processCpuMs(gateway.pid);
  const upstreamBefore = processCpuMs(upstream.pid);
  const countsBefore = await upstream.call<{ requests: number; connections: number }>('counts');
  const result = await client.call<LoadResult>('run', { origin: gateway.origin, ...request, ...job }, 180_000);
  const countsAfter = await upstream.call<{ requests: number; connections: number }>('counts');
  const gatewayCpuMs = gateway.pid === undefined ? 0 : processCpuMs(gateway.pid) - gatewayBefore;
  // Warm-up streams run inside the same call; their CPU is a small share and is not subtracted (stated in the report).
  return {
    ...result,
    gatewayCpuMs,
    upstreamCpuMs: processCpuMs(upstream.pid) - upstreamBefore,
    upstreamRequests: countsAfter.requests - countsBefore.requests,
    upstreamConnections: countsAfter.connections - countsBefore.connections,
  };
}

function summarize(runs: MeasuredRun[]): LatencySummary {
  return {
    ttftP50Ms: median(runs.map((run) => run.ttftP50Ms)),
    ttftP99Ms: median(runs.map((run) => run.ttftP99Ms)),
    streamsPerSecond: median(runs.map((run) => run.streamsPerSecond)),
    gatewayCpuMsPerStream: median(runs.map((run) => run.gatewayCpuMs / Math.max(1, run.completed))),
    upstreamConnectionsPerRequest: median(
      runs.map((run) => run.upstreamConnections / Math.max(1, run.upstreamRequests)),
    ),
    failed: runs.reduce((total, run) => total + run.failed, 0),
  };
}

async function runSubject(
  subject: GatewaySubject,
  settings: GatewaySettings,
  client: Worker,
  upstream: { url: string; worker: Worker },
): Promise<SubjectReport> {
  const report: SubjectReport = { id: subject.id, label: subject.label, latency: {}, paced: {}, lengths: [], runs: {} };
  const record = (key: string, run: MeasuredRun) => {
    report.runs[key] ??= [];
    report.runs[key].push(run);
    if (run.failed > 0) settings.log(`  ${key}: ${run.failed} failed, first: ${run.firstError}`);
    return run;
  };
  let gateway = await subject.start(upstream.url, MODELS);
  try {
    // Latency and throughput of short streams, repeated; each repeat runs all three concurrencies.
    for (let repeat = 0; repeat < settings.repeats; repeat += 1) {
      for (const concurrency of [1, 10, 100]) {
        const run = await measure(
          client,
          gateway,
          upstream.worker,
          // The first repeat warms the gateway up (JIT, pools); later ones only refill the connection pool.
          {
            concurrency,
            durationMs: settings.runMs,
            warmupStreams: repeat === 0 ? Math.min(500, concurrency * 20) : concurrency,
          },
          SHORT,
        );
        record(`c${concurrency}`, run);
        settings.log(
          `  ${subject.id} c${concurrency} #${repeat + 1}: ${fixed(run.streamsPerSecond, 0)} streams/s, TTFT p50 ${fixed(run.ttftP50Ms, 2)} ms p99 ${fixed(run.ttftP99Ms, 2)} ms, ${run.textEventsPerStreamMin} text events/stream`,
        );
      }
    }
    for (const concurrency of [1, 10, 100])
      report.latency[`c${concurrency}`] = summarize(report.runs[`c${concurrency}`]!);

    for (const concurrency of [20, 200]) {
      const run = record(
        `paced-c${concurrency}`,
        await measure(
          client,
          gateway,
          upstream.worker,
          { concurrency, durationMs: settings.pacedRunMs, warmupStreams: concurrency, recordGaps: true },
          PACED,
        ),
      );
      report.paced[`c${concurrency}`] = {
        gapP50Ms: run.gapP50Ms,
        gapP99Ms: run.gapP99Ms,
        lastTextP50Ms: run.lastTextP50Ms,
        lastTextP99Ms: run.lastTextP99Ms,
        failed: run.failed,
        streams: run.completed,
      };
      settings.log(
        `  ${subject.id} paced c${concurrency}: gap p50 ${fixed(run.gapP50Ms, 2)} ms p99 ${fixed(run.gapP99Ms, 2)} ms, whole stream p50 ${fixed(run.lastTextP50Ms, 1)} p99 ${fixed(run.lastTextP99Ms, 1)} ms, over ${run.completed} streams`,
      );
    }

    const relay = record(
      'relay',
      await measure(
        client,
        gateway,
        upstream.worker,
        { concurrency: 10, durationMs: settings.runMs, warmupStreams: 10 },
        RELAY,
      ),
    );
    report.relay = {
      textEvents: relay.textEvents,
      gatewayCpuMs: relay.gatewayCpuMs,
      chunksPerCpuSecond: relay.gatewayCpuMs > 0 ? (relay.textEvents * 1000) / relay.gatewayCpuMs : Number.NaN,
      streamsPerSecond: relay.streamsPerSecond,
    };
    settings.log(
      `  ${subject.id} relay: ${relay.textEvents} text events, gateway CPU ${relay.gatewayCpuMs} ms, ${fixed(report.relay.chunksPerCpuSecond, 0)} chunks/CPU-s`,
    );

    for (const textEvents of settings.lengths) {
      const run = record(
        `length-${textEvents}`,
        await measure(
          client,
          gateway,
          upstream.worker,
          { concurrency: 10, durationMs: settings.runMs, warmupStreams: 10 },
          { textEvents, delayMs: 0 },
        ),
      );
      const chunks = Math.max(1, run.textEvents);
      report.lengths.push({
        textEvents,
        streamsPerSecond: run.streamsPerSecond,
        chunksPerSecond: (run.textEvents * 1000) / run.elapsedMs,
        gatewayCpuUsPerChunk: (run.gatewayCpuMs * 1000) / chunks,
        upstreamCpuUsPerChunk: (run.upstreamCpuMs * 1000) / chunks,
      });
      settings.log(
        `  ${subject.id} length ${textEvents}: ${fixed(run.streamsPerSecond, 0)} streams/s, gateway ${fixed((run.gatewayCpuMs * 1000) / chunks, 2)} µs CPU/chunk`,
      );
    }

    if (gateway.pid !== undefined && settings.heldStreams > 0) {
      // A fresh gateway process, so the RSS delta is the held streams' and not leftover garbage from the load runs.
      if (gateway.output?.().includes(BENCH_API_KEY)) report.secretInOutput = true;
      await gateway.stop();
      gateway = await subject.start(upstream.url, MODELS);
      await measure(client, gateway, upstream.worker, { concurrency: 10, streams: 300, warmupStreams: 0 }, SHORT);
      await sleep(1000);
      const rssBeforeBytes = processRssBytes(gateway.pid!);
      const request = gateway.request(SLOW);
      const held = await client.call<HoldResult>(
        'hold',
        {
          origin: gateway.origin,
          ...request,
          concurrency: settings.heldStreams,
          count: settings.heldStreams,
          openTimeoutMs: 100_000,
        },
        160_000,
      );
      await sleep(3000);
      const rssAfterBytes = processRssBytes(gateway.pid!);
      const released = await client.call<{ failed: number; firstError?: string }>('release', undefined, 60_000);
      report.hold = {
        ...held,
        rssBeforeBytes,
        rssAfterBytes,
        bytesPerStream: (rssAfterBytes - rssBeforeBytes) / Math.max(1, held.receiving),
        failedOnRelease: released.failed,
      };
      settings.log(
        `  ${subject.id} hold: ${held.receiving}/${held.requested} streams receiving after ${fixed(held.openMs, 0)} ms, RSS ${fixed(rssBeforeBytes / 2 ** 20, 1)} → ${fixed(rssAfterBytes / 2 ** 20, 1)} MiB, ${fixed(report.hold.bytesPerStream / 1024, 1)} KiB/stream${released.failed ? `, ${released.failed} failed: ${released.firstError}` : ''}`,
      );
    }
  } catch (error) {
    report.error = error instanceof Error ? error.message : String(error);
    settings.log(`  ${subject.id} FAILED: ${report.error}`);
  } finally {
    if (gateway.output?.().includes(BENCH_API_KEY)) report.secretInOutput = true;
    await gateway.stop();
  }
  return report;
}

export async function runGatewayBench(settings: GatewaySettings): Promise<GatewayReport> {
  const upstreamWorker = forkWorker(join(here, 'upstream-process.js'), { label: 'upstream' });
  const client = forkWorker(join(here, 'load-client.js'), { label: 'load client' });
  const subjects: SubjectReport[] = [];
  const upstreams: UpstreamComparison[] = [];
  try {
    const upstreamInfo = await upstreamWorker.ready;
    await client.ready;
    const mockWorker = forkWorker(join(here, 'mock-upstream-process.js'), { label: 'mock upstream' });
    const fastCandidate = { label: 'bench upstream (`bench/src/fast-upstream.ts`)', worker: upstreamWorker };
    const mockCandidate = { label: '`@rxllm/testing` `mockUpstream()`', worker: mockWorker };
    // Alternated twice and the second pass kept: the first pass also warms up the load client.
    for (const [pass, candidate] of [fastCandidate, mockCandidate, fastCandidate, mockCandidate].entries()) {
      try {
        const url = String((await candidate.worker.ready).url);
        const target = await direct.start(url, MODELS);
        const run = await measure(
          client,
          target,
          candidate.worker,
          { concurrency: 10, durationMs: settings.runMs, warmupStreams: 200 },
          SHORT,
        );
        if (pass < 2) continue;
        upstreams.push({
          label: candidate.label,
          streamsPerSecond: run.streamsPerSecond,
          ttftP50Ms: run.ttftP50Ms,
          upstreamCpuMsPerStream: run.upstreamCpuMs / Math.max(1, run.completed),
          failed: run.failed,
        });
        settings.log(
          `upstream ${candidate.label}: ${fixed(run.streamsPerSecond, 0)} streams/s at c10, ${fixed(run.upstreamCpuMs / Math.max(1, run.completed), 3)} ms upstream CPU/stream, ${run.failed} failed`,
        );
      } catch (error) {
        settings.log(
          `upstream ${candidate.label}: not measured: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    await mockWorker.stop();
    const upstream = { url: String(upstreamInfo.url), worker: upstreamWorker };
    for (const subject of GATEWAY_SUBJECTS) {
      if (!settings.subjects.includes(subject.id)) continue;
      settings.log(`gateway: ${subject.label}`);
      try {
        subjects.push(await runSubject(subject, settings, client, upstream));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        settings.log(`  ${subject.id} not measured: ${message}`);
        subjects.push({
          id: subject.id,
          label: subject.label,
          error: message,
          latency: {},
          paced: {},
          lengths: [],
          runs: {},
        });
      }
    }
  } finally {
    await client.stop();
    await upstreamWorker.stop();
  }
  const { log: _log, ...rest } = settings;
  return { settings: rest, subjects, upstreams };
}
