import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { type MockUpstream, mockUpstream } from '@rxllm/testing';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentProcessStats, type ChildAgent, startChildAgent } from './harness/child-agent.js';
import { postChat, socketChat } from './harness/clients.js';
import { vendorEnv } from './harness/in-process-agent.js';
import { round1, writeResult } from './harness/results.js';
import { expectedTextFor, messageFor, scriptedResponder } from './harness/scripted-text.js';
import { SecretScanner } from './harness/secrets.js';
import { verifyTranscript } from './harness/verify.js';

const soakMs = Number(process.env.SOAK_MS ?? 600_000);
const concurrency = Number(process.env.SOAK_CONCURRENCY ?? 40);
const warmUpMs = Math.min(60_000, Math.round(soakMs * 0.1));
// Longer than undici's and the mock's keep-alive timeouts, so idle pooled sockets are gone before fds are counted.
const settleMs = 7_000;
const pieces = 20;
const scanner = new SecretScanner('soak');

describe(`soak: ${Math.round(soakMs / 1000)} s of mixed traffic (SSE, WebSocket, disconnects, upstream faults)`, () => {
  let mock: MockUpstream;
  let agent: ChildAgent;
  beforeAll(async () => {
    mock = await mockUpstream({
      respond: scriptedResponder((requestId) =>
        requestId.startsWith('soak-fault')
          ? { pieces, delivery: { eventDelayMs: 10, dropAfterEvents: 10 } }
          : { pieces, delivery: { eventDelayMs: 15 } },
      ),
    });
    agent = await startChildAgent({ env: vendorEnv(mock.url), scanner });
  });
  afterAll(async () => {
    await agent?.stop();
    await mock?.close();
    expect(scanner.report().hits).toBe(0);
  });

  it('heap drift ≤ 5 % after GC, no fd leak, every stream honest', async () => {
    const dispatcher = new Agent({ pipelining: 1, keepAliveTimeout: 1_000 });
    const tally = { sse: 0, webSocket: 0, disconnects: 0, faults: 0, failures: [] as string[] };
    let counter = 0;
    let running = true;
    const worker = async () => {
      while (running) {
        counter += 1;
        const pick = Math.random();
        if (pick < 0.45) {
          const requestId = `soak-ok-${counter}`;
          const reply = await postChat(
            `${agent.url}/chat`,
            { message: messageFor(requestId) },
            { dispatcher, deadlineMs: 60_000 },
          );
          scanner.body(reply.raw);
          const verdict = verifyTranscript(reply.events);
          if (verdict.problems.length > 0 || verdict.text !== expectedTextFor(requestId, pieces))
            tally.failures.push(`${requestId}: ${verdict.problems.join(', ')} ${reply.readError ?? ''}`);
          tally.sse += 1;
        } else if (pick < 0.8) {
          const requestId = `soak-ws-${counter}`;
          const reply = await socketChat(agent.url, { message: messageFor(requestId) }, { deadlineMs: 60_000 });
          for (const frame of reply.raw) scanner.body(frame, 'websocket');
          const verdict = verifyTranscript(reply.events);
          if (verdict.problems.length > 0 || verdict.text !== expectedTextFor(requestId, pieces))
            tally.failures.push(`${requestId}: ${verdict.problems.join(', ')} ${reply.error ?? ''}`);
          tally.webSocket += 1;
        } else if (pick < 0.9) {
          const controller = new AbortController();
          setTimeout(() => controller.abort(new Error('client left')), Math.random() * 300);
          const reply = await postChat(
            `${agent.url}/chat`,
            { message: messageFor(`soak-leave-${counter}`) },
            {
              dispatcher,
              signal: controller.signal,
              deadlineMs: 60_000,
            },
          );
          scanner.body(reply.raw);
          tally.disconnects += 1;
        } else {
          const requestId = `soak-fault-${counter}`;
          const reply = await postChat(
            `${agent.url}/chat`,
            { message: messageFor(requestId) },
            { dispatcher, deadlineMs: 60_000 },
          );
          scanner.body(reply.raw);
          const verdict = verifyTranscript(reply.events);
          if (verdict.problems.length > 0 || verdict.terminal !== 'error')
            tally.failures.push(
              `${requestId}: expected an error event, got ${verdict.terminal} ${verdict.problems.join(', ')}`,
            );
          tally.faults += 1;
        }
      }
    };
    const traffic = (durationMs: number) => {
      running = true;
      const workers = Array.from({ length: concurrency }, worker);
      return (async () => {
        await sleep(durationMs);
        running = false;
        await Promise.all(workers);
      })();
    };
    const snapshot = (stats: AgentProcessStats, atMs: number) => ({
      atS: Math.round(atMs / 1000),
      heapUsedMiB: round1(stats.memory.heapUsed / 2 ** 20),
      rssMiB: round1(stats.memory.rss / 2 ** 20),
      openFds: stats.openFds,
      eventLoopDelayP99Ms: stats.eventLoopDelayMs.p99,
    });

    const started = performance.now();
    await traffic(warmUpMs);
    await sleep(settleMs);
    const baseline = await agent.stats({ gc: true });
    const curve = [snapshot(baseline, performance.now() - started)];
    await agent.resetEventLoopDelay();
    const main = traffic(soakMs - warmUpMs);
    const sampler = (async () => {
      while (running) {
        await sleep(30_000);
        if (running) curve.push(snapshot(await agent.stats({ gc: true }), performance.now() - started));
      }
    })();
    await main;
    await sampler;
    const loaded = await agent.stats();
    await sleep(settleMs);
    const final = await agent.stats({ gc: true });
    curve.push(snapshot(final, performance.now() - started));
    await dispatcher.close();
    const heapDriftPercent = round1(
      ((final.memory.heapUsed - baseline.memory.heapUsed) / baseline.memory.heapUsed) * 100,
    );
    const figures = {
      soakMs,
      warmUpMs,
      concurrency,
      streams: tally,
      failures: tally.failures.slice(0, 20),
      heapDriftPercent,
      baselineHeapMiB: round1(baseline.memory.heapUsed / 2 ** 20),
      finalHeapMiB: round1(final.memory.heapUsed / 2 ** 20),
      baselineFds: baseline.openFds,
      finalFds: final.openFds,
      baselineResources: baseline.resources,
      finalResources: final.resources,
      eventLoopDelayMs: loaded.eventLoopDelayMs,
      curve,
    };
    writeResult('soak', { ...figures, streams: { ...tally, failures: tally.failures.length } });
    console.log(
      `soak: ${JSON.stringify({ ...figures, curve: undefined, streams: { ...tally, failures: tally.failures.length } })}`,
    );
    expect(tally.failures).toEqual([]);
    expect(Math.abs(heapDriftPercent)).toBeLessThanOrEqual(5);
    expect(final.openFds).toBeLessThanOrEqual(baseline.openFds);
  });
});
