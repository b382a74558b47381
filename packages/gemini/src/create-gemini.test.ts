import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { type Chunk, type CompletionRequest, collectCompletion, LLMError, type Provider } from '@rxllm/core';
import {
  FINISH_REASON_CASES,
  HTTP_STATUS_CASES,
  ofType,
  type StreamOutcome,
  streamOutcome,
  texts,
} from '@rxllm/gemini-common/testing';
import { type MockScript, type MockUpstream, mockUpstream } from '@rxllm/testing';
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGemini } from './create-gemini.js';

const API_KEY = 'MARKER-GEMINI-KEY-5f1c9a';
const request: CompletionRequest = { messages: [{ role: 'user', content: 'Hi' }] };
const wire = (name: string) => readFileSync(new URL(`../../../../shared/reference/wire/${name}`, import.meta.url));

let mock: MockUpstream;
let provider: Provider;

beforeAll(async () => {
  mock = await mockUpstream();
  provider = createGemini({ apiKey: API_KEY, baseURL: mock.baseURLs.gemini });
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

/** Runs one stream to its end, keeping both the chunks that arrived and the error, if any. */
function run(
  script: MockScript,
  source: Provider = provider,
  body: CompletionRequest = request,
): Promise<StreamOutcome> {
  mock.enqueue(script);
  return streamOutcome(source.stream(body));
}

function expectNoSecret(error: LLMError | undefined) {
  expect(error).toBeDefined();
  expect(error?.message).not.toContain(API_KEY);
  expect(JSON.stringify(error?.toJSON())).not.toContain(API_KEY);
}

describe('createGemini against the mock upstream', () => {
  it('streams plain text in order, unmerged, with start and finish', async () => {
    const { chunks, error } = await run({
      id: 'resp-42',
      events: [
        { type: 'text', text: 'Hello' },
        { type: 'text', text: ', world' },
        { type: 'text', text: '!' },
      ],
    });
    expect(error).toBeUndefined();
    expect(chunks[0]).toEqual({ type: 'start', provider: 'gemini', model: 'gemini-2.5-flash', id: 'resp-42' });
    expect(texts(chunks)).toEqual(['Hello', ', world', '!']);
    expect(chunks.at(-1)).toEqual({ type: 'finish', reason: 'stop', rawReason: 'STOP' });
    const [recorded] = mock.requests;
    expect(recorded?.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect(recorded?.headers['x-goog-api-key']).toBe(API_KEY);
    expect(recorded?.body).toMatchObject({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] });
  });

  it('emits the last cumulative usage once, just before finish', async () => {
    const { chunks } = await run({
      events: [
        { type: 'text', text: 'a' },
        { type: 'text', text: 'b' },
      ],
      usage: { inputTokens: 11, outputTokens: 6, cachedInputTokens: 4, reasoningTokens: 9 },
    });
    const usage = ofType(chunks, 'usage');
    expect(usage).toEqual([
      {
        type: 'usage',
        usage: { inputTokens: 11, outputTokens: 6, totalTokens: 26, cachedInputTokens: 4, reasoningTokens: 9 },
      },
    ]);
    expect(chunks.at(-2)?.type).toBe('usage');
  });

  it.each(FINISH_REASON_CASES)('finish reason %s → %s, after the text', async (rawReason, reason) => {
    const { chunks, error } = await run({ events: [{ type: 'text', text: 'so far' }], finishReason: rawReason });
    expect(error).toBeUndefined();
    expect(texts(chunks)).toEqual(['so far']);
    expect(chunks.at(-1)).toEqual({ type: 'finish', reason, rawReason });
  });

  it('turns a prompt block into a content-filter finish, not an error', async () => {
    const { chunks, error } = await run({ promptBlockReason: 'PROHIBITED_CONTENT' });
    expect(error).toBeUndefined();
    expect(texts(chunks)).toEqual([]);
    expect(chunks.at(-1)).toMatchObject({ type: 'finish', reason: 'content-filter', rawReason: 'PROHIBITED_CONTENT' });
  });

  it('maps thought parts to reasoning chunks and keeps their signatures', async () => {
    const { chunks } = await run({
      events: [
        { type: 'reasoning', text: 'Let me think.', signature: 'sig-123' },
        { type: 'text', text: 'Answer.' },
      ],
    });
    expect(ofType(chunks, 'reasoning')).toEqual([
      { type: 'reasoning', text: 'Let me think.', providerMetadata: { gemini: { thoughtSignature: 'sig-123' } } },
    ]);
    expect(texts(chunks)).toEqual(['Answer.']);
  });

  it('turns a functionCall part into one tool-call chunk and finishes with tool-calls', async () => {
    const { chunks, error } = await run({
      events: [{ type: 'tool-call', id: 'ignored', name: 'weather', argumentFragments: ['{"city":', '"Paris"}'] }],
    });
    expect(error).toBeUndefined();
    const [call] = ofType(chunks, 'tool-call');
    expect(call).toMatchObject({ index: 0, name: 'weather', argumentsDelta: '{"city":"Paris"}' });
    expect(call?.id).toMatch(/^call_/);
    expect(chunks.at(-1)).toEqual({ type: 'finish', reason: 'tool-calls', rawReason: 'STOP' });
  });

  it('sends tools, system and settings in the request body', async () => {
    await run({}, provider, {
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Weather?' }],
      maxTokens: 20,
      tools: [{ name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
    });
    expect(mock.requests[0]?.body).toMatchObject({
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      generationConfig: { maxOutputTokens: 20 },
      tools: [{ functionDeclarations: [{ name: 'weather' }] }],
    });
  });

  it('merges the provider defaults under each request', async () => {
    const withDefaults = createGemini({
      apiKey: API_KEY,
      baseURL: mock.baseURLs.gemini,
      defaults: { model: 'gemini-2.5-pro', temperature: 0.5, maxTokens: 64 },
    });
    await run({}, withDefaults, { ...request, maxTokens: 8 });
    expect(mock.requests[0]?.path).toBe('/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse');
    expect(mock.requests[0]?.body).toMatchObject({ generationConfig: { temperature: 0.5, maxOutputTokens: 8 } });
  });

  const multiByte = 'é秋🎉ü';

  it('keeps multi-byte characters whole when every byte is a separate write', async () => {
    const { chunks, error } = await run({
      events: [{ type: 'text', text: multiByte }],
      delivery: { split: 1, eventDelayMs: 0 },
    });
    expect(error).toBeUndefined();
    expect(texts(chunks)).toEqual([multiByte]);
  });

  it('keeps multi-byte characters whole when the body is cut at any byte inside them', async () => {
    const prefix = Buffer.byteLength('data: {"candidates":[{"content":{"parts":[{"text":"', 'utf8');
    const length = Buffer.byteLength(multiByte, 'utf8');
    for (let offset = prefix; offset <= prefix + length; offset++) {
      const { chunks, error } = await run({
        events: [{ type: 'text', text: multiByte }],
        delivery: { split: [offset], eventDelayMs: 2 },
      });
      expect(error, `cut at byte ${offset}`).toBeUndefined();
      expect(texts(chunks), `cut at byte ${offset}`).toEqual([multiByte]);
    }
  });

  it('delivers raw U+2028 and U+2029 in model output exactly, with every byte a separate write', async () => {
    // Google sends these unescaped; the SDK's event regex cannot cross them, so without the escaping the stream stalls.
    const separators = ['line\u2028separator', '\u2029paragraph\u2028\u2029', 'tail\u2028'];
    const { chunks, error } = await run({
      events: separators.map((text) => ({ type: 'text' as const, text })),
      delivery: { split: 1, eventDelayMs: 0 },
    });
    expect(error).toBeUndefined();
    expect(texts(chunks)).toEqual(separators);
    expect(chunks.at(-1)?.type).toBe('finish');
  });

  it('reads a whole response delivered in one write', async () => {
    const { chunks } = await run({
      events: [
        { type: 'text', text: 'one' },
        { type: 'text', text: 'two' },
      ],
      delivery: { split: 'one-write' },
    });
    expect(texts(chunks)).toEqual(['one', 'two']);
    expect(chunks.at(-1)?.type).toBe('finish');
  });

  it('fails with an LLMError, not a hang or a success, when the stream holds an SSE comment', async () => {
    const { chunks, error } = await run({
      events: [{ type: 'text', text: 'before' }, { type: 'comment' }, { type: 'text', text: 'after' }],
    });
    expect(texts(chunks)).toEqual(['before']);
    expect(LLMError.isInstance(error)).toBe(true);
    expect(error?.kind).toBe('network');
  });

  // 429 has its own tests below, with its retry delay.
  it.each(HTTP_STATUS_CASES.filter(([status]) => status !== 429))(
    'HTTP %i → %s, no chunks, no key in the message',
    async (status, kind) => {
      const { chunks, error } = await run({ httpError: { status, message: `upstream echoed ${API_KEY}` } });
      expect(chunks).toEqual([]);
      expect(error).toMatchObject({ kind, status, provider: 'gemini' });
      expectNoSecret(error);
      expect(mock.requests).toHaveLength(1);
    },
  );

  it('maps a 400 API_KEY_INVALID to auth', async () => {
    const body = JSON.stringify({
      error: {
        code: 400,
        message: 'API key not valid. Please pass a valid API key.',
        status: 'INVALID_ARGUMENT',
        details: [
          { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' },
        ],
      },
    });
    const { error } = await run({ httpError: { status: 400, body } });
    expect(error).toMatchObject({ kind: 'auth', status: 400 });
  });

  it('maps 429 to rate-limit with retryAfterMs from RetryInfo.retryDelay', async () => {
    const body = JSON.stringify({
      error: {
        code: 429,
        message: 'You exceeded your current quota, please check your plan.',
        status: 'RESOURCE_EXHAUSTED',
        details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '34.4s' }],
      },
    });
    const { error } = await run({ httpError: { status: 429, body } });
    expect(error).toMatchObject({ kind: 'rate-limit', status: 429, retryable: true, retryAfterMs: 34400 });
  });

  it('maps 429 to rate-limit with retryAfterMs from the retry-after header, which wins over RetryInfo', async () => {
    const body = JSON.stringify({
      error: {
        code: 429,
        message: 'Quota',
        status: 'RESOURCE_EXHAUSTED',
        details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '34.4s' }],
      },
    });
    const { error } = await run({
      httpError: { status: 429, body, headers: { 'retry-after': '7', 'x-request-id': 'req-9' } },
    });
    expect(error).toMatchObject({ kind: 'rate-limit', status: 429, retryAfterMs: 7000, requestId: 'req-9' });
  });

  it('sends through a custom fetch and leaves globalThis.fetch untouched', async () => {
    const originalFetch = globalThis.fetch;
    const seen: string[] = [];
    const customFetch: typeof fetch = (input, init) => {
      seen.push(String(input));
      const headers = new Headers(init?.headers);
      headers.set('x-through-custom-fetch', 'yes');
      return originalFetch(input, { ...init, headers });
    };
    const custom = createGemini({ apiKey: API_KEY, baseURL: mock.baseURLs.gemini, fetch: customFetch });
    const { chunks, error } = await run({ events: [{ type: 'text', text: 'via custom fetch' }] }, custom);
    expect(error).toBeUndefined();
    expect(texts(chunks)).toEqual(['via custom fetch']);
    expect(seen).toEqual([`${mock.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`]);
    expect(mock.requests[0]?.headers['x-through-custom-fetch']).toBe('yes');
    expect(globalThis.fetch).toBe(originalFetch);
  });

  it('delivers the text, then errors, when Google sends an error inside the stream', async () => {
    const { chunks, error } = await run({
      events: [
        { type: 'text', text: 'partial' },
        { type: 'error', status: 503 },
      ],
    });
    expect(texts(chunks)).toEqual(['partial']);
    expect(error).toMatchObject({ kind: 'overloaded', status: 503, details: { inStream: true } });
    expect(chunks.some((chunk) => chunk.type === 'finish')).toBe(false);
  });

  it('fails, after the text, on a bare (unframed) error JSON inside the stream', async () => {
    const { chunks, error } = await run({
      events: [
        { type: 'text', text: 'partial' },
        { type: 'raw', data: '{"error":{"code":500,"message":"An internal error has occurred.","status":"INTERNAL"}}' },
      ],
      delivery: { eventDelayMs: 5 },
    });
    expect(texts(chunks)).toEqual(['partial']);
    expect(error).toMatchObject({ kind: 'network', details: { truncated: true } });
  });

  it('reports a stream that ends without a finishReason as a truncation error', async () => {
    const { chunks, error } = await run({
      events: [
        { type: 'text', text: 'cut' },
        { type: 'text', text: ' here' },
      ],
      omitTerminal: true,
    });
    expect(texts(chunks)).toEqual(['cut', ' here']);
    expect(error).toMatchObject({ kind: 'network', details: { truncated: true } });
  });

  it('reports a dropped connection as a network error after the text so far', async () => {
    const { chunks, error } = await run({
      events: [
        { type: 'text', text: 'one' },
        { type: 'text', text: 'two' },
      ],
      delivery: { dropAfterEvents: 1 },
    });
    expect(texts(chunks)).toEqual(['one']);
    expect(error).toMatchObject({ kind: 'network' });
  });

  it('closes the HTTP connection promptly when the subscriber unsubscribes mid-stream', async () => {
    mock.enqueue({
      events: [
        { type: 'text', text: 'first' },
        { type: 'text', text: 'never' },
      ],
      delivery: { stallAfterEvents: 1 },
    });
    let unsubscribedAt = 0;
    await new Promise<void>((resolve) => {
      const subscription = provider.stream(request).subscribe((chunk) => {
        if (chunk.type === 'text') {
          unsubscribedAt = performance.now();
          subscription.unsubscribe();
          resolve();
        }
      });
    });
    const [recorded] = await mock.waitForRequests(1);
    await recorded?.closed;
    const latency = (recorded?.closedEarlyAt ?? Number.POSITIVE_INFINITY) - unsubscribedAt;
    console.info(`gemini: mock saw the close ${latency.toFixed(1)} ms after unsubscribe`);
    expect(latency).toBeLessThan(200);
  });

  it('never puts the key in an in-stream error message, even when the upstream echoes it', async () => {
    const { error } = await run({
      events: [
        { type: 'text', text: 'x' },
        { type: 'error', status: 500, message: `bad key ${API_KEY}` },
      ],
    });
    expect(error?.kind).toBe('overloaded');
    expectNoSecret(error);
  });

  it('aborts a request still waiting for its headers when the subscriber unsubscribes', async () => {
    mock.enqueue({ events: [{ type: 'text', text: 'late' }], delivery: { headersDelayMs: 5_000 } });
    const chunks: Chunk[] = [];
    const subscription = provider.stream(request).subscribe((chunk) => chunks.push(chunk));
    const [recorded] = await mock.waitForRequests(1);
    const unsubscribedAt = performance.now();
    subscription.unsubscribe();
    await recorded?.closed;
    const latency = (recorded?.closedEarlyAt ?? Number.POSITIVE_INFINITY) - unsubscribedAt;
    console.info(`before headers: mock saw the close ${latency.toFixed(1)} ms after unsubscribe`);
    expect(latency).toBeLessThan(200);
    expect(chunks).toEqual([]);
  });

  it('reports the SDK timeout as a timeout LLMError', async () => {
    const slow = createGemini({ apiKey: API_KEY, baseURL: mock.baseURLs.gemini, requestOptions: { timeout: 100 } });
    const { chunks, error } = await run(
      { events: [{ type: 'text', text: 'late' }], delivery: { headersDelayMs: 2_000 } },
      slow,
    );
    expect(chunks).toEqual([]);
    expect(error?.kind).toBe('timeout');
  });

  it('reports a refused connection as a network error', async () => {
    const closed = await mockUpstream();
    await closed.close();
    const unreachable = createGemini({ apiKey: API_KEY, baseURL: closed.url });
    const { chunks, error } = await streamOutcome(unreachable.stream(request));
    expect(chunks).toEqual([]);
    expect(error?.kind).toBe('network');
    expectNoSecret(error);
  });

  it('is cold: two subscriptions make two requests', async () => {
    const stream = provider.stream(request);
    mock.enqueue({ events: [{ type: 'text', text: 'A' }] }, { events: [{ type: 'text', text: 'B' }] });
    const first = await firstValueFrom(stream.pipe(collectCompletion()));
    const second = await firstValueFrom(stream.pipe(collectCompletion()));
    expect([first.text, second.text]).toEqual(['A', 'B']);
    expect(mock.requests).toHaveLength(2);
  });

  describe('recorded captures', () => {
    it('gemini-text-utf8-crlf.sse: CJK text over CRLF, finishReason on every chunk, one finish', async () => {
      const { chunks, error } = await run({ replay: wire('gemini-text-utf8-crlf.sse') });
      expect(error).toBeUndefined();
      expect(texts(chunks)).toHaveLength(4);
      expect(texts(chunks).join('')).toMatch(/^秋风瑟瑟，叶落纷纷，\n西风残照，寒霜渐浓。[\s\S]*领悟秋天的哲理。$/);
      expect(ofType(chunks, 'finish')).toEqual([expect.objectContaining({ reason: 'stop', rawReason: 'STOP' })]);
    });

    it('gemini-finish-safety.sse: the text, then a content-filter finish with the ratings', async () => {
      const { chunks, error } = await run({ replay: wire('gemini-finish-safety.sse') });
      expect(error).toBeUndefined();
      expect(texts(chunks)).toEqual(['No']);
      const finish = chunks.at(-1);
      expect(finish).toMatchObject({ type: 'finish', reason: 'content-filter', rawReason: 'SAFETY' });
      expect(JSON.stringify(finish?.providerMetadata)).toContain('"probability":"HIGH"');
    });

    it('gemini-3-text-thoughtsig.sse: model, id, usage with thoughts, the closing signature on finish', async () => {
      const { chunks, error } = await run({ replay: wire('gemini-3-text-thoughtsig.sse') });
      expect(error).toBeUndefined();
      expect(chunks[0]).toEqual({
        type: 'start',
        provider: 'gemini',
        model: 'gemini-3-pro-preview',
        id: 'bH6LaZW8Fp_3nsEPqtaSwQ4',
      });
      expect(texts(chunks)).toEqual(['There are **3**', ' "r"s in strawberry.\n\nst**r**awbe**rr**y']);
      expect(ofType(chunks, 'usage')).toEqual([
        { type: 'usage', usage: { inputTokens: 9, outputTokens: 23, totalTokens: 217, reasoningTokens: 185 } },
      ]);
      const finish = chunks.at(-1);
      expect(finish).toMatchObject({ type: 'finish', reason: 'stop', rawReason: 'STOP' });
      expect(finish?.providerMetadata?.gemini).toMatchObject({ thoughtSignature: expect.stringMatching(/^EqsFCqgF/) });
    });
  });
});
