import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Harness, startHarness } from './harness/in-process-agent.js';
import { writeResult } from './harness/results.js';
import { SecretScanner } from './harness/secrets.js';

const scanner = new SecretScanner('websocket-fuzz');
const frames = Number(process.env.WS_FUZZ_FRAMES ?? 2_000);
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2_147_483_647);

/** Frames a client might send: any JSON, chat-shaped junk, cancel messages, binary, broken JSON. */
const frame = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((value) => ({ text: JSON.stringify(value) })),
  fc
    .record(
      {
        message: fc.jsonValue({ maxDepth: 1 }),
        provider: fc.string({ maxLength: 10 }),
        type: fc.constantFrom('cancel', 'chat', 'x'),
      },
      { requiredKeys: [] },
    )
    .map((value) => ({ text: JSON.stringify(value) })),
  fc.string({ maxLength: 100, unit: 'binary' }).map((text) => ({ text })),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ binary: bytes })),
);

describe(`WebSocket message fuzz (${frames} random frames, seed ${seed})`, () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ scanner });
  });
  afterAll(async () => {
    await harness.close();
    expect(scanner.report().hits).toBe(0);
  });

  it('every frame gets typed frames back or starts a stream; the agent keeps working', async () => {
    const cases = fc.sample(frame, { numRuns: frames, seed });
    const socket = new WebSocket(`${harness.agent.url.replace(/^http/, 'ws')}/ws`);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const kinds = new Map<string, number>();
    const untyped: string[] = [];
    socket.on('message', (data) => {
      const text = data.toString();
      scanner.body(text, 'websocket');
      try {
        const parsed = JSON.parse(text) as { type?: unknown; error?: { kind?: unknown } };
        const key = parsed.type === 'error' ? `error:${String(parsed.error?.kind)}` : String(parsed.type);
        kinds.set(key, (kinds.get(key) ?? 0) + 1);
        if (typeof parsed.type !== 'string') untyped.push(text.slice(0, 200));
      } catch {
        untyped.push(text.slice(0, 200));
      }
    });
    let closeCode: number | undefined;
    socket.once('close', (code) => {
      closeCode = code;
    });
    for (const [index, current] of cases.entries()) {
      if (socket.readyState !== WebSocket.OPEN) break;
      if ('binary' in current) socket.send(current.binary, { binary: true });
      else socket.send(current.text);
      if (index % 100 === 99) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    socket.close();
    // Then a well-formed request must still be served (on a fresh socket: an agent may close a fuzzing one with 1008).
    const fresh = new WebSocket(`${harness.agent.url.replace(/^http/, 'ws')}/ws`);
    const text = await new Promise<string>((resolve) => {
      let collected = '';
      const timer = setTimeout(() => resolve('<timeout>'), 10_000);
      fresh.once('open', () => fresh.send(JSON.stringify({ message: 'after the fuzz' })));
      fresh.on('message', (data) => {
        scanner.body(data.toString(), 'websocket');
        const parsed = JSON.parse(data.toString()) as { type: string; text?: string };
        if (parsed.type === 'text') collected += parsed.text;
        if (parsed.type === 'done') {
          clearTimeout(timer);
          resolve(collected);
        }
      });
    });
    fresh.close();
    const health = await fetch(`${harness.agent.url}/healthz`);
    writeResult('websocket-fuzz', {
      frames,
      seed,
      replies: Object.fromEntries(kinds),
      untyped: untyped.slice(0, 10),
      closeCode,
      afterFuzz: text,
    });
    console.log(`websocket fuzz: ${JSON.stringify(Object.fromEntries(kinds))}`);
    expect(untyped).toEqual([]);
    // Never an internal error close (1011) or a crash; a policy close (1008) of a fuzzing client is acceptable.
    expect([undefined, 1005, 1008]).toContain(closeCode);
    expect(text).toBe('Hello, world!');
    expect(health.status).toBe(200);
  });
});
