import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { applyChunk, type Chunk, type Completion, type CompletionRequest, collectCompletion } from '@rxllm/core';
import { type MockScript, type MockUpstream, mockUpstream } from '@rxllm/testing';
import OpenAI from 'openai';
import { firstValueFrom } from 'rxjs';
import { Agent, buildConnector } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAI, DEFAULT_OPENAI_MODEL } from './create-openai.js';
import { outcomeOf, textOf, typesOf, unsubscribeAtFirstText } from './test-support.js';

const API_KEY = 'sk-test-MARKER-7f3a91c2e5';
const request: CompletionRequest = { messages: [{ role: 'user', content: 'Hi' }] };
const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url));

let mock: MockUpstream;
beforeAll(async () => {
  mock = await mockUpstream();
});
afterEach(() => mock.reset());
afterAll(() => mock.close());

const provider = () => createOpenAI({ apiKey: API_KEY, baseURL: mock.baseURLs.openai });
async function run(script: MockScript, overrides: Partial<CompletionRequest> = {}) {
  mock.enqueue(script);
  return outcomeOf(provider().stream({ ...request, ...overrides }));
}
const fold = (chunks: Chunk[]): Completion =>
  chunks.reduce(applyChunk, {
    text: '',
    reasoning: '',
    toolCalls: [],
    usage: undefined,
    finishReason: undefined,
    rawFinishReason: undefined,
    provider: undefined,
    model: undefined,
    id: undefined,
    chunks: 0,
  } satisfies Completion);

describe('createOpenAI against the mock upstream', () => {
  it('streams plain text: start, text chunks unmerged in order, usage, finish', async () => {
    const outcome = await run({
      id: 'chatcmpl-abc',
      events: [
        { type: 'text', text: 'Hello' },
        { type: 'text', text: ', ' },
        { type: 'text', text: 'world' },
      ],
      usage: { inputTokens: 9, outputTokens: 3 },
    });
    expect(outcome.error).toBeUndefined();
    expect(outcome.chunks).toEqual([
      { type: 'start', provider: 'openai', model: DEFAULT_OPENAI_MODEL, id: 'chatcmpl-abc' },
      { type: 'text', text: 'Hello' },
      { type: 'text', text: ', ' },
      { type: 'text', text: 'world' },
      { type: 'usage', usage: { inputTokens: 9, outputTokens: 3, totalTokens: 12 } },
      { type: 'finish', reason: 'stop', rawReason: 'stop', providerMetadata: { systemFingerprint: 'fp_mock' } },
    ]);
    const [recorded] = mock.requests;
    expect(recorded?.path).toBe('/v1/chat/completions');
    expect(recorded?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(recorded?.headers['x-stainless-retry-count']).toBe('0');
    expect(recorded?.body).toMatchObject({
      model: DEFAULT_OPENAI_MODEL,
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('reports usage with cached and reasoning tokens', async () => {
    const outcome = await run({
      events: [{ type: 'text', text: 'x' }],
      usage: { inputTokens: 100, outputTokens: 50, cachedInputTokens: 64, reasoningTokens: 32 },
    });
    expect(outcome.chunks.find((chunk) => chunk.type === 'usage')).toEqual({
      type: 'usage',
      usage: { inputTokens: 100, outputTokens: 50, totalTokens: 150, cachedInputTokens: 64, reasoningTokens: 32 },
    });
  });

  it.each([
    ['stop', 'stop'],
    ['length', 'length'],
    ['content_filter', 'content-filter'],
    ['tool_calls', 'tool-calls'],
    ['function_call', 'tool-calls'],
    ['something_new', 'other'],
  ])('ends normally with finish_reason %s as %s, after the text', async (raw, reason) => {
    const outcome = await run({ events: [{ type: 'text', text: 'Partial answer' }], finishReason: raw });
    expect(outcome.completed).toBe(true);
    expect(textOf(outcome.chunks)).toBe('Partial answer');
    expect(outcome.chunks.at(-1)).toMatchObject({ type: 'finish', reason, rawReason: raw });
    expect(typesOf(outcome.chunks).slice(-2)).toEqual(['usage', 'finish']);
  });

  it('streams reasoning_content and Ollama-style reasoning as reasoning chunks', async () => {
    const ollamaDelta = JSON.stringify({
      id: 'chatcmpl-r',
      object: 'chat.completion.chunk',
      model: 'qwen3',
      choices: [{ index: 0, delta: { reasoning: ' then Ollama' }, finish_reason: null }],
    });
    const outcome = await run({
      events: [
        { type: 'reasoning', text: 'Think first' },
        { type: 'raw', data: `data: ${ollamaDelta}\n\n` },
        { type: 'text', text: 'Answer' },
      ],
    });
    expect(outcome.chunks.filter((chunk) => chunk.type !== 'start' && chunk.type !== 'usage')).toEqual([
      { type: 'reasoning', text: 'Think first' },
      { type: 'reasoning', text: ' then Ollama' },
      { type: 'text', text: 'Answer' },
      expect.objectContaining({ type: 'finish', reason: 'stop' }),
    ]);
  });

  it('streams a tool call: id and name first, then argument fragments by index', async () => {
    const fragments = ['{"ci', 'ty":"Pa', 'ris"}'];
    const outcome = await run({
      events: [{ type: 'tool-call', id: 'call_42', name: 'weather', argumentFragments: fragments }],
    });
    const toolChunks = outcome.chunks.filter((chunk) => chunk.type === 'tool-call');
    expect(toolChunks).toEqual([
      { type: 'tool-call', index: 0, id: 'call_42', name: 'weather', argumentsDelta: '' },
      ...fragments.map((fragment) => ({ type: 'tool-call', index: 0, argumentsDelta: fragment })),
    ]);
    const completion = fold(outcome.chunks);
    expect(completion.toolCalls).toEqual([{ index: 0, id: 'call_42', name: 'weather', arguments: '{"city":"Paris"}' }]);
    expect(completion.finishReason).toBe('tool-calls');
  });

  it('keeps multi-byte text whole when the body arrives one byte per write', async () => {
    const pieces = ['héllo ', '日本語', ' 🎉🚀', ' naïve ∑'];
    const outcome = await run({ events: pieces.map((text) => ({ type: 'text', text })), delivery: { split: 1 } });
    expect(outcome.error).toBeUndefined();
    expect(
      outcome.chunks.filter((chunk) => chunk.type === 'text').map((chunk) => (chunk as { text: string }).text),
    ).toEqual(pieces);
  });

  it('keeps a 4-byte character whole when one split falls at each boundary inside it', async () => {
    const text = '🎉';
    const event = `data: ${JSON.stringify({ id: 'c', model: 'm', choices: [{ index: 0, delta: { content: text } }] })}\n\n`;
    const terminal = 'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n';
    const emojiAt = Buffer.byteLength(event.slice(0, event.indexOf(text)));
    for (let inside = 1; inside < Buffer.byteLength(text); inside += 1) {
      const outcome = await run({ replay: event + terminal, delivery: { split: [emojiAt + inside] } });
      expect(outcome.chunks.filter((chunk) => chunk.type === 'text')).toEqual([{ type: 'text', text }]);
      expect(outcome.completed).toBe(true);
    }
  });

  it('reads a body delivered in one write', async () => {
    const outcome = await run({
      events: [
        { type: 'text', text: 'one' },
        { type: 'text', text: ' write' },
      ],
      delivery: { split: 'one-write' },
    });
    expect(textOf(outcome.chunks)).toBe('one write');
    expect(outcome.chunks.filter((chunk) => chunk.type === 'text')).toHaveLength(2);
    expect(outcome.completed).toBe(true);
  });

  it('skips comments and pings between events, with CRLF line endings too', async () => {
    for (const lineEnding of ['lf', 'crlf'] as const) {
      const outcome = await run({
        events: [
          { type: 'comment' },
          { type: 'text', text: 'a' },
          { type: 'comment', text: 'keep-alive' },
          { type: 'text', text: 'b' },
          { type: 'comment' },
        ],
        delivery: { lineEnding },
      });
      expect(outcome.error).toBeUndefined();
      expect(typesOf(outcome.chunks)).toEqual(['start', 'text', 'text', 'usage', 'finish']);
    }
  });

  describe('HTTP errors become LLMErrors, with no retry', () => {
    it.each([
      [401, 'auth', false],
      [403, 'auth', false],
      [404, 'not-found', false],
      [400, 'invalid-request', false],
      [408, 'timeout', true],
      [409, 'invalid-request', false],
      [413, 'invalid-request', false],
      [422, 'invalid-request', false],
      [500, 'overloaded', true],
      [503, 'overloaded', true],
    ])('HTTP %i → %s', async (status, kind, retryable) => {
      const outcome = await run({ httpError: { status } });
      expect(outcome.chunks).toEqual([]);
      expect(outcome.error).toMatchObject({ kind, status, retryable, provider: 'openai' });
      expect(outcome.error?.requestId).toMatch(/^req_mock/);
      expect(outcome.error?.message).toMatch(new RegExp(`^openai returned HTTP ${status}: .+`));
      expect(mock.requests).toHaveLength(1);
    });

    it('429 (and 5xx) carry retryAfterMs from retry-after-ms, or from retry-after in seconds', async () => {
      const first = await run({ httpError: { status: 429, headers: { 'retry-after-ms': '1500' } } });
      expect(first.error).toMatchObject({ kind: 'rate-limit', status: 429, retryable: true, retryAfterMs: 1500 });
      const second = await run({ httpError: { status: 429, headers: { 'retry-after': '3' } } });
      expect(second.error).toMatchObject({ kind: 'rate-limit', retryAfterMs: 3000 });
      const third = await run({ httpError: { status: 503, headers: { 'retry-after': '1' } } });
      expect(third.error).toMatchObject({ kind: 'overloaded', retryAfterMs: 1000 });
      expect(mock.requests).toHaveLength(3);
    });

    it('a 400 with an Azure content_filter code is content-filter', async () => {
      const body = JSON.stringify({
        error: {
          message: "The response was filtered due to the prompt triggering Azure OpenAI's content management policy.",
          type: null,
          param: 'prompt',
          code: 'content_filter',
          status: 400,
        },
      });
      const outcome = await run({ httpError: { status: 400, body } });
      expect(outcome.error).toMatchObject({ kind: 'content-filter', status: 400, retryable: false });
      expect(outcome.error?.message).toContain('content management policy');
    });

    it('keeps a bounded piece of a non-JSON error body, and says so when there is no body', async () => {
      const html = `<html><body>502 Bad Gateway</body></html>${'x'.repeat(1000)}`;
      const proxy = await run({ httpError: { status: 502, body: html } });
      expect(proxy.error).toMatchObject({ kind: 'overloaded', status: 502 });
      expect(proxy.error?.message.startsWith('openai returned HTTP 502: <html><body>502 Bad Gateway')).toBe(true);
      expect(proxy.error?.message.length).toBeLessThan(400);
      const empty = await run({ httpError: { status: 503, body: '' } });
      expect(empty.error?.message).toBe('openai returned HTTP 503: no error message');
    });

    it('never shows the API key, even when the vendor echoes it', async () => {
      const outcome = await run({ httpError: { status: 401, message: `Incorrect API key provided: ${API_KEY}.` } });
      expect(outcome.error?.kind).toBe('auth');
      expect(outcome.error?.message).not.toContain(API_KEY);
      expect(JSON.stringify(outcome.error)).not.toContain(API_KEY);
      expect(String(outcome.error?.stack)).not.toContain(API_KEY);
    });
  });

  it('an error mid-stream arrives after the text already sent', async () => {
    const outcome = await run({
      events: [
        { type: 'text', text: 'Before ' },
        { type: 'text', text: 'the error' },
        { type: 'error', status: 500, message: 'The server had an error' },
      ],
    });
    expect(typesOf(outcome.chunks)).toEqual(['start', 'text', 'text']);
    expect(textOf(outcome.chunks)).toBe('Before the error');
    expect(outcome.error).toMatchObject({ kind: 'overloaded', status: undefined, retryable: true });
    expect(outcome.error?.message).toBe('openai stream error: The server had an error');
    expect(outcome.error?.requestId).toMatch(/^req_mock/);
  });

  it('an in-stream rate-limit error maps to rate-limit', async () => {
    const outcome = await run({ events: [{ type: 'error', status: 429 }] });
    expect(outcome.error).toMatchObject({ kind: 'rate-limit' });
  });

  it('a stream that ends without finish_reason and [DONE] is a truncation error after its text', async () => {
    const outcome = await run({ events: [{ type: 'text', text: 'cut sh' }], omitTerminal: true });
    expect(textOf(outcome.chunks)).toBe('cut sh');
    expect(outcome.chunks.some((chunk) => chunk.type === 'finish')).toBe(false);
    expect(outcome.error).toMatchObject({ kind: 'network', retryable: true, details: { truncated: true } });
    expect(outcome.error?.message).toContain('finish_reason');
  });

  it('a finish_reason without [DONE] is still a truncation error', async () => {
    const finish = JSON.stringify({ id: 'c', model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
    const outcome = await run({
      events: [
        { type: 'text', text: 'almost' },
        { type: 'raw', data: `data: ${finish}\n\n` },
      ],
      omitTerminal: true,
    });
    expect(textOf(outcome.chunks)).toBe('almost');
    expect(outcome.error).toMatchObject({ kind: 'network', details: { truncated: true } });
    expect(outcome.error?.message).toContain('[DONE]');
  });

  it('requireDoneMarker: false accepts a finish_reason without [DONE]', async () => {
    const finish = JSON.stringify({ id: 'c', model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
    mock.enqueue({ events: [{ type: 'raw', data: `data: ${finish}\n\n` }], omitTerminal: true });
    const lenient = createOpenAI({ apiKey: API_KEY, baseURL: mock.baseURLs.openai, requireDoneMarker: false });
    const outcome = await outcomeOf(lenient.stream(request));
    expect(outcome.completed).toBe(true);
    expect(outcome.chunks.at(-1)).toMatchObject({ type: 'finish', reason: 'stop' });
  });

  it('an event that is not JSON is an error after the text before it; SDK debug logs hold no key', async () => {
    const lines: string[] = [];
    const capture = (...parts: unknown[]) => {
      lines.push(parts.map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join(' '));
    };
    const logger = { error: capture, warn: capture, info: capture, debug: capture };
    const client = new OpenAI({ apiKey: API_KEY, baseURL: mock.baseURLs.openai, logger, logLevel: 'debug' });
    mock.enqueue({
      events: [
        { type: 'text', text: 'fine' },
        { type: 'raw', data: 'data: {not json\n\n' },
      ],
    });
    const outcome = await outcomeOf(createOpenAI({ client }).stream(request));
    expect(textOf(outcome.chunks)).toBe('fine');
    expect(outcome.error).toMatchObject({ kind: 'unknown' });
    expect(outcome.error?.message).toBe('openai sent an event that is not valid JSON');
    expect(lines.some((line) => line.includes('authorization'))).toBe(true);
    expect(lines.filter((line) => line.includes(API_KEY))).toEqual([]);
  });

  it('an event that grows past maxEventChars is a network error after the text before it', async () => {
    mock.enqueue({
      // An event that never ends (no line end), and then the server stalls: without the limit this would buffer on.
      events: [
        { type: 'text', text: 'fine' },
        { type: 'raw', data: `data: "${'x'.repeat(2_000)}` },
      ],
      delivery: { stallAfterEvents: 2 },
    });
    const provider = createOpenAI({ apiKey: API_KEY, baseURL: mock.baseURLs.openai, maxEventChars: 1_000 });
    const outcome = await outcomeOf(provider.stream(request));
    expect(textOf(outcome.chunks)).toBe('fine');
    expect(outcome.error).toMatchObject({
      kind: 'network',
      message: 'openai sent an event longer than 1000 characters',
    });
  });

  it('unsubscribing while waiting for headers aborts the request', async () => {
    mock.enqueue({ events: [{ type: 'text', text: 'too late' }], delivery: { headersDelayMs: 5000 } });
    const received: Chunk[] = [];
    const errors: unknown[] = [];
    const subscription = provider()
      .stream(request)
      .subscribe({ next: (chunk) => received.push(chunk), error: (error) => errors.push(error) });
    const [recorded] = await mock.waitForRequests(1);
    const unsubscribedAt = performance.now();
    subscription.unsubscribe();
    const closedInTime = await Promise.race([
      recorded!.closed.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2000)),
    ]);
    expect(closedInTime).toBe(true);
    expect(recorded!.closedEarlyAt! - unsubscribedAt).toBeLessThan(200);
    expect(received).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('a dropped socket is a network error after the text that arrived', async () => {
    const outcome = await run({
      events: [
        { type: 'text', text: 'one ' },
        { type: 'text', text: 'two ' },
        { type: 'text', text: 'three' },
      ],
      delivery: { dropAfterEvents: 2 },
    });
    expect(textOf(outcome.chunks)).toBe('one two ');
    expect(outcome.error).toMatchObject({ kind: 'network', retryable: true });
  });

  it('a refused connection is a network error', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 1));
      });
    });
    const offline = createOpenAI({ apiKey: API_KEY, baseURL: `http://127.0.0.1:${port}/v1` });
    const outcome = await outcomeOf(offline.stream(request));
    expect(outcome.error).toMatchObject({ kind: 'network', retryable: true });
    expect(outcome.error?.message).not.toContain(API_KEY);
  });

  it('unsubscribing mid-stream closes the HTTP connection promptly', async () => {
    mock.enqueue({
      events: [
        { type: 'text', text: 'first' },
        { type: 'text', text: 'never sent' },
      ],
      delivery: { stallAfterEvents: 1 },
    });
    const { received, closeLatencyMs: latency } = await unsubscribeAtFirstText(provider().stream(request), mock);
    expect(latency).toBeDefined();
    console.log(`cancellation: the mock saw the close ${latency!.toFixed(1)} ms after unsubscribe`);
    expect(latency).toBeGreaterThanOrEqual(0);
    expect(latency).toBeLessThan(200);
    expect(textOf(received)).toBe('first');
  });

  it('is cold: nothing before subscribe, one request per subscription', async () => {
    const stream = provider().stream(request);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(mock.requests).toHaveLength(0);
    mock.enqueue({ events: [{ type: 'text', text: 'A' }] }, { events: [{ type: 'text', text: 'B' }] });
    const [first, second] = await Promise.all([outcomeOf(stream), outcomeOf(stream)]);
    expect(mock.requests).toHaveLength(2);
    expect([textOf(first!.chunks), textOf(second!.chunks)].sort()).toEqual(['A', 'B']);
  });

  it('collects into a completion with @rxllm/core', async () => {
    mock.enqueue({ events: [{ type: 'text', text: 'Hello' }], usage: { inputTokens: 1, outputTokens: 1 } });
    const completion = await firstValueFrom(provider().stream(request).pipe(collectCompletion()));
    expect(completion).toMatchObject({ text: 'Hello', finishReason: 'stop', provider: 'openai' });
  });

  describe('request options', () => {
    it('sends the request mapping, defaults and providerOptions.openai', async () => {
      mock.enqueue({ events: [{ type: 'text', text: 'ok' }] });
      const configured = createOpenAI({
        apiKey: API_KEY,
        baseURL: mock.baseURLs.openai,
        model: 'gpt-5-mini',
        defaults: { temperature: 0.3, maxTokens: 200 },
      });
      await outcomeOf(
        configured.stream({
          system: 'Be brief.',
          messages: [{ role: 'user', content: 'Hi' }],
          maxTokens: 50,
          providerOptions: { openai: { reasoning_effort: 'low' } },
        }),
      );
      expect(mock.requests[0]?.body).toMatchObject({
        model: 'gpt-5-mini',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
        ],
        temperature: 0.3,
        // A custom base URL defaults to the field compatible servers read.
        max_tokens: 50,
        reasoning_effort: 'low',
      });
    });

    it('uses max_completion_tokens for api.openai.com, through a custom fetch', async () => {
      mock.enqueue({ events: [{ type: 'text', text: 'ok' }] });
      const seen: string[] = [];
      const redirected = createOpenAI({
        apiKey: API_KEY,
        baseURL: 'https://api.openai.com/v1',
        fetch: (url, init) => {
          seen.push(String(url));
          return fetch(String(url).replace('https://api.openai.com/v1', mock.baseURLs.openai), init);
        },
      });
      const outcome = await outcomeOf(redirected.stream({ ...request, maxTokens: 64 }));
      expect(outcome.completed).toBe(true);
      expect(seen).toEqual(['https://api.openai.com/v1/chat/completions']);
      expect(mock.requests[0]?.body).toMatchObject({ max_completion_tokens: 64 });
      expect(mock.requests[0]?.body).not.toHaveProperty('max_tokens');
    });

    it('passes fetchOptions (an undici dispatcher) to every request, reusing its connection', async () => {
      let connections = 0;
      const dispatcher = new Agent({
        connections: 1,
        connect: (options, callback) => {
          connections += 1;
          return buildConnector({})(options, callback);
        },
      });
      try {
        const pooled = createOpenAI({ apiKey: API_KEY, baseURL: mock.baseURLs.openai, fetchOptions: { dispatcher } });
        mock.enqueue({ events: [{ type: 'text', text: 'one' }] }, { events: [{ type: 'text', text: 'two' }] });
        const first = await outcomeOf(pooled.stream(request));
        const second = await outcomeOf(pooled.stream(request));
        expect([textOf(first.chunks), textOf(second.chunks)]).toEqual(['one', 'two']);
        expect(connections).toBe(1);
      } finally {
        await dispatcher.close();
      }
    });

    it('timeoutMs bounds the wait for response headers', async () => {
      mock.enqueue({ events: [{ type: 'text', text: 'late' }], delivery: { headersDelayMs: 1000 } });
      const impatient = createOpenAI({ apiKey: API_KEY, baseURL: mock.baseURLs.openai, timeoutMs: 50 });
      const outcome = await outcomeOf(impatient.stream(request));
      expect(outcome.error).toMatchObject({ kind: 'timeout', retryable: true });
      expect(mock.requests).toHaveLength(1);
    });

    it('reuses a given SDK client and still turns its retries off', async () => {
      const client = new OpenAI({ apiKey: API_KEY, baseURL: mock.baseURLs.openai, maxRetries: 5 });
      const shared = createOpenAI({ client });
      expect(shared.client).toBe(client);
      mock.enqueue({ httpError: { status: 500 } });
      const outcome = await outcomeOf(shared.stream(request));
      expect(outcome.error?.kind).toBe('overloaded');
      expect(mock.requests).toHaveLength(1);
    });

    it('refuses to start without a key, naming the variable and not a value', () => {
      const saved = process.env.OPENAI_API_KEY;
      delete process.env.OPENAI_API_KEY;
      try {
        expect(() => createOpenAI({ baseURL: mock.baseURLs.openai })).toThrow(/OPENAI_API_KEY/);
      } finally {
        if (saved !== undefined) process.env.OPENAI_API_KEY = saved;
      }
    });
  });

  describe('recorded captures', () => {
    it('text with usage (gpt-4o)', async () => {
      const outcome = await run({ replay: fixture('openai-chat-text-usage.sse') });
      const completion = fold(outcome.chunks);
      expect(outcome.completed).toBe(true);
      expect(completion).toMatchObject({
        text: '{"city":"San Francisco","units":"c"}',
        model: 'gpt-4o-2024-08-06',
        id: 'chatcmpl-9tZXEmwtoDf6vqCqEWSvDP8jx9OXe',
        usage: { inputTokens: 17, outputTokens: 10, totalTokens: 27 },
        finishReason: 'stop',
      });
      expect(outcome.chunks.filter((chunk) => chunk.type === 'text')).toHaveLength(10);
    });

    it('tool call (gpt-3.5-turbo)', async () => {
      const completion = fold((await run({ replay: fixture('openai-chat-tool-call.sse') })).chunks);
      expect(completion.toolCalls).toEqual([
        { index: 0, id: 'call_O17Uplv4lJvD6DVdIvFFeRMw', name: 'test-tool', arguments: '{"value":"Sparkle Day"}' },
      ]);
      expect(completion).toMatchObject({ finishReason: 'tool-calls', usage: { inputTokens: 53, outputTokens: 17 } });
    });

    it('refusal (structured outputs) arrives as marked text and ends normally', async () => {
      const outcome = await run({ replay: fixture('openai-chat-refusal.sse') });
      const refusal = outcome.chunks.filter((chunk) => chunk.type === 'text');
      expect(refusal.every((chunk) => chunk.providerMetadata?.refusal === true)).toBe(true);
      expect(textOf(refusal)).toBe("I'm very sorry, but I can't assist with that request.");
      expect(outcome.chunks.at(-1)).toMatchObject({ type: 'finish', reason: 'stop' });
    });

    it('Azure: blank first event with choices:[], then text, reasoning tokens in usage', async () => {
      const outcome = await run({ replay: fixture('openai-chat-azure-content-filter.sse'), delivery: { split: 7 } });
      expect(outcome.chunks[0]).toEqual({
        type: 'start',
        provider: 'openai',
        model: 'gpt-5-nano-2025-08-07',
        id: 'chatcmpl-CYPS1lijGoK8gd9lYzY3r9Sx50nbt',
      });
      expect(textOf(outcome.chunks)).toBe('Capital of Denmark.');
      expect(fold(outcome.chunks)).toMatchObject({
        usage: { inputTokens: 15, outputTokens: 78, cachedInputTokens: 0, reasoningTokens: 64 },
        finishReason: 'stop',
      });
    });

    it('a capture cut before [DONE] is a truncation error', async () => {
      const bytes = fixture('openai-chat-text-usage.sse').toString('utf8');
      const cut = bytes.slice(0, bytes.indexOf('data: [DONE]'));
      const outcome = await run({ replay: cut });
      expect(outcome.error).toMatchObject({ kind: 'network', details: { truncated: true } });
      expect(textOf(outcome.chunks)).toBe('{"city":"San Francisco","units":"c"}');
    });
  });
});
