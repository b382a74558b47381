import { type MockUpstream, mockUpstream } from '@rxllm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildAgent, startChildAgent } from './harness/child-agent.js';
import {
  bigReply,
  headerAbuse,
  hostileAgentEnv,
  neverReadingClients,
  oversizedFrame,
  slowLoris,
  webSocketFlood,
} from './harness/hostile.js';
import { vendorEnv } from './harness/in-process-agent.js';
import { writeResult } from './harness/results.js';
import { scriptedResponder } from './harness/scripted-text.js';
import { SecretScanner } from './harness/secrets.js';

/**
 * Hostile clients against the agent in its own process. `pnpm test` runs small counts; `pnpm test:stress` runs this
 * same file's scenarios with the stress counts via hostile-clients.stress.test.ts (HOSTILE_SCALE=stress).
 */
const stress = process.env.HOSTILE_SCALE === 'stress';
const counts = stress
  ? { neverReading: 10, replyMiB: 24, floodFrames: 50_000, slowLoris: 200 }
  : { neverReading: 3, replyMiB: 16, floodFrames: 5_000, slowLoris: 0 };
const bystanderPieces = 20;
const scanner = new SecretScanner(stress ? 'hostile-stress' : 'hostile');
const figures: Record<string, unknown> = { counts, agentEnv: hostileAgentEnv };

describe(`hostile clients (${stress ? 'stress' : 'small'} counts): offender dropped, memory bounded, others unaffected`, () => {
  let mock: MockUpstream;
  let agent: ChildAgent;
  beforeAll(async () => {
    const reply = bigReply(counts.replyMiB);
    mock = await mockUpstream({
      respond: scriptedResponder((requestId) =>
        requestId.includes('bystander') ? { pieces: bystanderPieces, delivery: { eventDelayMs: 20 } } : reply,
      ),
    });
    agent = await startChildAgent({ env: { ...vendorEnv(mock.url), ...hostileAgentEnv }, scanner });
  });
  afterAll(async () => {
    writeResult(stress ? 'hostile-stress' : 'hostile-small', figures);
    await agent?.stop();
    await mock?.close();
    expect(scanner.report().hits).toBe(0);
  });

  for (const transport of ['sse', 'websocket'] as const) {
    it(`${transport} clients that never read a ${counts.replyMiB} MiB reply are dropped and their upstream aborted`, async () => {
      const result = await neverReadingClients({
        agent,
        mock,
        count: counts.neverReading,
        transport,
        scanner,
        label: `stall-${transport}`,
        bystanderPieces,
      });
      figures[`neverReading-${transport}`] = result;
      console.log(`never-reading ${transport}: ${JSON.stringify(result)}`);
      expect(result.bystandersExact).toBe(result.bystanders);
      expect(result.upstreamRequests).toBe(counts.neverReading);
      expect(result.upstreamClosedEarly).toBe(counts.neverReading);
      expect(result.clientConnectionsEnded).toBe(counts.neverReading);
      // The agent's cap is 256 KiB queued (dropped at once over 2×). The figure is heap + external after GC, divided by
      // the stalled clients but including the 20 bystanders and SDK stream buffers, so it is asserted against 4 MiB
      // (the agent never holds a reply) and reported exactly; RSS, which also holds garbage, is reported.
      expect(result.retainedGrowthPerClientMiB).toBeLessThan(4);
    });
  }

  it('a WebSocket client flooding bad frames without reading is dropped, memory bounded', async () => {
    const result = await webSocketFlood({ agent, frames: counts.floodFrames, scanner });
    figures.webSocketFlood = result;
    console.log(`websocket flood: ${JSON.stringify(result)}`);
    expect(result.droppedByAgent).toBe(true);
    expect(result.retainedPeakMiB - result.retainedBeforeMiB).toBeLessThan(16);
  });

  it('an oversized WebSocket frame closes that socket with 1009; the agent keeps serving', async () => {
    const code = await oversizedFrame(agent.url, 1024 * 1024);
    figures.oversizedFrameCloseCode = code;
    expect(code).toBe(1009);
    const health = await fetch(`${agent.url}/healthz`);
    expect(health.status).toBe(200);
  });

  it('header abuse gets 4xx or a closed connection, never a crash; the agent keeps serving', async () => {
    const answers = await headerAbuse(agent.url);
    figures.headerAbuse = answers;
    console.log(`header abuse: ${JSON.stringify(answers)}`);
    for (const answer of Object.values(answers)) {
      expect(answer).not.toMatch(/ 5\d\d /);
      expect(answer).not.toMatch(/ 200 /);
    }
    // Node answers 431 and closes; with tens of KiB still unread the close can arrive as a reset before the status
    // line, so a reset counts as the same answer here (the agent still serves: checked below).
    expect(answers.hugeHeader).toMatch(/431|ECONNRESET/);
    expect(answers.manyHeaders).toMatch(/431|ECONNRESET/);
    const health = await fetch(`${agent.url}/healthz`);
    expect(health.status).toBe(200);
    expect(agent.child.exitCode).toBeNull();
  });

  // Slow-loris waits out Node's header timeout (~60 s), so it is registered only at stress scale (never skipped).
  if (counts.slowLoris > 0)
    it(`${counts.slowLoris} slow-loris sockets are closed by the agent; normal requests still served`, async () => {
      const loris = slowLoris({ agentUrl: agent.url, count: counts.slowLoris, waitMs: 75_000 });
      const health: number[] = [];
      for (let index = 0; index < 10; index += 1) {
        health.push((await fetch(`${agent.url}/healthz`)).status);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
      const result = await loris;
      figures.slowLoris = { ...result, healthDuringAttack: health };
      console.log(`slow-loris: ${JSON.stringify(result)}`);
      expect(health.every((status) => status === 200)).toBe(true);
      expect(result.closedByAgent).toBe(counts.slowLoris);
    });
});
