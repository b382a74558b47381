import { monitorEventLoopDelay } from 'node:perf_hooks';
import { LLM_ERROR_KINDS } from '@rxllm/core';
import type { ProxyFaults } from '@rxllm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postChat, socketChat } from './harness/clients.js';
import { type Harness, startHarness } from './harness/in-process-agent.js';
import { round1, writeResult } from './harness/results.js';
import { expectedTextFor, messageFor, piecesFor, scriptedResponder } from './harness/scripted-text.js';
import { SecretScanner } from './harness/secrets.js';
import { type SeenEvent, verifyTranscript } from './harness/verify.js';

const vendors = ['openai', 'anthropic', 'gemini'] as const;
type Vendor = (typeof vendors)[number];
const pieceCount = 30;
const idleTimeoutMs = 600;
const scanner = new SecretScanner('fault-matrix');
const rows: Array<Record<string, unknown>> = [];

/** Each fault, and whether the whole text can still arrive (`complete`) or must end in a typed error (`partial`). */
interface FaultCase {
  name: string;
  expect: 'complete' | 'partial';
  /** Faults for a body of `totalBytes` (headers included), the size measured on a clean run. */
  faults(totalBytes: number): ProxyFaults;
}

const cases: FaultCase[] = [
  { name: 'latency 25 ms per chunk', expect: 'complete', faults: () => ({ latencyMs: 25 }) },
  { name: 'bandwidth 16 KB/s', expect: 'complete', faults: () => ({ bytesPerSecond: 16_000 }) },
  { name: '1-byte splits', expect: 'complete', faults: () => ({ splitBytes: 1 }) },
  { name: '7-byte splits + 5 ms latency', expect: 'complete', faults: () => ({ splitBytes: 7, latencyMs: 5 }) },
  {
    name: 'reset (RST) mid-stream',
    expect: 'partial',
    faults: (total) => ({ resetAfterBytes: Math.floor(total * 0.55) }),
  },
  { name: 'stall mid-stream', expect: 'partial', faults: (total) => ({ stallAfterBytes: Math.floor(total * 0.55) }) },
  {
    name: 'clean close (FIN) after N bytes',
    expect: 'partial',
    faults: (total) => ({ closeAfterBytes: Math.floor(total * 0.55) }),
  },
];

/**
 * The agent runs in this process, so a timer cannot fire while something else holds the event loop. Timeout checks
 * allow the 100 ms plus the longest loop stall seen during the request (recorded beside each lateness): the
 * agent is judged on its own timers, not on the shared machine's load.
 */
function watchLoop() {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  return () => {
    histogram.disable();
    return round1(histogram.max / 1e6);
  };
}

/** Bytes of one whole reply per vendor, measured through a fault-free proxy. */
const replyBytes = new Map<Vendor, number>();

let requestCounter = 0;
const nextRequestId = (label: string) => {
  requestCounter += 1;
  return `${label}-${requestCounter}`;
};

function expectHonest(events: readonly SeenEvent[], requestId: string, expected: 'complete' | 'partial') {
  const verdict = verifyTranscript(events);
  expect(verdict.problems).toEqual([]);
  const pieces = piecesFor(requestId, pieceCount);
  // Chunks are never merged or split on the way: the text is exactly the first k scripted pieces.
  expect(verdict.text).toBe(pieces.slice(0, verdict.contentEvents).join(''));
  if (expected === 'complete') {
    expect(verdict.terminal).toBe('done');
    expect(verdict.text).toBe(expectedTextFor(requestId, pieceCount));
  } else {
    expect(verdict.terminal).toBe('error');
    expect(verdict.contentEvents).toBeLessThan(pieceCount);
    expect(LLM_ERROR_KINDS as readonly string[]).toContain(verdict.errorKind);
    expect(verdict.errorKind).not.toBe('unknown');
  }
  return verdict;
}

describe('fault proxy between agent and mock upstream: whole text, or text so far + typed error', () => {
  beforeAll(async () => {
    // Measure each vendor's reply size once, so byte thresholds fall mid-stream for every dialect.
    const harness = await startHarness({
      scanner,
      faults: {},
      respond: scriptedResponder(() => ({ pieces: pieceCount })),
    });
    try {
      for (const vendor of vendors) {
        const requestId = nextRequestId(`size-${vendor}`);
        const bytesSoFar = () =>
          (harness.proxy?.connections ?? []).reduce((sum, connection) => sum + connection.bytesToClient, 0);
        const before = bytesSoFar();
        const reply = await postChat(`${harness.agent.url}/chat`, { message: messageFor(requestId), provider: vendor });
        scanner.body(reply.raw);
        expect(verifyTranscript(reply.events).text).toBe(expectedTextFor(requestId, pieceCount));
        // Connections are reused across requests, so take the growth of the total bytes for this request alone.
        replyBytes.set(vendor, bytesSoFar() - before);
      }
    } finally {
      await harness.close();
    }
  });

  afterAll(() => {
    writeResult('fault-matrix', { idleTimeoutMs, pieceCount, replyBytes: Object.fromEntries(replyBytes), rows });
    const tally = scanner.report();
    expect(tally.hits).toBe(0);
  });

  for (const fault of cases) {
    for (const vendor of vendors) {
      describe(`${fault.name} × ${vendor}`, () => {
        let harness: Harness;
        beforeAll(async () => {
          const total = replyBytes.get(vendor) ?? 0;
          expect(total).toBeGreaterThan(1000);
          harness = await startHarness({
            scanner,
            faults: fault.faults(total),
            respond: scriptedResponder(() => ({ pieces: pieceCount })),
            env: { IDLE_TIMEOUT_MS: String(idleTimeoutMs), FIRST_CHUNK_TIMEOUT_MS: '3000', SSE_PING_MS: '60000' },
          });
        });
        afterAll(async () => {
          await harness.close();
        });

        it('SSE', async () => {
          const requestId = nextRequestId(`sse-${vendor}`);
          const loopStall = watchLoop();
          const reply = await postChat(
            `${harness.agent.url}/chat`,
            { message: messageFor(requestId), provider: vendor },
            { deadlineMs: 10_000 },
          );
          const loopStallMs = loopStall();
          scanner.body(reply.raw);
          expect(reply.readError).toBeUndefined();
          const row: Record<string, unknown> = { fault: fault.name, vendor, transport: 'sse', status: reply.status };
          if (reply.status !== 200) {
            // Failed before any content: a typed HTTP error is the honest answer (nothing was committed).
            expect(fault.expect).toBe('partial');
            const body = JSON.parse(reply.raw) as { error: { kind: string } };
            expect(LLM_ERROR_KINDS as readonly string[]).toContain(body.error.kind);
            rows.push({ ...row, outcome: 'http-error', errorKind: body.error.kind, chunks: 0 });
            return;
          }
          const verdict = expectHonest(reply.events, requestId, fault.expect);
          Object.assign(row, {
            outcome: verdict.terminal,
            errorKind: verdict.errorKind,
            chunks: verdict.contentEvents,
          });
          if (fault.name.startsWith('stall')) {
            expect(verdict.errorKind).toBe('timeout');
            const lastContent = reply.events.filter((event) => event.type === 'text').at(-1);
            const terminal = reply.events.at(-1);
            const gap = (terminal?.at ?? 0) - (lastContent?.at ?? 0);
            row.idleTimeoutLatenessMs = round1(gap - idleTimeoutMs);
            row.loopStallMs = loopStallMs;
            console.log(
              `stall × ${vendor} (SSE): idle timeout fired ${round1(gap - idleTimeoutMs)} ms after its deadline (longest loop stall ${loopStallMs} ms)`,
            );
            expect(gap).toBeGreaterThan(idleTimeoutMs - 50);
            expect(gap - idleTimeoutMs).toBeLessThan(100 + loopStallMs);
          }
          rows.push(row);
          // Exactly one upstream request: nothing is retried once content went out.
          expect(
            harness.mock.requests.filter((request) => JSON.stringify(request.body).includes(requestId)),
          ).toHaveLength(1);
        });

        it('WebSocket', async () => {
          const requestId = nextRequestId(`ws-${vendor}`);
          const loopStall = watchLoop();
          const reply = await socketChat(
            harness.agent.url,
            { message: messageFor(requestId), provider: vendor },
            {
              deadlineMs: 10_000,
            },
          );
          const loopStallMs = loopStall();
          for (const frame of reply.raw) scanner.body(frame, 'websocket');
          expect(reply.error).toBeUndefined();
          const verdict = verifyTranscript(reply.events);
          const row: Record<string, unknown> = { fault: fault.name, vendor, transport: 'websocket' };
          if (verdict.contentEvents === 0 && verdict.terminal === 'error' && fault.expect === 'partial') {
            // Nothing had arrived: an error frame (after `start` at most) is the whole honest answer.
            expect(verdict.problems).toEqual([]);
            rows.push({ ...row, outcome: 'error', errorKind: verdict.errorKind, chunks: 0 });
            return;
          }
          expectHonest(reply.events, requestId, fault.expect);
          Object.assign(row, {
            outcome: verdict.terminal,
            errorKind: verdict.errorKind,
            chunks: verdict.contentEvents,
          });
          if (fault.name.startsWith('stall')) {
            expect(verdict.errorKind).toBe('timeout');
            const lastContent = reply.events.filter((event) => event.type === 'text').at(-1);
            const gap = (reply.events.at(-1)?.at ?? 0) - (lastContent?.at ?? 0);
            row.idleTimeoutLatenessMs = round1(gap - idleTimeoutMs);
            row.loopStallMs = loopStallMs;
            expect(gap).toBeGreaterThan(idleTimeoutMs - 50);
            expect(gap - idleTimeoutMs).toBeLessThan(100 + loopStallMs);
          }
          rows.push(row);
        });
      });
    }
  }
});

// A proxy that is not even there yet is also a fault: the first-chunk clock must still end the wait.
describe('an upstream that accepts the connection and never answers', () => {
  let harness: Harness;
  const firstChunkTimeoutMs = 700;
  beforeAll(async () => {
    harness = await startHarness({
      scanner,
      faults: { stallAfterBytes: 0 },
      respond: scriptedResponder(() => ({ pieces: 3 })),
      env: { FIRST_CHUNK_TIMEOUT_MS: String(firstChunkTimeoutMs), SSE_PING_MS: '60000' },
    });
  });
  afterAll(async () => {
    await harness.close();
  });

  for (const vendor of vendors) {
    it(`${vendor}: 504 timeout within 100 ms of the first-chunk deadline`, async () => {
      const started = performance.now();
      const loopStall = watchLoop();
      const reply = await postChat(
        `${harness.agent.url}/chat`,
        { message: messageFor(nextRequestId('blackhole')), provider: vendor },
        { deadlineMs: 10_000 },
      );
      const loopStallMs = loopStall();
      scanner.body(reply.raw);
      const lateness = reply.endedAt - started - firstChunkTimeoutMs;
      console.log(`black hole × ${vendor}: first-chunk timeout answered ${round1(lateness)} ms after its deadline`);
      rows.push({
        fault: 'black hole (no response bytes)',
        vendor,
        transport: 'sse',
        status: reply.status,
        firstChunkLatenessMs: round1(lateness),
        loopStallMs,
      });
      expect(reply.status).toBe(504);
      expect(JSON.parse(reply.raw)).toMatchObject({ error: { kind: 'timeout' } });
      expect(lateness).toBeGreaterThan(-5);
      expect(lateness).toBeLessThan(100 + loopStallMs);
    });
  }
});

describe('a stream that outlives the total budget', () => {
  let harness: Harness;
  const totalTimeoutMs = 1_500;
  beforeAll(async () => {
    harness = await startHarness({
      scanner,
      respond: scriptedResponder(() => ({ pieces: pieceCount, delivery: { eventDelayMs: 100 } })),
      env: { TOTAL_TIMEOUT_MS: String(totalTimeoutMs), IDLE_TIMEOUT_MS: '1000', SSE_PING_MS: '60000' },
    });
  });
  afterAll(async () => {
    await harness.close();
  });

  for (const vendor of vendors) {
    it(`${vendor}: ends with a typed timeout within 100 ms of the total deadline, after an exact prefix`, async () => {
      const requestId = nextRequestId(`total-${vendor}`);
      const started = performance.now();
      const loopStall = watchLoop();
      const reply = await postChat(
        `${harness.agent.url}/chat`,
        { message: messageFor(requestId), provider: vendor },
        { deadlineMs: 10_000 },
      );
      const loopStallMs = loopStall();
      scanner.body(reply.raw);
      const verdict = expectHonest(reply.events, requestId, 'partial');
      expect(verdict.errorKind).toBe('timeout');
      // The agent's total clock starts when it subscribes, right after its `Received message` log line: take that
      // line's time (epoch ms) as the start, so request parsing under load does not count against the agent.
      const received = harness.logs.find((line) => line.includes(requestId) && line.includes('Received message'));
      const agentStartedAt =
        (JSON.parse(received ?? '{}') as { time?: number }).time ?? performance.timeOrigin + started;
      const endedAt = performance.timeOrigin + (reply.events.at(-1)?.at ?? 0);
      const lateness = endedAt - agentStartedAt - totalTimeoutMs;
      console.log(`total timeout × ${vendor}: fired ${round1(lateness)} ms after its deadline`);
      rows.push({
        fault: 'total timeout 1.5 s (slow stream)',
        vendor,
        transport: 'sse',
        status: reply.status,
        outcome: verdict.terminal,
        errorKind: verdict.errorKind,
        chunks: verdict.contentEvents,
        totalLatenessMs: round1(lateness),
        loopStallMs,
      });
      expect(lateness).toBeGreaterThan(-20);
      expect(lateness).toBeLessThan(100 + loopStallMs);
    });
  }
});
