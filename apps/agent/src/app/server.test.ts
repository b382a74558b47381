import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { containsNoKey, postJson, readSse, startTestAgent, type TestAgent } from '../test-helpers.js';

const agentKey = 'agent-key-MARKER-5e1f';

async function errorOf(response: Response) {
  const text = await response.text();
  expect(containsNoKey(text)).toBe(true);
  expect(text).not.toContain(agentKey);
  return (JSON.parse(text) as { error: { kind: string; message: string } }).error;
}

describe('routes, validation and auth', () => {
  let harness: TestAgent;
  let url: string;
  const auth = { Authorization: `Bearer ${agentKey}` };
  beforeAll(async () => {
    harness = await startTestAgent({
      AGENT_API_KEY: agentKey,
      OPENAI_MODELS: 'gpt-extra-1, gpt-extra-2',
      MAX_BODY_BYTES: String(64 * 1024),
      MAX_MESSAGE_CHARS: '1000',
      ALLOWED_ORIGINS: 'https://allowed.example',
      STATS_INTERVAL_MS: '50',
    });
    url = harness.agent.url;
  });
  afterAll(async () => {
    await harness.close();
  });

  const badBodies: Array<[string, string | object, RegExp]> = [
    ['malformed JSON', '{"message": "hi"', /not valid JSON/],
    ['empty body', '', /empty/],
    ['not an object', '[1,2]', /JSON object/],
    ['missing message', {}, /message: is required/],
    ['empty message', { message: '   ' }, /message: must not be empty/],
    ['oversized message', { message: 'x'.repeat(1001) }, /at most 1000 characters/],
    ['message of wrong type', { message: 42 }, /message: must be a string/],
    [
      'both message and messages',
      { message: 'a', messages: [{ role: 'user', content: 'b' }] },
      /either message or messages/,
    ],
    ['empty messages', { messages: [] }, /messages: must not be empty/],
    ['bad role', { messages: [{ role: 'wizard', content: 'hi' }] }, /role: must be one of system, user, assistant/],
    ['temperature too high', { message: 'hi', temperature: 2.5 }, /temperature: must be between 0 and 2/],
    ['temperature wrong type', { message: 'hi', temperature: 'hot' }, /temperature: must be a number/],
    ['maxTokens zero', { message: 'hi', maxTokens: 0 }, /maxTokens: must be between 1 and 200000/],
    ['maxTokens fractional', { message: 'hi', maxTokens: 1.5 }, /maxTokens: must be an integer/],
    ['stream wrong type', { message: 'hi', stream: 'yes' }, /stream: must be true or false/],
    ['unknown field', { message: 'hi', max_tokens: 5 }, /unknown field: max_tokens/],
    [
      'unknown provider',
      { message: 'hi', provider: 'skynet' },
      /provider "skynet" is not configured.*available: openai/,
    ],
    ['model not allowed', { message: 'hi', model: 'gpt-secret' }, /not allowed.*allowed: .*gpt-extra-1, gpt-extra-2/],
  ];

  for (const [name, body, message] of badBodies) {
    it(`400 for ${name}`, async () => {
      const response = await postJson(`${url}/chat`, typeof body === 'string' ? body : body, auth);
      expect(response.status).toBe(400);
      const error = await errorOf(response);
      expect(error.kind).toBe('invalid-request');
      expect(error.message).toMatch(message);
    });
  }

  it('413 over the body limit, answered before the whole body is read', async () => {
    const response = await postJson(`${url}/chat`, { message: 'x'.repeat(200 * 1024) }, auth);
    expect(response.status).toBe(413);
    expect((await errorOf(response)).kind).toBe('invalid-request');
  });

  it('413 for a chunked body that passes the limit', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(`${url}/chat`, {
        method: 'POST',
        headers: { ...auth, 'Transfer-Encoding': 'chunked' },
      });
      request.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      for (let index = 0; index < 20; index += 1) request.write('x'.repeat(8 * 1024));
      request.end();
    });
    expect(status).toBe(413);
  });

  it('405 with Allow for a wrong method, 404 for an unknown route', async () => {
    const wrong = await fetch(`${url}/chat`, { headers: auth });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect((await errorOf(wrong)).message).toMatch(/GET is not allowed/);
    const missing = await fetch(`${url}/nope`, { headers: auth });
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).kind).toBe('not-found');
  });

  it('401 with WWW-Authenticate without or with a wrong bearer; health stays open', async () => {
    const none = await postJson(`${url}/chat`, { message: 'hi' });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect((await errorOf(none)).kind).toBe('auth');
    const wrong = await postJson(`${url}/chat`, { message: 'hi' }, { Authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    expect((await fetch(`${url}/v1/models`)).status).toBe(401);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });

  it('WebSocket: auth and Origin are checked at the upgrade; the bearer subprotocol works', async () => {
    const wsUrl = `${url.replace('http', 'ws')}/ws`;
    const refused = (socket: WebSocket) =>
      new Promise<number>((resolve) => {
        socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        socket.on('error', () => undefined);
      });
    expect(await refused(new WebSocket(wsUrl))).toBe(401);
    expect(await refused(new WebSocket(`${url.replace('http', 'ws')}/elsewhere`, { headers: auth }))).toBe(404);
    expect(await refused(new WebSocket(wsUrl, { headers: { ...auth, Origin: 'https://evil.example' } }))).toBe(403);
    const viaProtocol = new WebSocket(wsUrl, ['rxllm', `rxllm.bearer.${agentKey}`], {
      headers: { Origin: 'https://allowed.example' },
    });
    await new Promise((resolve, reject) => {
      viaProtocol.once('open', resolve);
      viaProtocol.once('error', reject);
    });
    expect(viaProtocol.protocol).toBe('rxllm');
    const frames: Array<{ type: string; id: number; error?: { kind: string; message: string } }> = [];
    const gotError = new Promise<void>((resolve) =>
      viaProtocol.on('message', (data) => {
        frames.push(JSON.parse(data.toString()));
        if (frames.length === 2) resolve();
      }),
    );
    viaProtocol.send('not json');
    viaProtocol.send(JSON.stringify({ message: 'hi', temperature: 9 }));
    await gotError;
    expect(frames[0]?.error?.message).toMatch(/not valid JSON/);
    expect(frames[1]?.error?.message).toMatch(/temperature/);
    viaProtocol.close();
  });

  it('500 random bodies never produce a 5xx, and the server stays healthy', async () => {
    const value = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string(), { maxLength: 3 }),
    );
    const body = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc
        .record(
          {
            message: value,
            messages: fc.array(
              fc.record({
                role: fc.oneof(fc.constantFrom('user', 'system', 'assistant', 'tool'), fc.string()),
                content: value,
              }),
              { maxLength: 3 },
            ),
            temperature: value,
            maxTokens: value,
            provider: fc.oneof(fc.constantFrom('openai', 'anthropic', 'gemini', 'nope'), fc.string()),
            model: value,
            stream: fc.constant(false),
            extra: value,
          },
          { requiredKeys: [] },
        )
        .map((record) => JSON.stringify(record)),
    );
    let statuses = 0;
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const response = await postJson(`${url}/chat`, text, auth);
        await response.arrayBuffer();
        statuses += 1;
        expect(response.status).toBeLessThan(500);
      }),
      { numRuns: 500 },
    );
    expect(statuses).toBe(500);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  }, 30_000);

  it("GET /v1/models lists each configured provider's allowed models, the active default first", async () => {
    const response = await fetch(`${url}/v1/models`, { headers: auth });
    const body = (await response.json()) as {
      object: string;
      data: Array<{ id: string; owned_by: string; object: string }>;
    };
    expect(body.object).toBe('list');
    expect(body.data[0]?.owned_by).toBe('openai');
    expect(
      body.data
        .slice(0, 3)
        .map((model) => model.id)
        .slice(1),
    ).toEqual(['gpt-extra-1', 'gpt-extra-2']);
    expect(new Set(body.data.map((model) => model.owned_by))).toEqual(
      new Set(['openai', 'anthropic', 'gemini', 'google-genai', 'ollama', 'simulated']),
    );
  });

  it('GET / serves a page with a strict CSP; unknown assets are 404', async () => {
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'self'/);
    expect(await page.text()).toContain('<html');
    expect((await fetch(`${url}/assets/..%2Fpackage.json`)).status).toBe(404);
  });

  it('/stats, /stats/stream and /metrics report the streams', async () => {
    harness.upstream.enqueue({ events: [{ type: 'text', text: 'counted' }] });
    const events = await readSse(await postJson(`${url}/chat`, { message: 'hi' }, auth));
    expect(events.at(-1)?.event).toBe('done');
    const stats = (await (await fetch(`${url}/stats`, { headers: auth })).json()) as Record<string, unknown>;
    expect(stats.streamsStarted).toBeGreaterThanOrEqual(1);
    expect(stats.streamsCompleted).toBeGreaterThanOrEqual(1);
    expect(typeof stats.ttftMsP50).toBe('number');
    const feed = await fetch(`${url}/stats/stream`, { headers: auth });
    const samples = await readSse(feed, (_event, all) => all.length >= 2);
    expect(samples[1]?.data).toMatchObject({ activeStreams: 0 });
    const metrics = await (await fetch(`${url}/metrics`, { headers: auth })).text();
    expect(metrics).toMatch(/rxllm_streams_total\{provider="openai",model="[^"]+",outcome="complete"\} \d+/);
    expect(metrics).toContain('rxllm_ttft_seconds_bucket');
    expect(metrics).toContain('rxllm_agent_active_streams 0');
    expect(metrics).toMatch(/rxllm_agent_http_requests_total\{method="POST",route="\/chat",status="400"\}/);
    expect(metrics).toContain('process_cpu_user_seconds_total');
  });

  it('never logs a key or the bearer token', () => {
    const all = harness.logs.join('\n');
    expect(containsNoKey(all)).toBe(true);
    expect(all).not.toContain(agentKey);
  });
});
