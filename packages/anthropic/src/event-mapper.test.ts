import { applyChunk, type Chunk, collectCompletion, LLMError } from '@rxllm/core';
import { from, lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createEventMapper } from './event-mapper.js';
import { captureEvents } from './test-captures.js';

function mapAll(
  events: Array<{ type: string }>,
  requestedModel = 'claude-test',
): { chunks: Chunk[]; complete: boolean } {
  const mapper = createEventMapper({ requestedModel });
  const chunks = events.flatMap((event) => mapper.map(event));
  return { chunks, complete: mapper.complete };
}

/** SDK-side view of a capture: pings and `event: error` never reach the mapper (the SDK drops or throws them). */
function sdkEvents(name: Parameters<typeof captureEvents>[0]) {
  return captureEvents(name)
    .filter(({ event }) => event !== 'ping' && event !== 'error')
    .map(({ data }) => data);
}

const messageStart = (overrides: Record<string, unknown> = {}) => ({
  type: 'message_start',
  message: {
    id: 'msg_1',
    model: 'claude-sonnet-5-5',
    usage: { input_tokens: 10, output_tokens: 1, cache_read_input_tokens: 0 },
    ...overrides,
  },
});
const blockStart = (index: number, content_block: Record<string, unknown>) => ({
  type: 'content_block_start',
  index,
  content_block,
});
const delta = (index: number, value: Record<string, unknown>) => ({ type: 'content_block_delta', index, delta: value });
const blockStop = (index: number) => ({ type: 'content_block_stop', index });
const messageDelta = (stop_reason: string | null, usage: Record<string, unknown> = { output_tokens: 5 }) => ({
  type: 'message_delta',
  delta: { stop_reason, stop_sequence: null },
  usage,
});
const messageStop = { type: 'message_stop' };

describe('createEventMapper on recorded captures', () => {
  it('maps the text capture: start, text deltas unmerged and in order, usage, finish', () => {
    const { chunks, complete } = mapAll(sdkEvents('text'));
    expect(complete).toBe(true);
    expect(chunks[0]).toEqual({
      type: 'start',
      provider: 'anthropic',
      model: 'claude-sonnet-4-5-20250929',
      id: 'msg_01QC4g3HwBThD4BaNtBckFDJ',
    });
    expect(chunks.filter((chunk) => chunk.type === 'text').map((chunk) => (chunk as { text: string }).text)).toEqual([
      'Hello',
      '! I',
      "'m doing well, thank you for asking",
      '. How are you doing today?',
      ' Is',
      ' there anything I can help you with?',
    ]);
    expect(chunks.at(-2)).toEqual({
      type: 'usage',
      usage: { inputTokens: 12, outputTokens: 30, cachedInputTokens: 0 },
      providerMetadata: { anthropic: { cacheCreationInputTokens: 0 } },
    });
    expect(chunks.at(-1)).toEqual({ type: 'finish', reason: 'stop', rawReason: 'end_turn' });
  });

  it('maps the thinking capture to reasoning, then the signature, then text', () => {
    const mapper = createEventMapper({ requestedModel: 'x' });
    const chunks = sdkEvents('thinking').flatMap((event) => mapper.map(event));
    const reasoning = chunks.filter((chunk) => chunk.type === 'reasoning');
    expect(reasoning.map((chunk) => chunk.text).join('')).toBe(
      'The previous result was 925. Now I need to divide that by 5.\n\n925 ÷ 5 = 185',
    );
    expect(reasoning.at(-1)).toEqual({
      type: 'reasoning',
      text: '',
      providerMetadata: { anthropic: { signature: expect.stringMatching(/^EvQBCkYICxgCKkAxhD4N/) } },
    });
    // The empty thinking_delta before the signature carries nothing and is not emitted.
    expect(reasoning.filter((chunk) => chunk.text === '' && !chunk.providerMetadata)).toHaveLength(0);
    const firstText = chunks.findIndex((chunk) => chunk.type === 'text');
    expect(firstText).toBeGreaterThan(chunks.indexOf(reasoning.at(-1)!));
    expect(chunks.filter((chunk) => chunk.type === 'text').map((chunk) => chunk.text)).toEqual([
      '925',
      ' ÷ 5 ',
      '= 185',
    ]);
    expect(chunks.at(-1)).toEqual({ type: 'finish', reason: 'stop', rawReason: 'end_turn' });
    expect(() => mapper.end()).not.toThrow();
  });

  it('reports a capture cut before message_stop as truncated, never as a success', () => {
    const events = sdkEvents('thinking');
    const mapper = createEventMapper({ requestedModel: 'x' });
    for (const event of events.slice(0, -1)) mapper.map(event);
    expect(mapper.complete).toBe(false);
    expect(() => mapper.end()).toThrow(LLMError);
    try {
      mapper.end();
    } catch (error) {
      expect(error).toMatchObject({ kind: 'network', retryable: true, details: { truncated: true } });
    }
  });

  it('maps the tool-use capture: text, then a tool call whose empty arguments become {}', async () => {
    const { chunks } = mapAll(sdkEvents('tool-use'));
    const calls = chunks.filter((chunk) => chunk.type === 'tool-call');
    expect(calls).toEqual([
      {
        type: 'tool-call',
        index: 0,
        id: 'toolu_01QE1WLsSVp5hy5Q3GmGTmjP',
        name: 'updateIssueList',
        argumentsDelta: '',
      },
      { type: 'tool-call', index: 0, argumentsDelta: '{}' },
    ]);
    const completion = await lastValueFrom(from(chunks).pipe(collectCompletion()));
    expect(completion.text).toBe("I'll update the issue list for you.");
    expect(completion.toolCalls).toEqual([
      { index: 0, id: 'toolu_01QE1WLsSVp5hy5Q3GmGTmjP', name: 'updateIssueList', arguments: '{}' },
    ]);
    expect(completion.finishReason).toBe('tool-calls');
    expect(completion.rawFinishReason).toBe('tool_use');
    expect(completion.usage).toEqual({ inputTokens: 565, outputTokens: 48, cachedInputTokens: 0 });
  });
});

describe('createEventMapper', () => {
  it('streams tool-call argument fragments with the call ordinal as index, not the block index', () => {
    const { chunks } = mapAll([
      messageStart(),
      blockStart(0, { type: 'text', text: '' }),
      delta(0, { type: 'text_delta', text: 'Checking.' }),
      blockStop(0),
      blockStart(1, { type: 'tool_use', id: 'toolu_a', name: 'weather', input: {} }),
      delta(1, { type: 'input_json_delta', partial_json: '' }),
      delta(1, { type: 'input_json_delta', partial_json: '{"city":' }),
      delta(1, { type: 'input_json_delta', partial_json: '"Paris"}' }),
      blockStop(1),
      blockStart(2, { type: 'tool_use', id: 'toolu_b', name: 'time', input: {} }),
      delta(2, { type: 'input_json_delta', partial_json: '{"zone":"CET"}' }),
      blockStop(2),
      messageDelta('tool_use'),
      messageStop,
    ]);
    expect(chunks.filter((chunk) => chunk.type === 'tool-call')).toEqual([
      { type: 'tool-call', index: 0, id: 'toolu_a', name: 'weather', argumentsDelta: '' },
      { type: 'tool-call', index: 0, argumentsDelta: '{"city":' },
      { type: 'tool-call', index: 0, argumentsDelta: '"Paris"}' },
      { type: 'tool-call', index: 1, id: 'toolu_b', name: 'time', argumentsDelta: '' },
      { type: 'tool-call', index: 1, argumentsDelta: '{"zone":"CET"}' },
    ]);
    expect(chunks.at(-1)).toEqual({ type: 'finish', reason: 'tool-calls', rawReason: 'tool_use' });
  });

  it('emits text carried by a thinking block start (as a proxy may send it)', () => {
    const { chunks } = mapAll([
      messageStart(),
      blockStart(0, { type: 'thinking', thinking: 'pre', signature: 'sig-start' }),
      blockStop(0),
    ]);
    expect(chunks.slice(1)).toEqual([
      { type: 'reasoning', text: 'pre' },
      { type: 'reasoning', text: '', providerMetadata: { anthropic: { signature: 'sig-start' } } },
    ]);
  });

  it('puts redacted_thinking data in providerMetadata of an empty reasoning chunk', () => {
    const { chunks } = mapAll([
      messageStart(),
      blockStart(0, { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix' }),
      blockStop(0),
      messageDelta('end_turn'),
      messageStop,
    ]);
    expect(chunks[1]).toEqual({
      type: 'reasoning',
      text: '',
      providerMetadata: { anthropic: { redactedThinking: 'EmwKAhgBEgy3va3pzix' } },
    });
  });

  it('merges usage from message_start and message_delta into one usage chunk before finish', () => {
    const { chunks } = mapAll([
      messageStart({ usage: { input_tokens: 43, output_tokens: 1, cache_read_input_tokens: 7 } }),
      messageDelta('end_turn', { input_tokens: 61, output_tokens: 20, cache_creation_input_tokens: 3 }),
      messageStop,
    ]);
    expect(chunks.filter((chunk) => chunk.type === 'usage')).toEqual([
      {
        type: 'usage',
        usage: { inputTokens: 61, outputTokens: 20, cachedInputTokens: 7 },
        providerMetadata: { anthropic: { cacheCreationInputTokens: 3 } },
      },
    ]);
  });

  it('emits the message_start usage at message_stop when no message_delta carried usage', () => {
    const { chunks } = mapAll([messageStart(), messageStop]);
    expect(chunks.map((chunk) => chunk.type)).toEqual(['start', 'usage', 'finish']);
    expect(chunks[2]).toEqual({ type: 'finish', reason: 'other' });
  });

  it('keeps stop_sequence and stop_details in the finish chunk metadata', () => {
    const mapper = createEventMapper({ requestedModel: 'x' });
    mapper.map(messageStart());
    mapper.map({
      type: 'message_delta',
      delta: { stop_reason: 'refusal', stop_sequence: null, stop_details: { type: 'refusal', category: 'cyber' } },
      usage: { output_tokens: 0 },
    } as { type: string });
    expect(mapper.map(messageStop)).toEqual([
      {
        type: 'finish',
        reason: 'content-filter',
        rawReason: 'refusal',
        providerMetadata: { anthropic: { stopDetails: { type: 'refusal', category: 'cyber' } } },
      },
    ]);
    const second = createEventMapper({ requestedModel: 'x' });
    second.map(messageStart());
    second.map({ type: 'message_delta', delta: { stop_reason: 'stop_sequence', stop_sequence: '###' }, usage: {} } as {
      type: string;
    });
    expect(second.map(messageStop).at(-1)).toEqual({
      type: 'finish',
      reason: 'stop',
      rawReason: 'stop_sequence',
      providerMetadata: { anthropic: { stopSequence: '###' } },
    });
  });

  it('ignores pings, unknown events, citations and server tool blocks, and everything after message_stop', () => {
    const { chunks } = mapAll([
      { type: 'ping' },
      messageStart(),
      { type: 'some_future_event' },
      blockStart(0, { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: {} }),
      delta(0, { type: 'input_json_delta', partial_json: '{"query":"x"}' }),
      blockStop(0),
      blockStart(1, { type: 'text', text: '' }),
      delta(1, { type: 'citations_delta', citation: { type: 'web_search_result_location' } }),
      delta(1, { type: 'text_delta', text: 'ok' }),
      blockStop(1),
      messageDelta('end_turn'),
      messageStop,
      delta(1, { type: 'text_delta', text: 'late' }),
    ]);
    expect(chunks.map((chunk) => chunk.type)).toEqual(['start', 'text', 'usage', 'finish']);
  });

  it('tolerates a duplicate message_start mid-stream: one start chunk, restarted block indices, unique tool indices', () => {
    const events = [
      messageStart({ id: 'msg_a' }),
      blockStart(0, { type: 'tool_use', id: 'toolu_1', name: 'first', input: {} }),
      delta(0, { type: 'input_json_delta', partial_json: '{"a":1}' }),
      messageStart({ id: 'msg_b', usage: { input_tokens: 99, output_tokens: 1 } }),
      blockStart(0, { type: 'text', text: '' }),
      delta(0, { type: 'text_delta', text: 'after restart' }),
      blockStop(0),
      blockStart(1, { type: 'tool_use', id: 'toolu_2', name: 'second', input: {} }),
      delta(1, { type: 'input_json_delta', partial_json: '{"b":2}' }),
      blockStop(1),
      messageDelta('tool_use', { output_tokens: 9 }),
      messageStop,
    ];
    const { chunks, complete } = mapAll(events);
    expect(complete).toBe(true);
    expect(chunks.filter((chunk) => chunk.type === 'start')).toEqual([
      { type: 'start', provider: 'anthropic', model: 'claude-sonnet-5-5', id: 'msg_a' },
    ]);
    const completion = chunks.reduce(applyChunk, {
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
    });
    expect(completion.text).toBe('after restart');
    expect(completion.toolCalls).toEqual([
      { index: 0, id: 'toolu_1', name: 'first', arguments: '{"a":1}' },
      { index: 1, id: 'toolu_2', name: 'second', arguments: '{"b":2}' },
    ]);
    expect(completion.usage).toEqual({ inputTokens: 99, outputTokens: 9, cachedInputTokens: 0 });
  });

  it('emits a start chunk with the requested model when content comes before any message_start', () => {
    const { chunks } = mapAll([blockStart(0, { type: 'text', text: 'Hi' }), blockStop(0)], 'claude-requested');
    expect(chunks).toEqual([
      { type: 'start', provider: 'anthropic', model: 'claude-requested' },
      { type: 'text', text: 'Hi' },
    ]);
  });

  it('uses the provider name it is given and reports truncation under it', () => {
    const mapper = createEventMapper({ provider: 'claude-proxy', requestedModel: 'x' });
    expect(mapper.map(messageStart())[0]).toMatchObject({ type: 'start', provider: 'claude-proxy' });
    expect(() => mapper.end()).toThrow(/claude-proxy stream ended without its terminal event \(message_stop\)/);
  });
});

describe('createEventMapper with a jsonToolName (a responseFormat without a schema)', () => {
  const mapJson = (events: Array<{ type: string }>) => {
    const mapper = createEventMapper({ requestedModel: 'claude-test', jsonToolName: 'json_response' });
    return events.flatMap((event) => mapper.map(event));
  };

  it("streams that tool's input deltas as text, unmerged, and finishes as stop", () => {
    const chunks = mapJson([
      messageStart(),
      blockStart(0, { type: 'tool_use', id: 'toolu_j', name: 'json_response', input: {} }),
      delta(0, { type: 'input_json_delta', partial_json: '' }),
      delta(0, { type: 'input_json_delta', partial_json: '{"city":' }),
      delta(0, { type: 'input_json_delta', partial_json: '"Paris"}' }),
      blockStop(0),
      messageDelta('tool_use'),
      messageStop,
    ]);
    expect(chunks.map((chunk) => chunk.type)).toEqual(['start', 'text', 'text', 'usage', 'finish']);
    expect(chunks.filter((chunk) => chunk.type === 'text')).toEqual([
      { type: 'text', text: '{"city":' },
      { type: 'text', text: '"Paris"}' },
    ]);
    expect(chunks.at(-1)).toEqual({ type: 'finish', reason: 'stop', rawReason: 'tool_use' });
  });

  it("sends the block's input as the text when no argument text streamed", () => {
    const chunks = mapJson([
      messageStart(),
      blockStart(0, { type: 'tool_use', id: 'toolu_j', name: 'json_response', input: {} }),
      blockStop(0),
      messageDelta('tool_use'),
      messageStop,
    ]);
    expect(chunks.filter((chunk) => chunk.type === 'text')).toEqual([{ type: 'text', text: '{}' }]);
  });

  it('leaves other tools as tool calls, and a length stop as length', () => {
    const chunks = mapJson([
      messageStart(),
      blockStart(0, { type: 'tool_use', id: 'toolu_w', name: 'weather', input: {} }),
      delta(0, { type: 'input_json_delta', partial_json: '{}' }),
      blockStop(0),
      messageDelta('tool_use'),
      messageStop,
    ]);
    expect(chunks.filter((chunk) => chunk.type === 'tool-call')).toHaveLength(2);
    expect(chunks.at(-1)).toEqual({ type: 'finish', reason: 'tool-calls', rawReason: 'tool_use' });
    const cut = mapJson([
      messageStart(),
      blockStart(0, { type: 'tool_use', id: 'toolu_j', name: 'json_response', input: {} }),
      delta(0, { type: 'input_json_delta', partial_json: '{"ci' }),
      messageDelta('max_tokens'),
      messageStop,
    ]);
    expect(cut.at(-1)).toEqual({ type: 'finish', reason: 'length', rawReason: 'max_tokens' });
  });

  it('without the option, a json_response tool is an ordinary tool call', () => {
    const { chunks } = mapAll([
      messageStart(),
      blockStart(0, { type: 'tool_use', id: 'toolu_j', name: 'json_response', input: {} }),
      delta(0, { type: 'input_json_delta', partial_json: '{}' }),
      blockStop(0),
      messageDelta('tool_use'),
      messageStop,
    ]);
    expect(chunks.some((chunk) => chunk.type === 'text')).toBe(false);
    expect(chunks.at(-1)).toMatchObject({ reason: 'tool-calls' });
  });
});
