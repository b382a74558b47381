import type { MockScript } from '@rxllm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postChat, socketChat } from './harness/clients.js';
import { type Harness, startHarness } from './harness/in-process-agent.js';
import { writeResult } from './harness/results.js';
import { markerAgentToken, markerKeys, SecretScanner } from './harness/secrets.js';

const scanner = new SecretScanner('secrets-echo');
const vendors = {
  openai: markerKeys.OPENAI_API_KEY,
  anthropic: markerKeys.ANTHROPIC_API_KEY,
  gemini: markerKeys.GEMINI_API_KEY,
};
const outcomes: Array<Record<string, unknown>> = [];

/** Vendors that echo the key they were sent in an error: the agent must pass on the error, never the key. */
function echoing(key: string): MockScript[] {
  return [
    { httpError: { status: 401, message: `Incorrect API key provided: ${key}. You can find your API key at …` } },
    { httpError: { status: 400, message: `API key not valid: ${key}` } },
    {
      events: [
        { type: 'text', text: 'partial ' },
        { type: 'error', status: 500, message: `internal error while using key ${key}` },
      ],
    },
  ];
}

describe('secrets: upstream errors that echo the key, at debug log level, with AGENT_API_KEY set', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ scanner, env: { LOG_LEVEL: 'debug', AGENT_API_KEY: markerAgentToken } });
  });
  afterAll(async () => {
    await harness.close();
    const tally = scanner.report();
    writeResult('echoed-key-outcomes', { outcomes, logLines: harness.logs.length });
    expect(tally.hits, JSON.stringify(scanner.hits.slice(0, 3))).toBe(0);
  });

  for (const [vendor, key] of Object.entries(vendors)) {
    it(`${vendor}: 401, 400 and in-stream errors naming the key reach the client as typed errors without it`, async () => {
      harness.mock.enqueue(...echoing(key), ...echoing(key));
      const headers = { authorization: `Bearer ${markerAgentToken}` };
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const reply = await postChat(
          `${harness.agent.url}/chat`,
          { message: 'hi', provider: vendor },
          { headers, deadlineMs: 10_000 },
        );
        scanner.body(reply.raw);
        outcomes.push({ vendor, transport: 'sse', attempt, status: reply.status, body: reply.raw.slice(-200) });
        expect(reply.raw).toMatch(/"kind":"(auth|invalid-request|unknown|overloaded|network)"/);
      }
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const reply = await socketChat(
          harness.agent.url,
          { message: 'hi', provider: vendor },
          { headers, deadlineMs: 10_000 },
        );
        for (const frame of reply.raw) scanner.body(frame, 'websocket');
        outcomes.push({ vendor, transport: 'websocket', attempt, last: reply.raw.at(-1)?.slice(0, 200) });
        expect(reply.events.at(-1)?.type).toBe('error');
      }
    });
  }

  it('a wrong bearer token is refused (401) on HTTP and WebSocket, and neither token is echoed', async () => {
    const reply = await postChat(
      `${harness.agent.url}/chat`,
      { message: 'hi' },
      { headers: { authorization: `Bearer ${markerAgentToken}x` } },
    );
    scanner.body(reply.raw);
    expect(reply.status).toBe(401);
    const socket = await socketChat(
      harness.agent.url,
      { message: 'hi' },
      { headers: { authorization: 'Bearer nope' }, deadlineMs: 5_000 },
    );
    for (const frame of socket.raw) scanner.body(frame, 'websocket');
    expect(socket.events).toEqual([]);
    expect(socket.error ?? '').toMatch(/401/);
  });
});
