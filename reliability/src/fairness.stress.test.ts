import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { type MockUpstream, mockUpstream } from '@rxllm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildAgent, startChildAgent } from './harness/child-agent.js';
import { postChat } from './harness/clients.js';
import { lowerLoadGeneratorPriority, pollHealth, scrapeEventLoopLag, startFloodClients } from './harness/fairness.js';
import { type FloodUpstream, floodUpstream } from './harness/flood-upstream.js';
import { vendorEnv } from './harness/in-process-agent.js';
import { percentile, round1, writeResult } from './harness/results.js';
import { expectedTextFor, messageFor, scriptedResponder } from './harness/scripted-text.js';
import { SecretScanner } from './harness/secrets.js';
import { verifyTranscript } from './harness/verify.js';

/**
 * Issue 14, item 5: one stream must not starve the rest. Ten clients that never read hold streams whose upstream
 * sends as fast as the agent's socket takes (replaced as soon as the agent drops them), while 500 ordinary streams
 * (about 110 at a time) read everything and `/healthz` is probed every 20 ms on fresh connections. The agent runs in
 * its own process, with its default slow-consumer settings. 500 streams keep the flood up for ~13 s, long enough for
 * ~380 probes: with 145 (100 streams), p99 was the second-slowest probe and flipped around the bound from run to run.
 * The upstreams and clients of this process stand in for other machines, so it runs them at a lower scheduling
 * priority than the agent and the poller (see `lowerLoadGeneratorPriority`).
 */
const counts = { floodClients: 10, maxFloodClients: 400, ordinary: 500, ordinaryPieces: 100 };
const ordinaryDelivery = { eventDelayMs: 20 };
/** Between two ordinary streams' starts, so they overlap the flood rather than all starting in its first second. */
const ordinaryStaggerMs = 20;
const healthIntervalMs = 20;
/** The latency bound the issue asks for. */
const healthP99BoundMs = 50;

const scanner = new SecretScanner('fairness-stress');
const figures: Record<string, unknown> = { counts, ordinaryDelivery, healthIntervalMs };

/** One ordinary stream, read to its end: whether its text and terminal event are exact, and how long it took (ms). */
async function ordinaryStream(agentUrl: string, index: number) {
  await sleep(index * ordinaryStaggerMs);
  const requestId = `ordinary-${index}`;
  const startedAt = performance.now();
  const reply = await postChat(`${agentUrl}/chat`, { message: messageFor(requestId) }, { deadlineMs: 60_000 });
  scanner.body(reply.raw);
  const verdict = verifyTranscript(reply.events);
  const exact =
    reply.status === 200 &&
    verdict.problems.length === 0 &&
    verdict.terminal === 'done' &&
    verdict.text === expectedTextFor(requestId, counts.ordinaryPieces);
  return { exact, durationMs: reply.endedAt - startedAt };
}

describe('fairness: never-reading clients on unbounded-rate upstreams do not hold the event loop', () => {
  let mock: MockUpstream;
  let upstream: FloodUpstream;
  let agent: ChildAgent;
  beforeAll(async () => {
    mock = await mockUpstream({
      respond: scriptedResponder(() => ({ pieces: counts.ordinaryPieces, delivery: ordinaryDelivery })),
    });
    upstream = await floodUpstream({
      target: mock.url,
      isFlood: (requestId) => requestId.startsWith('flood-'),
      maxBytesPerReply: 256 * 2 ** 20,
    });
    agent = await startChildAgent({ env: vendorEnv(upstream.url), scanner });
  });
  afterAll(async () => {
    writeResult('fairness-stress', figures);
    await agent?.stop();
    await upstream?.close();
    await mock?.close();
    expect(scanner.report().hits).toBe(0);
  });

  it(`${counts.floodClients} flooded never-readers + ${counts.ordinary} ordinary streams: /healthz p99 ≤ ${healthP99BoundMs} ms, ordinary streams exact`, async () => {
    const testLoop = monitorEventLoopDelay({ resolution: 10 });
    testLoop.enable();
    await scrapeEventLoopLag(agent.url); // prom-client resets its histogram on every scrape: the next one is this run's
    const health = await pollHealth(agent.url, healthIntervalMs);
    const priority = lowerLoadGeneratorPriority();
    const flood = startFloodClients({
      agentUrl: agent.url,
      upstream,
      clients: counts.floodClients,
      maxOpened: counts.maxFloodClients,
    });
    await sleep(500);
    const ordinary = await Promise.all(
      Array.from({ length: counts.ordinary }, (_, index) => ordinaryStream(agent.url, index)),
    );
    const probes = await health.stop();
    const eventLoopLag = await scrapeEventLoopLag(agent.url);
    const floods = await flood.stop();
    testLoop.disable();
    const restored = priority.restore();

    const latencies = probes.map((probe) => probe.latencyMs);
    const durations = ordinary.map((stream) => stream.durationMs);
    const result = {
      healthz: {
        probes: probes.length,
        failed: probes.filter((probe) => probe.status !== 200).length,
        p50Ms: round1(percentile(latencies, 50)),
        p99Ms: round1(percentile(latencies, 99)),
        maxMs: round1(Math.max(...latencies)),
        slowestMs: latencies
          .slice()
          .sort((a, b) => b - a)
          .slice(0, 5)
          .map(round1),
      },
      // prom-client samples every 10 ms: an idle loop reads about 10.1 ms, so the delay proper is the figure minus 10.
      agentEventLoopLag: eventLoopLag,
      testProcessEventLoopDelayMs: { p99: round1(testLoop.percentile(99) / 1e6), max: round1(testLoop.max / 1e6) },
      loadGeneratorNiceness: { before: priority.before, during: priority.during, restored },
      floods,
      ordinary: {
        exact: ordinary.filter((stream) => stream.exact).length,
        durationP50Ms: Math.round(percentile(durations, 50)),
        durationMaxMs: Math.round(Math.max(...durations)),
      },
    };
    figures.run = result;
    console.log(`fairness: ${JSON.stringify(result)}`);
    console.log(
      `agent event-loop delay (nodejs_eventloop_lag_*_seconds, 10 ms resolution): p50 ${eventLoopLag.p50Ms} ms, ` +
        `p99 ${eventLoopLag.p99Ms} ms, max ${eventLoopLag.maxMs} ms; /healthz p50 ${result.healthz.p50Ms} ms, ` +
        `p99 ${result.healthz.p99Ms} ms, max ${result.healthz.maxMs} ms over ${probes.length} probes`,
    );

    // The flood was real: the first ten clients' upstreams each pushed more than loopback socket buffers can hide,
    // none ran to its cap, and a dropped client was replaced.
    expect(floods.opened).toBeGreaterThanOrEqual(counts.floodClients);
    expect(floods.ranToCap).toBe(0);
    expect(floods.firstWaveMinMiB).toBeGreaterThanOrEqual(1);
    expect(result.ordinary.exact).toBe(counts.ordinary);
    expect(result.healthz.failed).toBe(0);
    expect(result.healthz.p99Ms).toBeLessThanOrEqual(healthP99BoundMs);
  });
});
