import { performance } from 'node:perf_hooks';
import { inspect } from 'node:util';
import Anthropic from '@anthropic-ai/sdk';
import { type Chunk, type CompletionRequest, complete, LLMError, type Provider } from '@rxllm/core';
import { type MockScript, type MockUpstream, mockUpstream } from '@rxllm/testing';
import type { Observable } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAnthropic, DEFAULT_ANTHROPIC_MODEL } from './create-anthropic.js';
import { readCapture } from './test-captures.js';

/** A marker key: if it shows up in an error, a chunk or a log line, the test says where. */
const API_KEY = 'sk-ant-api03-MARKER-never-leak-4f1c2e';
const hello: CompletionRequest = { messages: [{ role: 'user', content: 'Hello' }] };

let mock: MockUpstream;
let provider: Provider;

beforeAll(async () => {
  mock = await mockUpstream();
  provider = createAnthropic({ apiKey: API_KEY, baseURL: mock.baseURLs.anthropic });
});
afterEach(() => {
  mock.reset();
  vi.restoreAllMocks();
});
afterAll(async () => {
  await mock.close();
});

interface Outcome {
  chunks: Chunk[];
  error: LLMError | undefined;
}

/** Runs a stream to its end (bounded: the mock always ends or the test times out) and keeps chunks and error. */
function run(stream: Observable<Chunk>): Promise<Outcome> {
  return new Promise((resolve) => {
    const chunks: Chunk[] = [];
    stream.subscribe({
      next: (chunk) => chunks.push(chunk),
      error: (error: unknown) => resolve({ chunks, error: error as LLMError }),
      complete: () => resolve({ chunks, error: undefined }),
    });
  });
}

async function runScript(script: MockScript, request: CompletionRequest = hello): Promise<Outcome> {
  mock.enqueue(script);
  return run(provider.stream(request));
}

const texts = (chunks: Chunk[]) => chunks.flatMap((chunk) => (chunk.type === 'text' ? [chunk.text] : []));
const types = (chunks: Chunk[]) => chunks.map((chunk) => chunk.type);

function expectNoSecret(...values: unknown[]) {
  for (const value of values) {
    expect(inspect(value, { depth: 12 })).not.toContain(API_KEY);
  }
}

describe('createAnthropic against the mock upstream (real SDK)', () => {
  it('streams plain text: start, each text delta unmerged and in order, usage, finish', async () => {
    const { chunks, error } = await runScript({
      events: [
        { type: 'text', text: 'Hello' },
        { type: 'text', text: ', world' },
        { type: 'text', text: '!' },
      ],
    });
    expect(error).toBeUndefined();
    expect(types(chunks)).toEqual(['start', 'text', 'text', 'text', 'usage', 'finish']);
    expect(chunks[0]).toEqual({
      type: 'start',
      provider: 'anthropic',
      model: DEFAULT_ANTHROPIC_MODEL,
      id: expect.stringMatching(/^msg_/),
    });
    expect(texts(chunks)).toEqual(['Hello', ', world', '!']);
    expect(chunks.at(-1)).toEqual({ type: 'finish', reason: 'stop', rawReason: 'end_turn' });
    const [request] = mock.requests;
    expect(request?.path).toBe('/v1/messages');
    expect(request?.body).toEqual({
      model: DEFAULT_ANTHROPIC_MODEL,
      max_tokens: 4096,
      messages: [{ role: 'user', content: 'Hello' }],
      stream: true,
    });
    expect(request?.headers['x-stainless-retry-count']).toBe('0');
    expectNoSecret(chunks);
  });

  it('reports usage: input and output tokens, cache reads as cachedInputTokens', async () => {
    const { chunks } = await runScript({
      events: [{ type: 'text', text: 'Hi' }],
      usage: { inputTokens: 21, outputTokens: 34, cachedInputTokens: 5 },
    });
    expect(chunks.filter((chunk) => chunk.type === 'usage')).toEqual([
      {
        type: 'usage',
        usage: { inputTokens: 21, outputTokens: 34, cachedInputTokens: 5 },
        providerMetadata: { anthropic: { cacheCreationInputTokens: 0 } },
      },
    ]);
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['tool_use', 'tool-calls'],
    ['refusal', 'content-filter'],
    ['pause_turn', 'other'],
    ['model_context_window_exceeded', 'other'],
  ])('maps stop_reason %s to finish reason %s', async (stopReason, reason) => {
    const { chunks, error } = await runScript({ events: [{ type: 'text', text: 'x' }], finishReason: stopReason });
    expect(error).toBeUndefined();
    expect(chunks.at(-1)).toEqual({ type: 'finish', reason, rawReason: stopReason });
  });

  it('streams reasoning (thinking deltas) and keeps the signature in providerMetadata', async () => {
    const { chunks, error } = await runScript({
      events: [
        { type: 'reasoning', text: 'Let me think' },
        { type: 'reasoning', text: ' about it.', signature: 'sig-EvQBCkYI' },
        { type: 'text', text: 'Answer.' },
      ],
    });
    expect(error).toBeUndefined();
    expect(chunks.slice(1, 5)).toEqual([
      { type: 'reasoning', text: 'Let me think' },
      { type: 'reasoning', text: ' about it.' },
      { type: 'reasoning', text: '', providerMetadata: { anthropic: { signature: 'sig-EvQBCkYI' } } },
      { type: 'text', text: 'Answer.' },
    ]);
  });

  it('streams a tool call: id and name first, then each argument fragment, indexed by the call ordinal', async () => {
    const { chunks, error } = await runScript({
      events: [
        { type: 'text', text: 'Checking.' },
        { type: 'tool-call', id: 'toolu_01', name: 'weather', argumentFragments: ['{"city":', '"Par', 'is"}'] },
        { type: 'tool-call', id: 'toolu_02', name: 'clock', argumentFragments: [] },
      ],
    });
    expect(error).toBeUndefined();
    expect(chunks.filter((chunk) => chunk.type === 'tool-call')).toEqual([
      { type: 'tool-call', index: 0, id: 'toolu_01', name: 'weather', argumentsDelta: '' },
      { type: 'tool-call', index: 0, argumentsDelta: '{"city":' },
      { type: 'tool-call', index: 0, argumentsDelta: '"Par' },
      { type: 'tool-call', index: 0, argumentsDelta: 'is"}' },
      { type: 'tool-call', index: 1, id: 'toolu_02', name: 'clock', argumentsDelta: '' },
      { type: 'tool-call', index: 1, argumentsDelta: '{}' },
    ]);
    expect(chunks.at(-1)).toEqual({ type: 'finish', reason: 'tool-calls', rawReason: 'tool_use' });
  });

  it('keeps multi-byte characters whole when the body is split at every byte', async () => {
    const pieces = ['naïve café ', '日本語の', 'テキスト ', '🎉🚀', ' — ok'];
    const { chunks, error } = await runScript({
      events: pieces.map((text) => ({ type: 'text' as const, text })),
      delivery: { split: 1 },
    });
    expect(error).toBeUndefined();
    expect(texts(chunks)).toEqual(pieces);
    expect(texts(chunks).join('')).not.toContain('\uFFFD');
  });

  it('handles the whole body in one write', async () => {
    const { chunks, error } = await runScript({
      events: [
        { type: 'text', text: 'one' },
        { type: 'text', text: ' write' },
      ],
      delivery: { split: 'one-write' },
    });
    expect(error).toBeUndefined();
    expect(texts(chunks)).toEqual(['one', ' write']);
    expect(chunks.at(-1)).toMatchObject({ type: 'finish', reason: 'stop' });
  });

  it('ignores pings between events, and CRLF line endings', async () => {
    const { chunks, error } = await runScript({
      events: [
        { type: 'comment' },
        { type: 'text', text: 'a' },
        { type: 'comment' },
        { type: 'comment' },
        { type: 'text', text: 'b' },
        { type: 'comment' },
      ],
      delivery: { lineEnding: 'crlf' },
    });
    expect(error).toBeUndefined();
    expect(types(chunks)).toEqual(['start', 'text', 'text', 'usage', 'finish']);
    expect(texts(chunks)).toEqual(['a', 'b']);
  });

  it.each([
    [401, 'auth', 'authentication_error'],
    [403, 'auth', 'permission_error'],
    [404, 'not-found', 'not_found_error'],
    [400, 'invalid-request', 'invalid_request_error'],
    [402, 'invalid-request', 'billing_error'],
    [408, 'timeout', 'invalid_request_error'],
    [409, 'invalid-request', 'invalid_request_error'],
    [413, 'invalid-request', 'request_too_large'],
    [422, 'invalid-request', 'invalid_request_error'],
    [500, 'overloaded', 'api_error'],
    [503, 'overloaded', 'api_error'],
    [529, 'overloaded', 'overloaded_error'],
  ])('turns HTTP %i into an LLMError of kind %s, with one request (SDK retries off)', async (status, kind, type) => {
    const { chunks, error } = await runScript({ httpError: { status } });
    expect(chunks).toEqual([]);
    expect(LLMError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ kind, status, provider: 'anthropic', requestId: expect.stringMatching(/^req_/) });
    expect(error?.message).toContain(`Anthropic API error ${status} (${type})`);
    expect(error?.retryable).toBe(kind === 'overloaded' || kind === 'timeout');
    expect(mock.requests).toHaveLength(1);
    expectNoSecret(error, error?.toJSON());
  });

  it.each([
    [{ 'retry-after': '7' }, 7000],
    [{ 'retry-after-ms': '1250', 'retry-after': '9' }, 1250],
  ])('turns 429 into rate-limit with retryAfterMs from %j', async (headers, retryAfterMs) => {
    const { error } = await runScript({ httpError: { status: 429, headers } });
    expect(error).toMatchObject({ kind: 'rate-limit', status: 429, retryable: true, retryAfterMs });
    expect(error?.message).toContain("This request would exceed your account's rate limit");
    expect(mock.requests).toHaveLength(1);
  });

  it.each([
    [529, 'overloaded', 'overloaded_error'],
    [429, 'rate-limit', 'rate_limit_error'],
    [500, 'overloaded', 'api_error'],
    [400, 'invalid-request', 'invalid_request_error'],
  ])('delivers the text before an in-stream error (status %i → %s), then fails', async (status, kind, type) => {
    const { chunks, error } = await runScript({
      events: [
        { type: 'text', text: 'Hello' },
        { type: 'text', text: ' there' },
        { type: 'error', status },
      ],
    });
    expect(texts(chunks)).toEqual(['Hello', ' there']);
    expect(types(chunks)).not.toContain('finish');
    expect(error).toMatchObject({ kind, status: undefined, details: { type, inStream: true } });
    expect(error?.message).toContain(`Anthropic stream error (${type})`);
  });

  it('fails a stream that ends without message_stop (truncated), after the text it got', async () => {
    const { chunks, error } = await runScript({ events: [{ type: 'text', text: 'partial' }], omitTerminal: true });
    expect(texts(chunks)).toEqual(['partial']);
    expect(types(chunks)).not.toContain('finish');
    expect(error).toMatchObject({ kind: 'network', retryable: true, details: { truncated: true } });
    expect(error?.message).toContain('message_stop');
  });

  it('fails with a network error when the socket drops mid-stream', async () => {
    const { chunks, error } = await runScript({
      events: [
        { type: 'text', text: 'before' },
        { type: 'text', text: ' the drop' },
        { type: 'text', text: 'never sent' },
      ],
      delivery: { dropAfterEvents: 2 },
    });
    expect(texts(chunks)).toEqual(['before', ' the drop']);
    expect(error).toMatchObject({ kind: 'network', retryable: true });
    expect(mock.requests[0]?.droppedAt).toBeTypeOf('number');
    console.info(`anthropic: dropped socket → ${error?.kind}: ${error?.message}`);
    expectNoSecret(error);
  });

  it('turns a missed timeout (no response headers in time) into a timeout error', async () => {
    mock.enqueue({ events: [{ type: 'text', text: 'too late' }], delivery: { headersDelayMs: 1000 } });
    const impatient = createAnthropic({ apiKey: API_KEY, baseURL: mock.baseURLs.anthropic, timeout: 100 });
    const { chunks, error } = await run(impatient.stream(hello));
    expect(chunks).toEqual([]);
    expect(error).toMatchObject({ kind: 'timeout', retryable: true });
    expect(mock.requests).toHaveLength(1);
  });

  it('fails with no chunk when the first event is an error (before message_start)', async () => {
    const { chunks, error } = await runScript({
      replay:
        'event: error\ndata: {"type":"error","error":{"details":null,"type":"overloaded_error","message":"Overloaded"}}\n\n',
    });
    expect(chunks).toEqual([]);
    expect(error).toMatchObject({ kind: 'overloaded', details: { type: 'overloaded_error', inStream: true } });
  });

  it('tolerates a duplicated message_start from a proxy: one start chunk, the stream still completes', async () => {
    const capture = readCapture('text');
    const firstEventEnd = capture.indexOf('\n\n') + 2;
    const spliced = capture.slice(0, firstEventEnd) + capture;
    const { chunks, error } = await runScript({ replay: spliced });
    expect(error).toBeUndefined();
    expect(chunks.filter((chunk) => chunk.type === 'start')).toHaveLength(1);
    expect(texts(chunks)).toHaveLength(6);
    expect(chunks.at(-1)).toMatchObject({ type: 'finish', reason: 'stop' });
  });

  it('fails on an event whose data is not JSON', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { chunks, error } = await runScript({
      replay:
        'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_x","model":"m","usage":{"input_tokens":1,"output_tokens":1}}}\n\n' +
        'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n' +
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_del\n\n',
    });
    expect(types(chunks)).toEqual(['start']);
    expect(error).toMatchObject({ kind: 'unknown' });
    expect(error?.message).toMatch(/^Anthropic request failed: /);
  });

  it('fails with a network error when the server is gone before the response', async () => {
    const dead = await mockUpstream();
    const url = dead.url;
    await dead.close();
    const { error } = await run(createAnthropic({ apiKey: API_KEY, baseURL: url }).stream(hello));
    expect(error).toMatchObject({ kind: 'network', retryable: true });
    expectNoSecret(error);
  });

  /** Subscribes, unsubscribes once `shouldStop` says so, and measures how soon the mock saw the connection close. */
  async function cancelWhen(script: MockScript, shouldStop: (received: Chunk[]) => boolean, startedAt?: () => void) {
    mock.enqueue(script);
    let unsubscribedAt = 0;
    const received: Chunk[] = [];
    const subscription = provider.stream(hello).subscribe({
      next: (chunk) => {
        received.push(chunk);
        if (shouldStop(received)) {
          // Later, not inside `next`: the producer is then blocked reading a stalled socket, which only the
          // AbortSignal can interrupt.
          setTimeout(() => {
            unsubscribedAt = performance.now();
            subscription.unsubscribe();
          }, 30);
        }
      },
      error: () => undefined,
    });
    const [request] = await mock.waitForRequests(1);
    if (startedAt) {
      startedAt();
      unsubscribedAt = performance.now();
      subscription.unsubscribe();
    }
    // Bounded: without the abort reaching the socket the connection would stay open (the script stalls).
    const closed = await Promise.race([
      request!.closed.then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), 2000)),
    ]);
    return { request: request!, received, closed, latencyMs: (request!.closedEarlyAt ?? Number.NaN) - unsubscribedAt };
  }

  it('aborts the HTTP request when the subscriber unsubscribes mid-stream; the mock sees the close promptly', async () => {
    const { request, received, closed, latencyMs } = await cancelWhen(
      {
        events: [
          { type: 'text', text: 't0' },
          { type: 'text', text: 't1' },
          { type: 'text', text: 'never sent' },
        ],
        // The server stalls after two events: only the AbortSignal can close the connection now.
        delivery: { stallAfterEvents: 2 },
      },
      (chunks) => texts(chunks).length === 2,
    );
    console.info(`anthropic: mock saw the mid-stream close ${latencyMs.toFixed(1)} ms after unsubscribe`);
    expect(closed).toBe(true);
    expect(request.finishedAt).toBeUndefined();
    expect(latencyMs).toBeLessThan(200);
    expect(texts(received)).toEqual(['t0', 't1']);
  });

  it('an event that grows past maxEventChars is a network error after the text before it, and closes the request', async () => {
    mock.enqueue({
      // An event that never ends, then a stall: without the limit the reader would buffer on.
      events: [
        { type: 'text', text: 'fine' },
        { type: 'raw', data: `event: content_block_delta\ndata: "${'x'.repeat(2_000)}` },
      ],
      delivery: { stallAfterEvents: 2 },
    });
    const limited = createAnthropic({ apiKey: API_KEY, baseURL: mock.baseURLs.anthropic, maxEventChars: 1_000 });
    const outcome = await run(limited.stream(hello));
    expect(texts(outcome.chunks)).toEqual(['fine']);
    expect(outcome.error).toMatchObject({
      kind: 'network',
      message: 'anthropic sent an event longer than 1000 characters',
    });
    await vi.waitFor(() => expect(mock.requests.at(-1)?.closedEarlyAt).toBeDefined());
  });

  it('aborts the HTTP request when the subscriber unsubscribes before the response headers', async () => {
    const { request, received, closed, latencyMs } = await cancelWhen(
      { events: [{ type: 'text', text: 'late' }], delivery: { headersDelayMs: 1500 } },
      () => false,
      () => undefined,
    );
    console.info(`anthropic: mock saw the pre-header close ${latencyMs.toFixed(1)} ms after unsubscribe`);
    expect(closed).toBe(true);
    expect(request.finishedAt).toBeUndefined();
    expect(latencyMs).toBeLessThan(200);
    expect(received).toEqual([]);
  });

  it('is cold: nothing is sent before subscribe, and two subscriptions make two requests', async () => {
    mock.enqueue({ events: [{ type: 'text', text: 'first' }] }, { events: [{ type: 'text', text: 'second' }] });
    const stream = provider.stream(hello);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(mock.requests).toHaveLength(0);
    const [first, second] = await Promise.all([run(stream), run(stream)]);
    expect(mock.requests).toHaveLength(2);
    expect([texts(first.chunks), texts(second.chunks)].flat().sort()).toEqual(['first', 'second']);
  });

  it('sends the mapped request: system, history with tool calls and results, tools, settings, providerOptions', async () => {
    mock.enqueue({ events: [{ type: 'text', text: 'ok' }] });
    const custom = createAnthropic({
      apiKey: API_KEY,
      baseURL: mock.baseURLs.anthropic,
      model: 'claude-opus-5-5',
      defaults: { maxTokens: 1024, temperature: 0.5 },
    });
    await run(
      custom.stream({
        system: 'Be brief.',
        messages: [
          { role: 'user', content: 'Weather in Paris?' },
          {
            role: 'assistant',
            content: '',
            toolCalls: [{ id: 'toolu_9', name: 'weather', arguments: '{"city":"Paris"}' }],
          },
          { role: 'tool', toolCallId: 'toolu_9', content: '18°C' },
        ],
        stop: ['###'],
        tools: [{ name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
        providerOptions: { anthropic: { thinking: { type: 'enabled', budget_tokens: 512 } } },
      }),
    );
    expect(mock.requests[0]?.body).toEqual({
      model: 'claude-opus-5-5',
      max_tokens: 1024,
      system: 'Be brief.',
      temperature: 0.5,
      stop_sequences: ['###'],
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 'toolu_9', name: 'weather', input: { city: 'Paris' } }],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_9', content: '18°C' }] },
      ],
      tools: [{ name: 'weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
      thinking: { type: 'enabled', budget_tokens: 512 },
      stream: true,
    });
  });

  it('reports an invalid request body as an error of the stream, without calling the vendor', async () => {
    const { error } = await run(
      provider.stream({
        messages: [{ role: 'assistant', content: '', toolCalls: [{ id: 't', name: 'x', arguments: '{' }] }],
      }),
    );
    expect(error).toMatchObject({ kind: 'invalid-request' });
    expect(mock.requests).toHaveLength(0);
  });

  it('works through complete()', async () => {
    mock.enqueue({ events: [{ type: 'text', text: 'Done' }], usage: { inputTokens: 3, outputTokens: 4 } });
    const completion = await complete(provider, hello);
    expect(completion).toMatchObject({
      text: 'Done',
      finishReason: 'stop',
      rawFinishReason: 'end_turn',
      provider: 'anthropic',
      usage: { inputTokens: 3, outputTokens: 4, cachedInputTokens: 0 },
    });
  });

  it('uses a given SDK client, still with retries off per request', async () => {
    mock.enqueue({ httpError: { status: 529 } });
    const client = new Anthropic({ apiKey: API_KEY, baseURL: mock.baseURLs.anthropic, maxRetries: 5 });
    const { error } = await run(createAnthropic({ client }).stream(hello));
    expect(error).toMatchObject({ kind: 'overloaded', status: 529 });
    expect(mock.requests).toHaveLength(1);
  });

  it('uses a given fetch (for a shared agent or dispatcher)', async () => {
    mock.enqueue({ events: [{ type: 'text', text: 'via custom fetch' }] });
    const seen: string[] = [];
    const countingFetch: typeof fetch = (input, init) => {
      seen.push(String(input instanceof Request ? input.url : input));
      return fetch(input, init);
    };
    const { chunks } = await run(
      createAnthropic({ apiKey: API_KEY, baseURL: mock.baseURLs.anthropic, fetch: countingFetch }).stream(hello),
    );
    expect(texts(chunks)).toEqual(['via custom fetch']);
    expect(seen).toEqual([`${mock.url}/v1/messages`]);
  });

  it('hands fetchOptions (e.g. an undici dispatcher) to every fetch call', async () => {
    mock.enqueue({ events: [{ type: 'text', text: 'ok' }] });
    const dispatcher = { marker: 'shared-agent' };
    const inits: RequestInit[] = [];
    const capturingFetch: typeof fetch = (input, init) => {
      inits.push(init ?? {});
      const { dispatcher: _ignored, ...rest } = (init ?? {}) as RequestInit & { dispatcher?: unknown };
      return fetch(input, rest);
    };
    const { error } = await run(
      createAnthropic({
        apiKey: API_KEY,
        baseURL: mock.baseURLs.anthropic,
        fetch: capturingFetch,
        fetchOptions: { dispatcher } as never,
      }).stream(hello),
    );
    expect(error).toBeUndefined();
    expect(inits).toHaveLength(1);
    expect((inits[0] as { dispatcher?: unknown }).dispatcher).toBe(dispatcher);
  });

  it('never writes the API key to a log line, even at the SDK debug level', async () => {
    const lines: string[] = [];
    const record = (...values: unknown[]) => lines.push(values.map((value) => inspect(value, { depth: 8 })).join(' '));
    const logger = { debug: record, info: record, warn: record, error: record };
    const client = new Anthropic({ apiKey: API_KEY, baseURL: mock.baseURLs.anthropic, logLevel: 'debug', logger });
    const debugProvider = createAnthropic({ client });
    mock.enqueue({ events: [{ type: 'text', text: 'ok' }] }, { httpError: { status: 401 } });
    const success = await run(debugProvider.stream(hello));
    const failure = await run(debugProvider.stream(hello));
    expect(success.error).toBeUndefined();
    expect(failure.error?.kind).toBe('auth');
    expect(lines.length).toBeGreaterThan(0);
    expect(String(mock.requests[0]?.headers.authorization ?? mock.requests[0]?.headers['x-api-key'])).toContain(
      API_KEY,
    );
    for (const line of lines) expect(line).not.toContain(API_KEY);
    expectNoSecret(success.chunks, failure.error);
  });
});

describe('recorded captures replayed through the mock', () => {
  it('replays the text capture', async () => {
    const { chunks, error } = await runScript({ replay: readCapture('text') });
    expect(error).toBeUndefined();
    expect(chunks[0]).toMatchObject({
      type: 'start',
      model: 'claude-sonnet-4-5-20250929',
      id: 'msg_01QC4g3HwBThD4BaNtBckFDJ',
    });
    expect(texts(chunks).join('')).toBe(
      "Hello! I'm doing well, thank you for asking. How are you doing today? Is there anything I can help you with?",
    );
    expect(chunks.slice(-2)).toEqual([
      {
        type: 'usage',
        usage: { inputTokens: 12, outputTokens: 30, cachedInputTokens: 0 },
        providerMetadata: { anthropic: { cacheCreationInputTokens: 0 } },
      },
      { type: 'finish', reason: 'stop', rawReason: 'end_turn' },
    ]);
  });

  it('replays the thinking capture split at every byte (÷ is two bytes)', async () => {
    const { chunks, error } = await runScript({ replay: readCapture('thinking'), delivery: { split: 1 } });
    expect(error).toBeUndefined();
    const reasoning = chunks.filter((chunk) => chunk.type === 'reasoning');
    expect(reasoning.map((chunk) => chunk.text).join('')).toBe(
      'The previous result was 925. Now I need to divide that by 5.\n\n925 ÷ 5 = 185',
    );
    expect(reasoning.at(-1)?.providerMetadata).toEqual({
      anthropic: { signature: expect.stringMatching(/^EvQBCkYICxgCKkAxhD4N/) },
    });
    expect(texts(chunks)).toEqual(['925', ' ÷ 5 ', '= 185']);
    expect(chunks.at(-1)).toEqual({ type: 'finish', reason: 'stop', rawReason: 'end_turn' });
  });

  it('replays the tool-use capture: a call with no arguments gets {}', async () => {
    const { chunks, error } = await runScript({ replay: readCapture('tool-use') });
    expect(error).toBeUndefined();
    expect(chunks.filter((chunk) => chunk.type === 'tool-call')).toEqual([
      {
        type: 'tool-call',
        index: 0,
        id: 'toolu_01QE1WLsSVp5hy5Q3GmGTmjP',
        name: 'updateIssueList',
        argumentsDelta: '',
      },
      { type: 'tool-call', index: 0, argumentsDelta: '{}' },
    ]);
    expect(chunks.at(-1)).toEqual({ type: 'finish', reason: 'tool-calls', rawReason: 'tool_use' });
  });

  it('replays the overloaded-midstream capture: the text arrives, then an overloaded error', async () => {
    const { chunks, error } = await runScript({ replay: readCapture('overloaded-midstream') });
    expect(types(chunks)).toEqual(['start', 'text']);
    expect(texts(chunks)).toEqual(['Hello']);
    expect(error).toMatchObject({
      kind: 'overloaded',
      retryable: true,
      details: { type: 'overloaded_error', inStream: true },
    });
    expect(error?.message).toBe('Anthropic stream error (overloaded_error): Overloaded');
  });

  it('fails a capture cut before message_stop, never a silent success', async () => {
    const capture = readCapture('text');
    const cut = capture.slice(0, capture.indexOf('event: message_stop'));
    const { chunks, error } = await runScript({ replay: cut });
    expect(texts(chunks)).toHaveLength(6);
    expect(types(chunks)).not.toContain('finish');
    expect(error).toMatchObject({ kind: 'network', details: { truncated: true } });
  });
});
