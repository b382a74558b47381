import { applyChunk, type CompletionRequest, emptyCompletion } from '@rxllm/core';
import { type MockScript, type MockUpstream, mockUpstream, readWireFixture } from '@rxllm/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAI } from './create-openai.js';
import { outcomeOf, textOf, typesOf, unsubscribeAtFirstText } from './test-support.js';

// `createOpenAI({ api: 'responses' })` through the real `openai` SDK against the mock's Responses dialect, whose
// request-shape check answers a body that is not of the Responses API's shape with a 400.

const API_KEY = 'sk-test-MARKER-5b2e8d41aa';
const request: CompletionRequest = { messages: [{ role: 'user', content: 'Hi' }] };

let mock: MockUpstream;
beforeAll(async () => {
  mock = await mockUpstream();
});
afterEach(() => mock.reset());
afterAll(() => mock.close());

const provider = () => createOpenAI({ apiKey: API_KEY, baseURL: mock.baseURLs.openai, api: 'responses' });
async function run(script: MockScript, overrides: Partial<CompletionRequest> = {}) {
  mock.enqueue(script);
  const outcome = await outcomeOf(provider().stream({ ...request, ...overrides }));
  expect(mock.requests.at(-1)?.rejected).toBeUndefined();
  return outcome;
}

describe("createOpenAI({ api: 'responses' }) against the mock upstream", () => {
  it('streams text: start with model and response id, text chunks unmerged, usage, finish stop', async () => {
    const outcome = await run({
      id: 'resp_abc',
      model: 'gpt-5-mini-2025-08-07',
      events: [
        { type: 'text', text: 'Hello' },
        { type: 'text', text: ', wörld' },
      ],
      usage: { inputTokens: 9, outputTokens: 2 },
      delivery: { split: 1 },
    });
    expect(outcome.error).toBeUndefined();
    expect(outcome.chunks).toEqual([
      { type: 'start', provider: 'openai', model: 'gpt-5-mini-2025-08-07', id: 'resp_abc' },
      { type: 'text', text: 'Hello' },
      { type: 'text', text: ', wörld' },
      {
        type: 'usage',
        usage: { inputTokens: 9, outputTokens: 2, totalTokens: 11, cachedInputTokens: 0, reasoningTokens: 0 },
      },
      { type: 'finish', reason: 'stop', rawReason: 'completed' },
    ]);
    expect(outcome.completed).toBe(true);
    expect(mock.requests[0]?.path).toBe('/v1/responses');
  });

  it('streams reasoning summaries as reasoning chunks and reports cached and reasoning tokens', async () => {
    const outcome = await run({
      events: [
        { type: 'reasoning', text: 'Think' },
        { type: 'reasoning', text: 'ing.' },
        { type: 'text', text: 'Blue.' },
      ],
      usage: { inputTokens: 120, outputTokens: 40, cachedInputTokens: 96, reasoningTokens: 32 },
    });
    expect(typesOf(outcome.chunks)).toEqual(['start', 'reasoning', 'reasoning', 'text', 'usage', 'finish']);
    const reasoning = outcome.chunks.flatMap((chunk) => (chunk.type === 'reasoning' ? [chunk.text] : []));
    expect(reasoning).toEqual(['Think', 'ing.']);
    expect(outcome.chunks.find((chunk) => chunk.type === 'usage')).toEqual({
      type: 'usage',
      usage: { inputTokens: 120, outputTokens: 40, totalTokens: 160, cachedInputTokens: 96, reasoningTokens: 32 },
    });
  });

  it('streams parallel function calls: call_id and name first, then argument fragments by index', async () => {
    const outcome = await run({
      events: [
        { type: 'tool-call', id: 'call_a', name: 'weather', argumentFragments: ['{"city":', '"Oslo"}'] },
        { type: 'tool-call', id: 'call_b', name: 'time', argumentFragments: ['{"tz":"CET"}'] },
      ],
    });
    const calls = outcome.chunks.filter((chunk) => chunk.type === 'tool-call');
    expect(calls).toEqual([
      { type: 'tool-call', index: 0, id: 'call_a', name: 'weather', argumentsDelta: '' },
      { type: 'tool-call', index: 0, argumentsDelta: '{"city":' },
      { type: 'tool-call', index: 0, argumentsDelta: '"Oslo"}' },
      { type: 'tool-call', index: 1, id: 'call_b', name: 'time', argumentsDelta: '' },
      { type: 'tool-call', index: 1, argumentsDelta: '{"tz":"CET"}' },
    ]);
    expect(outcome.chunks.at(-1)).toEqual({ type: 'finish', reason: 'tool-calls', rawReason: 'completed' });
  });

  it('response.incomplete (max_output_tokens) is finish length after the text, like Chat Completions length', async () => {
    const outcome = await run({ events: [{ type: 'text', text: 'Once upon' }], finishReason: 'max_output_tokens' });
    expect(outcome.error).toBeUndefined();
    expect(textOf(outcome.chunks)).toBe('Once upon');
    expect(outcome.chunks.at(-1)).toEqual({ type: 'finish', reason: 'length', rawReason: 'max_output_tokens' });
  });

  it('response.incomplete (content_filter) is finish content-filter', async () => {
    const outcome = await run({ events: [{ type: 'text', text: 'Well' }], finishReason: 'content_filter' });
    expect(outcome.chunks.at(-1)).toEqual({ type: 'finish', reason: 'content-filter', rawReason: 'content_filter' });
  });

  it('an error event mid-stream is an LLMError of its code, after the text already sent', async () => {
    const outcome = await run({
      events: [
        { type: 'text', text: 'partial' },
        { type: 'error', status: 429 },
      ],
    });
    expect(textOf(outcome.chunks)).toBe('partial');
    expect(outcome.error).toMatchObject({ kind: 'rate-limit', retryable: true, requestId: 'req_mock000001' });
    expect(outcome.error?.message).toContain('openai stream error: Rate limit');
    expect(outcome.error?.details).toMatchObject({ inStream: true });
  });

  it('a server error event is overloaded', async () => {
    const outcome = await run({ events: [{ type: 'error', status: 500 }] });
    expect(outcome.error).toMatchObject({ kind: 'overloaded' });
  });

  it('the recorded insufficient_quota capture (error, then response.failed) is a rate-limit error', async () => {
    const outcome = await run({ replay: readWireFixture('openai-responses-error'), delivery: { split: 3 } });
    expect(outcome.chunks).toEqual([
      {
        type: 'start',
        provider: 'openai',
        model: 'gpt-5-nano-2025-08-07',
        id: 'resp_05500b38c2cd9bfc00691c7c9d222481a3b595421266dab424',
      },
    ]);
    expect(outcome.error).toMatchObject({
      kind: 'rate-limit',
      details: { inStream: true, type: 'insufficient_quota' },
    });
    expect(outcome.error?.message).toContain('You exceeded your current quota');
  });

  it('response.failed alone is an LLMError of its code', async () => {
    const failed = {
      type: 'response.failed',
      sequence_number: 1,
      response: { id: 'resp_x', status: 'failed', error: { code: 'server_error', message: 'The model crashed' } },
    };
    const outcome = await run({ replay: `event: response.failed\ndata: ${JSON.stringify(failed)}\n\n` });
    expect(outcome.error).toMatchObject({ kind: 'overloaded' });
    expect(outcome.error?.message).toContain('The model crashed');
  });

  it('takes the event name from the event: line when a payload has no type', async () => {
    const created = { response: { id: 'resp_n', model: 'm' } };
    const delta = { delta: 'named' };
    const completed = { response: { status: 'completed' } };
    const replay = [
      `event: response.created\ndata: ${JSON.stringify(created)}\n\n`,
      `event: response.output_text.delta\ndata: ${JSON.stringify(delta)}\n\n`,
      `event: response.completed\ndata: ${JSON.stringify(completed)}\n\n`,
    ].join('');
    const outcome = await run({ replay });
    expect(outcome.chunks).toEqual([
      { type: 'start', provider: 'openai', model: 'm', id: 'resp_n' },
      { type: 'text', text: 'named' },
      { type: 'finish', reason: 'stop', rawReason: 'completed' },
    ]);
  });

  it('replays the recorded gpt-5.1 function call capture into one complete tool call with usage', async () => {
    const outcome = await run({ replay: readWireFixture('openai-responses-tool-call'), delivery: { split: 5 } });
    expect(outcome.error).toBeUndefined();
    const collected = outcome.chunks.reduce(applyChunk, emptyCompletion());
    expect(collected.toolCalls).toEqual([
      { index: 0, id: 'call_2FQdm3Br7Qb35YUBSkDR7kue', name: 'get_weather', arguments: '{"city":"Beijing"}' },
    ]);
    expect(collected.usage).toEqual({
      inputTokens: 45,
      outputTokens: 25,
      totalTokens: 70,
      cachedInputTokens: 0,
      reasoningTokens: 0,
    });
    expect(collected.finishReason).toBe('tool-calls');
  });

  it('a stream cut before response.completed is a truncation error after its text', async () => {
    const outcome = await run({ events: [{ type: 'text', text: 'cut' }], omitTerminal: true });
    expect(textOf(outcome.chunks)).toBe('cut');
    expect(outcome.error).toMatchObject({ kind: 'network', details: { truncated: true } });
    expect(outcome.error?.message).toContain('response.completed');
  });

  it('a dropped socket is a network error after the text that arrived', async () => {
    const outcome = await run({
      events: [
        { type: 'text', text: 'one' },
        { type: 'text', text: 'two' },
      ],
      delivery: { dropAfterEvents: 1 },
    });
    expect(textOf(outcome.chunks)).toBe('one');
    expect(outcome.error).toMatchObject({ kind: 'network' });
  });

  it('an HTTP error is an LLMError by status, with no retry and no key in the message', async () => {
    const outcome = await run({ httpError: { status: 429, headers: { 'retry-after-ms': '20' } } });
    expect(outcome.error).toMatchObject({ kind: 'rate-limit', status: 429, retryAfterMs: 20 });
    expect(outcome.error?.message).not.toContain(API_KEY);
    expect(mock.requests).toHaveLength(1);
  });

  it('unsubscribing mid-stream closes the HTTP connection', async () => {
    mock.enqueue({
      events: [
        { type: 'text', text: 'first' },
        { type: 'text', text: 'never sent' },
      ],
      delivery: { stallAfterEvents: 1 },
    });
    const { received, closeLatencyMs } = await unsubscribeAtFirstText(provider().stream(request), mock);
    expect(closeLatencyMs).toBeGreaterThanOrEqual(0);
    expect(closeLatencyMs).toBeLessThan(200);
    expect(textOf(received)).toBe('first');
  });

  it('sends the request as Responses input items, instructions, tools and text.format, store false', async () => {
    await run(
      {},
      {
        system: 'Be brief.',
        messages: [
          { role: 'user', content: 'Weather in Oslo?' },
          {
            role: 'assistant',
            content: '',
            toolCalls: [{ id: 'call_1', name: 'weather', arguments: '{"city":"Oslo"}' }],
          },
          { role: 'tool', toolCallId: 'call_1', content: 'sunny' },
        ],
        tools: [{ name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
        toolChoice: 'auto',
        maxTokens: 200,
        temperature: 0.2,
        responseFormat: { type: 'json', schema: { type: 'object' }, name: 'answer' },
        providerOptions: { openai: { reasoning: { effort: 'low', summary: 'auto' }, store: true } },
      },
    );
    expect(mock.requests[0]?.body).toEqual({
      model: 'gpt-4.1-mini',
      instructions: 'Be brief.',
      input: [
        { role: 'user', content: 'Weather in Oslo?' },
        { type: 'function_call', call_id: 'call_1', name: 'weather', arguments: '{"city":"Oslo"}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'sunny' },
      ],
      temperature: 0.2,
      max_output_tokens: 200,
      tools: [
        {
          type: 'function',
          name: 'weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
          strict: false,
        },
      ],
      tool_choice: 'auto',
      text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true } },
      reasoning: { effort: 'low', summary: 'auto' },
      stream: true,
      store: false,
    });
  });

  it('refuses stop sequences before any request, naming them', async () => {
    const outcome = await outcomeOf(provider().stream({ ...request, stop: ['END'] }));
    expect(outcome.error).toMatchObject({ kind: 'invalid-request' });
    expect(outcome.error?.message).toContain('stop sequences');
    expect(mock.requests).toHaveLength(0);
  });

  it('leaves Chat Completions the default', async () => {
    const outcome = await outcomeOf(createOpenAI({ apiKey: API_KEY, baseURL: mock.baseURLs.openai }).stream(request));
    expect(textOf(outcome.chunks)).toBe('Hello, world!');
    expect(mock.requests[0]?.path).toBe('/v1/chat/completions');
  });
});
