import fc from 'fast-check';
import type { Response as InjectResponse } from 'light-my-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containsNoKey, type InProcessAgent, injectTestAgent } from '../test-helpers.js';

const agentKey = 'agent-key-MARKER-5e1f';

function errorOf(response: InjectResponse) {
  expect(containsNoKey(response.body)).toBe(true);
  expect(response.body).not.toContain(agentKey);
  return (response.json() as { error: { kind: string; message: string } }).error;
}

// HTTP semantics only (status codes, headers, validation, auth), through the agent's request handler in process:
// no socket. Streams, backpressure, disconnects and shutdown are tested on real sockets (server.test.ts and others).
describe('routes, validation and auth (in process)', () => {
  let agent: InProcessAgent;
  const auth = { Authorization: `Bearer ${agentKey}` };
  const postJson = (url: string, body: string | object, headers: Record<string, string> = {}) =>
    agent.inject({
      method: 'POST',
      url,
      headers: { 'Content-Type': 'application/json', ...headers },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const get = (url: string, headers: Record<string, string> = {}) => agent.inject({ method: 'GET', url, headers });
  beforeAll(async () => {
    agent = await injectTestAgent({
      AGENT_API_KEY: agentKey,
      OPENAI_MODELS: 'gpt-extra-1, gpt-extra-2',
      MAX_BODY_BYTES: String(64 * 1024),
      MAX_MESSAGE_CHARS: '1000',
      ALLOWED_ORIGINS: 'https://allowed.example',
    });
  });
  afterAll(async () => {
    await agent.close();
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
      const response = await postJson('/chat', body, auth);
      expect(response.statusCode).toBe(400);
      const error = errorOf(response);
      expect(error.kind).toBe('invalid-request');
      expect(error.message).toMatch(message);
    });
  }

  it('413 over the body limit, answered before the whole body is read', async () => {
    const response = await postJson('/chat', { message: 'x'.repeat(200 * 1024) }, auth);
    expect(response.statusCode).toBe(413);
    expect(errorOf(response).kind).toBe('invalid-request');
  });

  it('405 with Allow for a wrong method, 404 for an unknown route', async () => {
    const wrong = await get('/chat', auth);
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers.allow).toBe('POST');
    expect(errorOf(wrong).message).toMatch(/GET is not allowed/);
    const missing = await get('/nope', auth);
    expect(missing.statusCode).toBe(404);
    expect(errorOf(missing).kind).toBe('not-found');
  });

  it('401 with WWW-Authenticate without or with a wrong bearer; health stays open', async () => {
    const none = await postJson('/chat', { message: 'hi' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(errorOf(none).kind).toBe('auth');
    const wrong = await postJson('/chat', { message: 'hi' }, { Authorization: 'Bearer nope' });
    expect(wrong.statusCode).toBe(401);
    expect((await get('/metrics')).statusCode).toBe(401);
    expect((await get('/v1/models')).statusCode).toBe(401);
    for (const path of ['/v1/messages', '/v1/responses', '/api/chat']) {
      const refused = await postJson(path, { model: 'm', messages: [], input: 'hi' });
      expect(refused.statusCode, path).toBe(401);
      expect(refused.body, path).not.toContain('Bearer nope');
    }
    expect((await get('/api/chat/chat-1/stream')).statusCode).toBe(401);
    const decision = { toolCallId: 'c', approved: true };
    const approve = await postJson('/chat/00000000-0000-4000-8000-000000000000/approve', decision);
    expect(approve.statusCode).toBe(401);
    const approveAuthed = await postJson('/chat/00000000-0000-4000-8000-000000000000/approve', decision, auth);
    expect(approveAuthed.statusCode).toBe(404);
    expect((await get('/healthz')).statusCode).toBe(200);
    expect((await get('/readyz')).statusCode).toBe(200);
  });

  it('a streamed /chat reply works in process too (no TCP socket to set no-delay on): 200, events to done', async () => {
    agent.upstream.enqueue({ events: [{ type: 'text', text: 'Hi' }] });
    const response = await postJson('/chat', { message: 'hi' }, auth);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/event-stream');
    expect(response.body).toContain('event: text');
    expect(response.body).toMatch(/event: done\n/);
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
        const response = await postJson('/chat', text, auth);
        statuses += 1;
        expect(response.statusCode).toBeLessThan(500);
      }),
      { numRuns: 500 },
    );
    expect(statuses).toBe(500);
    expect((await get('/healthz')).statusCode).toBe(200);
  }, 30_000);

  it("GET /v1/models lists each configured provider's allowed models, the active default first", async () => {
    const response = await get('/v1/models', auth);
    const body = response.json() as {
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
    const page = await get('/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['content-security-policy']).toMatch(/^default-src 'self'/);
    expect(page.body).toContain('<html');
    expect((await get('/assets/..%2Fpackage.json')).statusCode).toBe(404);
  });

  it('/v1 rejects bad bodies with 400 and OpenAI-style errors', async () => {
    const response = await postJson(
      '/v1/chat/completions',
      { model: 'openai', messages: [{ role: 'wizard', content: 'x' }], temperature: 3 },
      auth,
    );
    expect(response.statusCode).toBe(400);
    const body = response.json() as { error: { type: string; param: string; message: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.param).toBe('messages');
    expect(body.error.message).toMatch(/role/);
    const missing = await get('/v1/nothing', auth);
    expect(missing.statusCode).toBe(404);
    expect((missing.json() as { error: { type: string } }).error.type).toBe('not_found_error');
  });

  it('never logs a key or the bearer token', () => {
    const all = agent.logs.join('\n');
    expect(containsNoKey(all)).toBe(true);
    expect(all).not.toContain(agentKey);
  });
});
