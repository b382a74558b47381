import { readFileSync } from 'node:fs';
import { type MockUpstream, mockUpstream } from '@rxllm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildAgent, startChildAgent } from './harness/child-agent.js';
import { vendorEnv } from './harness/in-process-agent.js';
import { runLoad } from './harness/load.js';
import { writeResult } from './harness/results.js';
import { scriptedResponder } from './harness/scripted-text.js';
import { SecretScanner } from './harness/secrets.js';

// The small version of the stress run (1,000 + 1,000 in load.stress.test.ts), fast enough for every `pnpm test`.
const sseStreams = Number(process.env.LOAD_SSE ?? 200);
const webSocketStreams = Number(process.env.LOAD_WS ?? 200);
const pieces = 30;

/** Machine-wide TCP counters (Linux): listen-queue overflows and failed SYN cookies explain refused connections. */
function listenCounters(): Record<string, number> {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
    const header = lines.find((line) => line.startsWith('TcpExt:'))?.split(/\s+/) ?? [];
    const values = lines.filter((line) => line.startsWith('TcpExt:'))[1]?.split(/\s+/) ?? [];
    const pick = (name: string) => Number(values[header.indexOf(name)] ?? Number.NaN);
    return {
      ListenOverflows: pick('ListenOverflows'),
      SyncookiesSent: pick('SyncookiesSent'),
      SyncookiesFailed: pick('SyncookiesFailed'),
    };
  } catch {
    return {};
  }
}
const label = process.env.LOAD_LABEL ?? 'small';
const scanner = new SecretScanner(`load-${label}`);

describe(`integrity under load: ${sseStreams} SSE + ${webSocketStreams} WebSocket streams at once`, () => {
  let mock: MockUpstream;
  let agent: ChildAgent;
  beforeAll(async () => {
    mock = await mockUpstream({ respond: scriptedResponder(() => ({ pieces, delivery: { eventDelayMs: 30 } })) });
    agent = await startChildAgent({ env: vendorEnv(mock.url), scanner });
  });
  afterAll(async () => {
    await agent?.stop();
    await mock?.close();
    expect(scanner.report().hits).toBe(0);
  });

  it('0 lost, reordered, duplicated or mixed chunks; event-loop delay reported', async () => {
    await agent.resetEventLoopDelay();
    const countersBefore = listenCounters();
    const figures = await runLoad({
      agentUrl: agent.url,
      sseStreams,
      webSocketStreams,
      pieces,
      scanner,
      label,
      deadlineMs: 300_000,
    });
    const stats = await agent.stats();
    const countersAfter = listenCounters();
    const tcpCounterDeltas = Object.fromEntries(
      Object.entries(countersAfter).map(([name, value]) => [name, value - (countersBefore[name] ?? 0)]),
    );
    writeResult(`load-${label}`, {
      tcpCounterDeltas,
      sseStreams,
      webSocketStreams,
      pieces,
      upstreamEventDelayMs: 30,
      ...figures,
      failures: figures.failures.slice(0, 20),
      agentEventLoopDelayMs: stats.eventLoopDelayMs,
      agentRssMiB: Math.round(stats.memory.rss / 2 ** 20),
    });
    console.log(
      `load ${sseStreams}+${webSocketStreams}: ${figures.completed} exact in ${figures.durationMs} ms, peak ${figures.peakConcurrent} concurrent, agent event-loop delay p99 ${stats.eventLoopDelayMs.p99} ms`,
    );
    expect(figures.failures).toEqual([]);
    expect(figures.completed).toBe(sseStreams + webSocketStreams);
    expect(mock.requests).toHaveLength(sseStreams + webSocketStreams);
  });
});
