import OpenAI from 'openai';
import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readWireFixture } from '../fixtures.js';
import type { MockUpstream } from './api.js';
import { mockUpstream } from './mock-upstream.js';
import type { MockScript } from './script.js';
import { thrown } from './test-sdk-clients.js';

let mock: MockUpstream;
let client: OpenAI;

beforeAll(async () => {
  mock = await mockUpstream();
  client = new OpenAI({ apiKey: 'sk-test', baseURL: mock.baseURLs.openai, maxRetries: 0 });
});
beforeEach(() => mock.reset());
afterAll(() => mock.close());

/** Streams one Responses request through the real SDK and gathers its events. */
async function eventsOf(script: MockScript, body: Record<string, unknown> = {}): Promise<ResponseStreamEvent[]> {
  mock.enqueue(script);
  const stream = await client.responses.create({ model: 'gpt-5-mini', input: 'Hi', stream: true, ...body });
  const events: ResponseStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

const deltas = (events: ResponseStreamEvent[], type: ResponseStreamEvent['type']) =>
  events.flatMap((event) => (event.type === type && 'delta' in event ? [String(event.delta)] : [])).join('');

describe('the mock speaks the Responses API to the openai SDK', () => {
  it('streams text in one message item, numbered in order, ending with response.completed and usage', async () => {
    const events = await eventsOf({
      events: [
        { type: 'text', text: 'Hel' },
        { type: 'text', text: 'lo ✓' },
      ],
      usage: { inputTokens: 7, outputTokens: 2, cachedInputTokens: 3, reasoningTokens: 1 },
      delivery: { split: 1 },
    });
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_event, index) => index));
    expect(events[0]?.type).toBe('response.created');
    expect(deltas(events, 'response.output_text.delta')).toBe('Hello ✓');
    const last = events.at(-1);
    expect(last?.type).toBe('response.completed');
    if (last?.type !== 'response.completed') return;
    expect(last.response.output).toMatchObject([
      { type: 'message', content: [{ type: 'output_text', text: 'Hello ✓' }] },
    ]);
    expect(last.response.usage).toMatchObject({
      input_tokens: 7,
      output_tokens: 2,
      total_tokens: 9,
      input_tokens_details: { cached_tokens: 3 },
      output_tokens_details: { reasoning_tokens: 1 },
    });
    expect(mock.requests[0]?.path).toBe('/v1/responses');
    expect(mock.requests[0]?.vendor).toBe('openai');
  });

  it('streams reasoning summaries and two function calls as their own output items', async () => {
    const events = await eventsOf({
      events: [
        { type: 'reasoning', text: 'Two cities' },
        { type: 'tool-call', id: 'call_a', name: 'weather', argumentFragments: ['{"city":', '"Oslo"}'] },
        { type: 'tool-call', id: 'call_b', name: 'weather', argumentFragments: ['{"city":"Rome"}'] },
      ],
    });
    expect(deltas(events, 'response.reasoning_summary_text.delta')).toBe('Two cities');
    const added = events.flatMap((event) => (event.type === 'response.output_item.added' ? [event.item] : []));
    expect(added.map((item) => item.type)).toEqual(['reasoning', 'function_call', 'function_call']);
    const last = events.at(-1);
    if (last?.type !== 'response.completed') throw new Error(`ended with ${last?.type}`);
    const calls = last.response.output.flatMap((item) => (item.type === 'function_call' ? [item] : []));
    expect(calls.map((call) => [call.call_id, call.arguments])).toEqual([
      ['call_a', '{"city":"Oslo"}'],
      ['call_b', '{"city":"Rome"}'],
    ]);
  });

  it('ends with response.incomplete when the finish reason is max_output_tokens', async () => {
    const events = await eventsOf({ events: [{ type: 'text', text: 'Once' }], finishReason: 'max_output_tokens' });
    const last = events.at(-1);
    expect(last?.type).toBe('response.incomplete');
    if (last?.type === 'response.incomplete')
      expect(last.response.incomplete_details?.reason).toBe('max_output_tokens');
  });

  it('sends a scripted error as event: error and response.failed, which the SDK throws', async () => {
    mock.enqueue({
      events: [
        { type: 'text', text: 'Hi' },
        { type: 'error', status: 429 },
      ],
    });
    const error = await thrown(async () => {
      const stream = await client.responses.create({ model: 'gpt-5-mini', input: 'Hi', stream: true });
      for await (const _event of stream) {
        // drain
      }
    });
    expect(String((error as Error).message)).toContain('Rate limit');
  });

  it('answers stream: false with one Response object', async () => {
    mock.enqueue({ events: [{ type: 'text', text: 'Whole' }] });
    const response = await client.responses.create({ model: 'gpt-5-mini', input: 'Hi' });
    expect(response.output_text).toBe('Whole');
    expect(response.status).toBe('completed');
  });

  it('refuses a Chat Completions body on /v1/responses with the 400 the API sends', async () => {
    mock.enqueue({});
    const error = await thrown(() =>
      client.responses.create({
        model: 'gpt-5-mini',
        input: [{ role: 'user', content: [{ type: 'input_image' }] }],
      } as never),
    );
    expect((error as { status?: number }).status).toBe(400);
    expect(mock.requests[0]?.rejected).toContain('input.0');
  });

  it('replays the recorded gpt-5.1 function call capture', async () => {
    const events = await eventsOf({ replay: readWireFixture('openai-responses-tool-call'), delivery: { split: 7 } });
    expect(deltas(events, 'response.function_call_arguments.delta')).toBe('{"city":"Beijing"}');
    expect(events.at(-1)?.type).toBe('response.completed');
  });
});
