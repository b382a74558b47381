import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readWireFixture, WIRE_FIXTURES, type WireFixtureName } from '../fixtures.js';
import type { MockUpstream } from './api.js';
import { mockUpstream } from './mock-upstream.js';
import type { MockDelivery } from './script.js';
import {
  anthropicClient,
  genaiClient,
  generativeAiClient,
  openaiClient,
  type SdkClient,
  thrown,
} from './test-sdk-clients.js';

/** The JSON payloads of a capture, read by a plain SSE split independent of any SDK. */
function payloads(name: WireFixtureName): unknown[] {
  return readWireFixture(name)
    .toString('utf8')
    .split(/\r?\n\r?\n/)
    .flatMap((event) => event.split(/\r?\n/).filter((line) => line.startsWith('data:')))
    .map((line) => line.slice('data:'.length).trim())
    .filter((data) => data !== '' && data !== '[DONE]')
    .map((data) => JSON.parse(data) as unknown);
}

/** Reads a nested field of parsed JSON without trusting its shape. */
function at(value: unknown, ...path: Array<string | number>): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

const asText = (value: unknown) => (typeof value === 'string' ? value : '');

function expectedText(name: WireFixtureName): string {
  return payloads(name)
    .map((payload) => {
      if (name.startsWith('openai')) return asText(at(payload, 'choices', 0, 'delta', 'content'));
      if (name.startsWith('anthropic')) {
        return at(payload, 'delta', 'type') === 'text_delta' ? asText(at(payload, 'delta', 'text')) : '';
      }
      const parts = at(payload, 'candidates', 0, 'content', 'parts');
      return (Array.isArray(parts) ? parts : [])
        .map((part) => (at(part, 'thought') ? '' : asText(at(part, 'text'))))
        .join('');
    })
    .join('');
}

/** Every streamed tool-argument fragment of a capture, in order (OpenAI and Anthropic stream them). */
function expectedToolArguments(name: WireFixtureName): string {
  return payloads(name)
    .map((payload) => {
      if (name.startsWith('openai')) {
        return asText(at(payload, 'choices', 0, 'delta', 'tool_calls', 0, 'function', 'arguments'));
      }
      if (name.startsWith('anthropic')) return asText(at(payload, 'delta', 'partial_json'));
      return '';
    })
    .join('');
}

let mock: MockUpstream;
beforeAll(async () => {
  mock = await mockUpstream();
});
beforeEach(() => mock.reset());
afterAll(() => mock.close());

const deliveries: Array<[string, MockDelivery]> = [
  ['one write per event', {}],
  ['one byte per write', { split: 1 }],
  ['one write', { split: 'one-write' }],
];

const clientsFor = (name: WireFixtureName): SdkClient[] => {
  if (name.startsWith('openai-chat')) return [openaiClient];
  if (name.startsWith('anthropic')) return [anthropicClient];
  if (name.startsWith('gemini')) return [generativeAiClient, genaiClient];
  return [];
};

const cleanFixtures = WIRE_FIXTURES.filter(
  (name) => name !== 'anthropic-overloaded-midstream' && !name.includes('responses'),
);

describe.each(cleanFixtures.flatMap((name) => clientsFor(name).map((client) => ({ name, client }))))(
  'replay $name through the $client.name SDK',
  ({ name, client }) => {
    it.each(deliveries)('%s', async (_label, delivery) => {
      mock.enqueue({ replay: readWireFixture(name), delivery });
      const result = await client.stream(mock);
      const expected = expectedText(name);
      const expectedArguments = expectedToolArguments(name);
      // The refusal capture streams `delta.refusal`, never content: it is the one capture with nothing to compare.
      if (name !== 'openai-chat-refusal') expect(expected.length + expectedArguments.length).toBeGreaterThan(0);
      expect(result.text).toBe(expected);
      expect(result.toolCalls.map((call) => call.arguments).join('')).toBe(expectedArguments);
      expect(result.sawTerminal).toBe(true);
    });
  },
);

describe('replayed failures', () => {
  it('anthropic-overloaded-midstream: the SDK throws overloaded_error after "Hello"', async () => {
    const deltas: string[] = [];
    mock.enqueue({ replay: readWireFixture('anthropic-overloaded-midstream'), delivery: { split: 5 } });
    const error = await thrown(() => anthropicClient.stream(mock, { onText: (text) => deltas.push(text) }));
    expect(deltas.join('')).toBe(expectedText('anthropic-overloaded-midstream'));
    expect(String((error as Error).message)).toContain('overloaded_error');
  });

  it('openai-responses-error: the Responses stream throws insufficient_quota', async () => {
    mock.enqueue({ replay: readWireFixture('openai-responses-error'), delivery: { split: 3 } });
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: mock.baseURLs.openai, maxRetries: 0 });
    const error = await thrown(async () => {
      const stream = await client.responses.create({ model: 'gpt-5-nano', input: 'Hi', stream: true });
      for await (const _event of stream) {
        // drain
      }
    });
    expect(String((error as Error).message)).toContain('exceeded your current quota');
    expect(mock.requests[0]?.path).toBe('/v1/responses');
  });

  it('a recorded replay that is dropped halfway makes the SDK throw', async () => {
    mock.enqueue({ replay: readWireFixture('openai-chat-text-usage'), delivery: { dropAfterEvents: 4 } });
    const error = await thrown(() => openaiClient.stream(mock));
    expect(error).toBeInstanceOf(Error);
  });
});
