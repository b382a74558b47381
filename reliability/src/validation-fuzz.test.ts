import fc from 'fast-check';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness/in-process-agent.js';
import { round1, writeResult } from './harness/results.js';
import { markerAgentToken, SecretScanner } from './harness/secrets.js';

const scanner = new SecretScanner('validation-fuzz');
const runs = Number(process.env.FUZZ_RUNS ?? 10_000);
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2_147_483_647);
const concurrency = 32;

const hostileKeys = [
  'baseURL',
  'baseUrl',
  'api_base',
  'apiKey',
  'headers',
  '__proto__',
  'constructor',
  'prototype',
  'tools',
  'n',
];
const role = fc.oneof(fc.constantFrom('system', 'user', 'assistant', 'tool', 'USER', ''), fc.string({ maxLength: 8 }));
const message = fc.record(
  { role, content: fc.oneof(fc.string({ maxLength: 40 }), fc.jsonValue({ maxDepth: 2 })) },
  { requiredKeys: [] },
);
const chatShaped = fc
  .tuple(
    fc.record(
      {
        message: fc.oneof(
          fc.string({ maxLength: 60 }),
          fc.constant(''),
          fc.constant('   '),
          fc.jsonValue({ maxDepth: 2 }),
        ),
        messages: fc.oneof(fc.array(message, { maxLength: 4 }), fc.jsonValue({ maxDepth: 2 })),
        provider: fc.oneof(
          fc.constantFrom('openai', 'anthropic', 'gemini', 'simulated', 'ollama', 'evil'),
          fc.jsonValue({ maxDepth: 1 }),
        ),
        model: fc.oneof(fc.string({ maxLength: 20 }), fc.jsonValue({ maxDepth: 1 })),
        temperature: fc.oneof(fc.double({ noNaN: false }), fc.integer(), fc.string({ maxLength: 4 })),
        maxTokens: fc.oneof(fc.integer(), fc.double(), fc.constant(1e308), fc.string({ maxLength: 4 })),
        stream: fc.oneof(fc.boolean(), fc.jsonValue({ maxDepth: 1 })),
      },
      { requiredKeys: [] },
    ),
    fc.dictionary(fc.constantFrom(...hostileKeys), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 2 }),
  )
  .map(([body, extra]) => JSON.stringify({ ...body, ...extra }));
/** OpenAI-style bodies for `/v1/chat/completions`, with the fields a client might abuse. */
const openAIShaped = fc
  .record(
    {
      model: fc.oneof(fc.constantFrom('gpt-4.1-mini', 'openai', 'anthropic/claude', ''), fc.jsonValue({ maxDepth: 1 })),
      messages: fc.oneof(fc.array(message, { maxLength: 4 }), fc.jsonValue({ maxDepth: 2 })),
      stream: fc.oneof(fc.boolean(), fc.jsonValue({ maxDepth: 1 })),
      max_tokens: fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 4 })),
      n: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.string({ maxLength: 2 })),
      temperature: fc.oneof(fc.double(), fc.string({ maxLength: 3 })),
      tools: fc.jsonValue({ maxDepth: 2 }),
      stream_options: fc.jsonValue({ maxDepth: 2 }),
      base_url: fc.webUrl(),
      api_key: fc.string({ maxLength: 20 }),
    },
    { requiredKeys: [] },
  )
  .map((body) => JSON.stringify(body));
const almostValid = fc
  .record({ message: fc.string({ minLength: 1, maxLength: 30 }), stream: fc.boolean() })
  .map((body) => JSON.stringify(body));
const deepNesting = fc
  .tuple(fc.integer({ min: 100, max: 20_000 }), fc.constantFrom('[', '{"a":'))
  .map(([depth, open]) => open.repeat(depth));
const manyMessages = fc
  .integer({ min: 150, max: 400 })
  .map((count) => JSON.stringify({ messages: Array.from({ length: count }, () => ({ role: 'user', content: 'hi' })) }));
const body = fc.oneof(
  { weight: 4, arbitrary: chatShaped },
  { weight: 2, arbitrary: openAIShaped },
  { weight: 2, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200, unit: 'binary' }) },
  { weight: 1, arbitrary: almostValid },
  { weight: 1, arbitrary: deepNesting },
  { weight: 1, arbitrary: manyMessages },
);
const requestCase = fc.record({
  body,
  path: fc.constantFrom('/chat', '/chat', '/chat', '/v1/chat/completions'),
  contentType: fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    'application/x-www-form-urlencoded',
  ),
  auth: fc.constantFrom('good', 'good', 'good', 'good', 'good', 'good', 'none', 'wrong', 'prefix'),
});

describe(`HTTP validation fuzz (${runs} random bodies, fast-check seed ${seed})`, () => {
  let harness: Harness;
  let pool: Pool;
  beforeAll(async () => {
    harness = await startHarness({
      scanner,
      env: { AGENT_API_KEY: markerAgentToken, MAX_BODY_BYTES: String(64 * 1024) },
    });
    pool = new Pool(harness.agent.url, { connections: concurrency, pipelining: 1 });
  });
  afterAll(async () => {
    await pool.close();
    await harness.close();
    expect(scanner.report().hits).toBe(0);
  });

  it('never answers 5xx, never crashes, rejects with a typed 4xx before any upstream call', async () => {
    const cases = fc.sample(requestCase, { numRuns: runs, seed });
    const statuses = new Map<number, number>();
    const failures: Array<{ status: number; case: unknown; body: string }> = [];
    let accepted = 0;
    let next = 0;
    const started = performance.now();
    const authorization = (auth: string) =>
      auth === 'good'
        ? `Bearer ${markerAgentToken}`
        : auth === 'wrong'
          ? 'Bearer not-the-token'
          : auth === 'prefix'
            ? `Bearer ${markerAgentToken.slice(0, -1)}`
            : undefined;
    const worker = async () => {
      while (next < cases.length) {
        const current = cases[next++] as (typeof cases)[number];
        const header = authorization(current.auth);
        const response = await pool.request({
          method: 'POST',
          path: current.path,
          headers: { 'content-type': current.contentType, ...(header ? { authorization: header } : {}) },
          body: current.body,
        });
        const text = await response.body.text();
        scanner.body(text);
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
        if (response.statusCode === 200) {
          accepted += 1;
          // A body that is not JSON by its Content-Type is a CORS simple request: it must never start anything.
          if (!current.contentType.startsWith('application/json')) {
            failures.push({ status: 200, case: { ...current, body: current.body.slice(0, 300) }, body: 'accepted' });
          }
          continue;
        }
        let typed = false;
        try {
          const parsed = JSON.parse(text) as { error?: { kind?: unknown; type?: unknown; message?: unknown } };
          typed =
            typeof parsed.error?.message === 'string' &&
            (typeof parsed.error.kind === 'string' || typeof parsed.error.type === 'string');
        } catch {
          typed = false;
        }
        if (response.statusCode >= 500 || !typed) {
          failures.push({
            status: response.statusCode,
            case: { ...current, body: current.body.slice(0, 300) },
            body: text.slice(0, 300),
          });
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const durationMs = performance.now() - started;
    // Still serving after all of it.
    const health = await pool.request({ method: 'GET', path: '/healthz' });
    expect(health.statusCode).toBe(200);
    await health.body.text();
    const upstreamCalls = harness.mock.requests.length;
    writeResult('validation-fuzz', {
      runs,
      seed,
      concurrency,
      durationMs: round1(durationMs),
      statuses: Object.fromEntries([...statuses].sort(([a], [b]) => a - b)),
      accepted,
      upstreamCalls,
      failures: failures.slice(0, 20),
    });
    console.log(
      `fuzz: ${runs} bodies in ${round1(durationMs)} ms, statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    expect(failures).toEqual([]);
    // Only accepted requests may reach the upstream, one call each.
    expect(upstreamCalls).toBeLessThanOrEqual(accepted);
  });
});
