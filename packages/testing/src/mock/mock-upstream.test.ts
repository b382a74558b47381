import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MockUpstream } from './api.js';
import { mockUpstream } from './mock-upstream.js';
import type { MockScript } from './script.js';

let mock: MockUpstream;
beforeAll(async () => {
  mock = await mockUpstream();
});
beforeEach(() => mock.reset());
afterAll(() => mock.close());

const GEMINI_SSE = '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse';

async function post(path: string, body: unknown, script?: MockScript) {
  if (script) mock.enqueue(script);
  const response = await fetch(`${mock.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

const dataLines = (text: string) =>
  text
    .split(/\r?\n/)
    .filter((line) => line.startsWith('data: '))
    .map((line) => line.slice('data: '.length));

const script: MockScript = {
  events: [
    { type: 'text', text: 'Hi' },
    { type: 'text', text: ' there' },
  ],
};

describe('OpenAI dialect', () => {
  it('writes role delta, content, finish with an empty delta, the usage chunk, then [DONE]', async () => {
    const { status, headers, text } = await post(
      '/v1/chat/completions',
      { model: 'gpt-test', stream: true, stream_options: { include_usage: true } },
      script,
    );
    expect(status).toBe(200);
    expect(headers.get('content-type')).toContain('text/event-stream');
    expect(headers.get('transfer-encoding')).toBe('chunked');
    const lines = dataLines(text);
    expect(lines.at(-1)).toBe('[DONE]');
    const chunks = lines.slice(0, -1).map((line) => JSON.parse(line));
    expect(Object.keys(chunks[0])).toEqual(['id', 'object', 'created', 'model', 'system_fingerprint', 'choices']);
    expect(chunks[0].choices[0]).toEqual({
      index: 0,
      delta: { role: 'assistant', content: '', refusal: null },
      logprobs: null,
      finish_reason: null,
    });
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content).slice(1, 3)).toEqual(['Hi', ' there']);
    expect(chunks[3].choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    expect(chunks[4]).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 12, completion_tokens: 2, total_tokens: 14 },
    });
    expect(chunks.every((chunk) => chunk.model === 'gpt-test' && chunk.object === 'chat.completion.chunk')).toBe(true);
  });

  it('sends no usage chunk unless stream_options.include_usage is set', async () => {
    const { text } = await post('/v1/chat/completions', { stream: true }, script);
    expect(text).not.toContain('"usage"');
  });

  it('is deterministic: the same script after reset gives the same bytes', async () => {
    const first = await post('/v1/chat/completions', { stream: true }, script);
    mock.reset();
    const second = await post('/v1/chat/completions', { stream: true }, script);
    expect(second.text).toBe(first.text);
    expect(first.text).toContain('"id":"chatcmpl-mock000001"');
    expect(first.text).toContain('"created":1700000000');
  });

  it('omitTerminal drops the finish chunk and [DONE]', async () => {
    const { text } = await post('/v1/chat/completions', { stream: true }, { ...script, omitTerminal: true });
    expect(text).not.toContain('[DONE]');
    expect(text).not.toContain('"finish_reason":"stop"');
    expect(text).toContain('there');
  });

  it('answers stream:false with a chat.completion', async () => {
    const { text } = await post('/v1/chat/completions', { model: 'gpt-test' }, script);
    const body = JSON.parse(text);
    expect(body.object).toBe('chat.completion');
    expect(body.choices[0]).toMatchObject({
      message: { role: 'assistant', content: 'Hi there' },
      finish_reason: 'stop',
    });
    expect(body.usage).toEqual({ prompt_tokens: 12, completion_tokens: 2, total_tokens: 14 });
  });

  it('renders an HTTP error with the OpenAI body and x-request-id', async () => {
    const { status, headers, text } = await post(
      '/v1/chat/completions',
      { stream: true },
      { httpError: { status: 429 } },
    );
    expect(status).toBe(429);
    expect(headers.get('x-request-id')).toMatch(/^req_mock/);
    expect(JSON.parse(text)).toEqual({
      error: { message: expect.any(String), type: 'requests', param: null, code: 'rate_limit_exceeded' },
    });
  });

  it('maps statuses to OpenAI error type and code', async () => {
    const expected: Array<[number, string, string | null]> = [
      [400, 'invalid_request_error', null],
      [401, 'invalid_request_error', 'invalid_api_key'],
      [404, 'invalid_request_error', 'model_not_found'],
      [429, 'requests', 'rate_limit_exceeded'],
      [500, 'server_error', null],
      [503, 'server_error', null],
    ];
    for (const [status, type, code] of expected) {
      const { text } = await post('/v1/chat/completions', {}, { httpError: { status } });
      expect(JSON.parse(text).error).toMatchObject({ type, code });
    }
  });

  it('writes a comment as an SSE comment line', async () => {
    const { text } = await post(
      '/v1/chat/completions',
      { stream: true },
      { events: [{ type: 'comment' }, { type: 'comment', text: 'keep-alive' }] },
    );
    expect(text).toContain('\n\n: ping\n\n: keep-alive\n\n');
  });

  it('sends an httpError body verbatim when one is given', async () => {
    const { text } = await post(
      '/v1/chat/completions',
      {},
      { httpError: { status: 502, body: '<html>Bad gateway</html>' } },
    );
    expect(text).toBe('<html>Bad gateway</html>');
  });

  it('lists models on GET /v1/models', async () => {
    const response = await fetch(`${mock.url}/v1/models`);
    const body = (await response.json()) as { object: string; data: unknown[] };
    expect(body.object).toBe('list');
    expect(body.data.length).toBeGreaterThan(0);
  });
});

describe('Anthropic dialect', () => {
  it('names every event after its data type and ends with message_delta and message_stop', async () => {
    const { text } = await post('/v1/messages', { model: 'claude-test', stream: true }, script);
    const events = text.split('\n\n').filter(Boolean);
    for (const event of events) {
      const [eventLine, dataLine] = event.split('\n');
      expect(eventLine?.slice('event: '.length)).toBe(JSON.parse(dataLine!.slice('data: '.length)).type);
    }
    expect(events.map((event) => event.split('\n')[0])).toEqual([
      'event: message_start',
      'event: content_block_start',
      'event: content_block_delta',
      'event: content_block_delta',
      'event: content_block_stop',
      'event: message_delta',
      'event: message_stop',
    ]);
    expect(text).toContain('"stop_reason":"end_turn"');
  });

  it('omitTerminal leaves out message_delta and message_stop', async () => {
    const { text } = await post('/v1/messages', { stream: true }, { ...script, omitTerminal: true });
    expect(text).not.toContain('message_delta');
    expect(text).not.toContain('message_stop');
  });

  it('renders thinking with a signature, tool_use with input_json_delta, and a ping for a comment', async () => {
    const { text } = await post(
      '/v1/messages',
      { stream: true },
      {
        events: [
          { type: 'reasoning', text: 'hmm', signature: 'sig' },
          { type: 'comment' },
          { type: 'tool-call', id: 'toolu_1', name: 'lookup', argumentFragments: [] },
        ],
      },
    );
    expect(text).toContain('"delta":{"type":"signature_delta","signature":"sig"}');
    expect(text).toContain('event: ping\ndata: {"type": "ping"}');
    expect(text).toContain('"delta":{"type":"input_json_delta","partial_json":""}');
    expect(text).toContain('"stop_reason":"tool_use"');
  });

  it('renders an HTTP 529 with the Anthropic body and request-id', async () => {
    const { status, headers, text } = await post('/v1/messages', { stream: true }, { httpError: { status: 529 } });
    expect(status).toBe(529);
    const body = JSON.parse(text);
    expect(body).toMatchObject({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    expect(body.request_id).toBe(headers.get('request-id'));
  });

  it('maps statuses to Anthropic error types', async () => {
    const expected: Array<[number, string]> = [
      [400, 'invalid_request_error'],
      [401, 'authentication_error'],
      [402, 'billing_error'],
      [403, 'permission_error'],
      [404, 'not_found_error'],
      [413, 'request_too_large'],
      [429, 'rate_limit_error'],
      [500, 'api_error'],
      [529, 'overloaded_error'],
    ];
    for (const [status, type] of expected) {
      const { text } = await post('/v1/messages', {}, { httpError: { status } });
      expect(JSON.parse(text).error.type).toBe(type);
    }
  });

  it('writes an in-stream error as event: error and stops there', async () => {
    const { text } = await post(
      '/v1/messages',
      { stream: true },
      { events: [{ type: 'error', status: 529 }, ...script.events!] },
    );
    expect(text).toContain(
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
    );
    expect(text).not.toContain('Hi');
  });

  it('answers a non-streaming request with a Message', async () => {
    const body = JSON.parse((await post('/v1/messages', { model: 'claude-test' }, script)).text);
    expect(body).toMatchObject({
      type: 'message',
      content: [{ type: 'text', text: 'Hi there' }],
      stop_reason: 'end_turn',
    });
  });
});

describe('Gemini dialect', () => {
  it('frames chunks with CRLF, cumulative usage and finishReason only on the last chunk', async () => {
    const { text } = await post(GEMINI_SSE, {}, { ...script, usage: { inputTokens: 5, outputTokens: 8 } });
    expect(text.endsWith('\r\n\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
    const chunks = dataLines(text).map((line) => JSON.parse(line));
    expect(chunks.map((chunk) => chunk.usageMetadata.candidatesTokenCount)).toEqual([4, 8]);
    expect(chunks.map((chunk) => chunk.candidates[0].finishReason)).toEqual([undefined, 'STOP']);
  });

  it('omitTerminal sends no finishReason at all', async () => {
    const { text } = await post(GEMINI_SSE, {}, { ...script, omitTerminal: true });
    expect(text).not.toContain('finishReason');
  });

  it('routes Vertex-style paths', async () => {
    const path =
      '/v1beta1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-pro:streamGenerateContent?alt=sse';
    const { status, text } = await post(path, {}, script);
    expect(status).toBe(200);
    expect(text).toContain('"modelVersion":"gemini-2.5-pro"');
    expect(mock.requests[0]?.vendor).toBe('gemini');
  });

  it('sends a tool call as one functionCall part with parsed arguments, {} when they are not JSON', async () => {
    const { text } = await post(
      GEMINI_SSE,
      {},
      {
        events: [
          { type: 'tool-call', id: 'c1', name: 'weather', argumentFragments: ['{"city":', '"Paris"}'] },
          { type: 'tool-call', id: 'c2', name: 'broken', argumentFragments: ['{"city":'] },
        ],
      },
    );
    const parts = dataLines(text).map((line) => JSON.parse(line).candidates[0].content.parts[0]);
    expect(parts).toEqual([
      { functionCall: { name: 'weather', args: { city: 'Paris' } } },
      { functionCall: { name: 'broken', args: {} } },
    ]);
  });

  it('sends a prompt block as the only chunk', async () => {
    const { text } = await post(GEMINI_SSE, {}, { ...script, promptBlockReason: 'SAFETY' });
    const chunks = dataLines(text).map((line) => JSON.parse(line));
    expect(chunks).toHaveLength(1);
    expect(chunks[0].promptFeedback).toEqual({ blockReason: 'SAFETY' });
    expect(chunks[0].candidates).toBeUndefined();
  });

  it('writes a comment anyway, as a proxy would', async () => {
    const { text } = await post(GEMINI_SSE, {}, { events: [{ type: 'comment', text: 'keep-alive' }] });
    expect(text.startsWith(': keep-alive\r\n\r\n')).toBe(true);
  });

  it('renders HTTP errors with Google status names, pretty-printed', async () => {
    for (const [status, name] of [
      [429, 'RESOURCE_EXHAUSTED'],
      [400, 'INVALID_ARGUMENT'],
      [403, 'PERMISSION_DENIED'],
      [404, 'NOT_FOUND'],
      [500, 'INTERNAL'],
      [503, 'UNAVAILABLE'],
      [401, 'UNAUTHENTICATED'],
      [504, 'DEADLINE_EXCEEDED'],
    ] as const) {
      const response = await post(GEMINI_SSE, {}, { httpError: { status } });
      expect(response.status).toBe(status);
      expect(JSON.parse(response.text).error).toMatchObject({ code: status, status: name });
      expect(response.text).toContain('\n  ');
    }
  });

  it('answers generateContent with one merged candidate and streamGenerateContent without alt=sse with an array', async () => {
    const merged = JSON.parse((await post('/v1beta/models/gemini-2.5-flash:generateContent', {}, script)).text);
    expect(merged.candidates[0]).toMatchObject({ content: { parts: [{ text: 'Hi there' }] }, finishReason: 'STOP' });
    const array = JSON.parse((await post('/v1beta/models/gemini-2.5-flash:streamGenerateContent', {}, script)).text);
    expect(array).toHaveLength(2);
  });
});

describe('routing, scripts and recording', () => {
  it('answers unknown routes with a 404 JSON and records them', async () => {
    const { status, text } = await post('/v2/whatever', {});
    expect(status).toBe(404);
    expect(JSON.parse(text).error.type).toBe('not_found');
    expect(mock.requests[0]?.vendor).toBe('unknown');
  });

  it('uses respond before the queue, the queue before the default', async () => {
    const local = await mockUpstream({
      defaultScript: { events: [{ type: 'text', text: 'default' }] },
      respond: (request) =>
        (request.body as { model?: string }).model === 'special'
          ? { events: [{ type: 'text', text: 'special' }] }
          : undefined,
    });
    try {
      local.enqueue({ events: [{ type: 'text', text: 'queued' }] });
      const ask = async (model: string) => {
        const response = await fetch(`${local.url}/v1/chat/completions`, {
          method: 'POST',
          body: JSON.stringify({ model }),
        });
        const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
        return body.choices[0]?.message.content;
      };
      expect(await ask('special')).toBe('special');
      expect(await ask('any')).toBe('queued');
      expect(await ask('any')).toBe('default');
    } finally {
      await local.close();
    }
  });

  it('records path, headers, parsed body and times', async () => {
    const waiting = mock.waitForRequests(1);
    await post('/v1/messages', { model: 'claude-test', stream: true }, script);
    const [request] = await waiting;
    expect(request).toMatchObject({ index: 0, method: 'POST', path: '/v1/messages', vendor: 'anthropic' });
    expect(request?.body).toEqual({ model: 'claude-test', stream: true });
    expect(request?.headers['content-type']).toBe('application/json');
    await request?.closed;
    expect(request?.finishedAt).toBeGreaterThanOrEqual(request?.receivedAt ?? Number.POSITIVE_INFINITY);
    expect(request?.closedEarlyAt).toBeUndefined();
  });

  it('records a client that leaves during the headers delay, and writes nothing after', async () => {
    mock.enqueue({ ...script, delivery: { headersDelayMs: 5_000 } });
    const leaving = fetch(`${mock.url}/v1/chat/completions`, {
      method: 'POST',
      body: '{"stream":true}',
      signal: AbortSignal.timeout(50),
    });
    await expect(leaving).rejects.toThrow();
    const [request] = await mock.waitForRequests(1);
    await request?.closed;
    expect(request?.closedEarlyAt).toBeDefined();
    expect(request?.finishedAt).toBeUndefined();
  });

  it('never echoes request credentials in a response body or header', async () => {
    const marker = 'sk-MARKER-5e1f';
    const routes: Array<[string, string, MockScript | undefined]> = [
      ['POST', '/v1/chat/completions', script],
      ['POST', '/v1/chat/completions', { httpError: { status: 401 } }],
      ['POST', '/v1/messages', { events: [{ type: 'error', status: 529 }] }],
      ['POST', GEMINI_SSE, { httpError: { status: 400 } }],
      ['GET', '/v1/models', undefined],
      ['POST', '/nowhere', undefined],
    ];
    for (const [method, path, routeScript] of routes) {
      if (routeScript) mock.enqueue(routeScript);
      const response = await fetch(`${mock.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${marker}`, 'x-api-key': marker, 'x-goog-api-key': marker },
        ...(method === 'POST' ? { body: '{"stream":true}' } : {}),
      });
      const body = await response.text();
      expect(body).not.toContain(marker);
      expect(JSON.stringify([...response.headers])).not.toContain(marker);
    }
  });

  it('close() destroys a stalled connection, so nothing hangs', async () => {
    const local = await mockUpstream();
    local.enqueue({ ...script, delivery: { stallAfterEvents: 1 } });
    const response = await fetch(`${local.url}/v1/chat/completions`, { method: 'POST', body: '{"stream":true}' });
    const reading = response.text();
    await local.waitForRequests(1);
    expect(local.openConnections()).toBe(1);
    const pending = expect(local.waitForRequests(5)).rejects.toThrow('closed');
    await local.close();
    await expect(reading).rejects.toThrow();
    await pending;
    expect(local.openConnections()).toBe(0);
  });

  it('serves 1,000 concurrent streams', { timeout: 30_000 }, async () => {
    const events = Array.from({ length: 20 }, () => ({ type: 'text' as const, text: 'tok ' }));
    const local = await mockUpstream({ defaultScript: { events } });
    const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
    const fetchBody = () =>
      new Promise<string>((resolve, reject) => {
        const request = httpRequest(`${local.url}/v1/chat/completions`, { method: 'POST', agent }, (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            body += chunk;
          });
          response.on('end', () => resolve(body));
          response.on('error', reject);
        });
        request.on('error', reject);
        request.end('{"stream":true}');
      });
    try {
      const started = performance.now();
      const bodies = await Promise.all(Array.from({ length: 1000 }, fetchBody));
      console.log(`1,000 concurrent 20-event streams through the mock: ${(performance.now() - started).toFixed(0)} ms`);
      expect(bodies.every((body) => body.endsWith('data: [DONE]\n\n') && body.split('tok ').length === 21)).toBe(true);
      expect(local.requests).toHaveLength(1000);
    } finally {
      agent.destroy();
      await local.close();
    }
  });
});
