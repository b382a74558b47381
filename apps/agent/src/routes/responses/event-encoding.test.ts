import type { AgentEvent } from '@rxllm/protocol';
import { describe, expect, it } from 'vitest';
import { ResponseAssembler, type ResponseIdentity, responseEventEncoder, responseUsage } from './event-encoding.js';

const identity: ResponseIdentity = {
  id: 'resp_1',
  createdAt: 1_700_000_000,
  model: 'gpt-x',
  reasoningEffort: null,
  echo: {
    instructions: null,
    maxOutputTokens: null,
    temperature: null,
    topP: null,
    parallelToolCalls: true,
    toolChoice: 'auto',
    tools: [],
    textFormat: { type: 'text' },
    metadata: {},
    user: null,
  },
};
const done: AgentEvent = { type: 'done', metrics: { ttftMs: 1, chunks: 1, chars: 1, durationMs: 1 } };

function run(events: AgentEvent[]) {
  const assembler = new ResponseAssembler(identity);
  const stream = events.flatMap((event) => assembler.push(event));
  return { stream, response: assembler.response() };
}

/** `type` plus the fields that place an event (item, indexes, delta). */
function brief(event: Record<string, unknown>) {
  const { response: _response, sequence_number: _sequence, ...rest } = event;
  return rest;
}

describe('ResponseAssembler', () => {
  it('streams a reasoning summary, text and a tool call as Responses items, numbered from 0', () => {
    const { stream, response } = run([
      { type: 'start', provider: 'openai', model: 'gpt-x', id: 'up' },
      { type: 'reasoning', text: 'Hmm.' },
      { type: 'reasoning', text: '' },
      { type: 'text', text: 'Hel' },
      { type: 'text', text: '' },
      { type: 'text', text: 'lo' },
      { type: 'tool-call', index: 0, id: 'call_1', name: 'weather', argumentsDelta: '' },
      { type: 'tool-call', index: 0, argumentsDelta: '{"city":' },
      { type: 'tool-call', index: 0, argumentsDelta: '"Köln"}' },
      { type: 'usage', usage: { inputTokens: 5, outputTokens: 9, reasoningTokens: 2 } },
      { type: 'finish', reason: 'tool-calls', rawReason: 'tool_calls' },
      done,
    ]);
    expect(stream.map((event) => event.sequence_number)).toEqual(stream.map((_, index) => index));
    const message = { id: 'msg_11', type: 'message', role: 'assistant' };
    const text = { type: 'output_text', annotations: [], logprobs: [] };
    const call = { id: 'fc_12', type: 'function_call', call_id: 'call_1', name: 'weather' };
    expect(stream.map(brief)).toEqual([
      { type: 'response.created' },
      { type: 'response.in_progress' },
      { type: 'response.output_item.added', output_index: 0, item: { id: 'rs_10', type: 'reasoning', summary: [] } },
      {
        type: 'response.reasoning_summary_part.added',
        item_id: 'rs_10',
        output_index: 0,
        summary_index: 0,
        part: { type: 'summary_text', text: '' },
      },
      {
        type: 'response.reasoning_summary_text.delta',
        item_id: 'rs_10',
        output_index: 0,
        summary_index: 0,
        delta: 'Hmm.',
      },
      {
        type: 'response.reasoning_summary_text.done',
        item_id: 'rs_10',
        output_index: 0,
        summary_index: 0,
        text: 'Hmm.',
      },
      {
        type: 'response.reasoning_summary_part.done',
        item_id: 'rs_10',
        output_index: 0,
        summary_index: 0,
        part: { type: 'summary_text', text: 'Hmm.' },
      },
      {
        type: 'response.output_item.done',
        output_index: 0,
        item: { id: 'rs_10', type: 'reasoning', summary: [{ type: 'summary_text', text: 'Hmm.' }] },
      },
      { type: 'response.output_item.added', output_index: 1, item: { ...message, status: 'in_progress', content: [] } },
      {
        type: 'response.content_part.added',
        item_id: 'msg_11',
        output_index: 1,
        content_index: 0,
        part: { ...text, text: '' },
      },
      {
        type: 'response.output_text.delta',
        item_id: 'msg_11',
        output_index: 1,
        content_index: 0,
        delta: 'Hel',
        logprobs: [],
      },
      {
        type: 'response.output_text.delta',
        item_id: 'msg_11',
        output_index: 1,
        content_index: 0,
        delta: 'lo',
        logprobs: [],
      },
      {
        type: 'response.output_text.done',
        item_id: 'msg_11',
        output_index: 1,
        content_index: 0,
        text: 'Hello',
        logprobs: [],
      },
      {
        type: 'response.content_part.done',
        item_id: 'msg_11',
        output_index: 1,
        content_index: 0,
        part: { ...text, text: 'Hello' },
      },
      {
        type: 'response.output_item.done',
        output_index: 1,
        item: { ...message, status: 'completed', content: [{ ...text, text: 'Hello' }] },
      },
      {
        type: 'response.output_item.added',
        output_index: 2,
        item: { ...call, status: 'in_progress', arguments: '' },
      },
      { type: 'response.function_call_arguments.delta', item_id: 'fc_12', output_index: 2, delta: '{"city":' },
      { type: 'response.function_call_arguments.delta', item_id: 'fc_12', output_index: 2, delta: '"Köln"}' },
      {
        type: 'response.function_call_arguments.done',
        item_id: 'fc_12',
        output_index: 2,
        name: 'weather',
        arguments: '{"city":"Köln"}',
      },
      {
        type: 'response.output_item.done',
        output_index: 2,
        item: { ...call, status: 'completed', arguments: '{"city":"Köln"}' },
      },
      { type: 'response.completed' },
    ]);
    expect(stream[0]).toMatchObject({ response: { status: 'in_progress', output: [], usage: null } });
    expect(stream.at(-1)).toMatchObject({ response: { status: 'completed', completed_at: expect.any(Number) } });
    expect(response).toMatchObject({
      id: 'resp_1',
      object: 'response',
      status: 'completed',
      model: 'gpt-x',
      store: false,
      incomplete_details: null,
      error: null,
      usage: {
        input_tokens: 5,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: 9,
        output_tokens_details: { reasoning_tokens: 2 },
        total_tokens: 14,
      },
    });
    expect(response.output.map((item) => item.type)).toEqual(['reasoning', 'message', 'function_call']);
  });

  it('ends a length stop with response.incomplete, the open message item incomplete', () => {
    const { stream, response } = run([
      { type: 'text', text: 'cut' },
      { type: 'finish', reason: 'length', rawReason: 'length' },
      done,
    ]);
    expect(stream.at(-2)).toMatchObject({ type: 'response.output_item.done', item: { status: 'incomplete' } });
    expect(stream.at(-1)).toMatchObject({
      type: 'response.incomplete',
      response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } },
    });
    expect(response.status).toBe('incomplete');
    expect(run([{ type: 'finish', reason: 'content-filter' }, done]).response.incomplete_details).toEqual({
      reason: 'content_filter',
    });
  });

  it('fails after the first byte as OpenAI records it: an error event (nested error) then response.failed', () => {
    const { stream, response } = run([
      { type: 'text', text: 'part' },
      { type: 'error', error: { kind: 'rate-limit', message: 'slow down' } },
    ]);
    expect(stream.slice(-2)).toEqual([
      {
        type: 'error',
        sequence_number: 5,
        code: 'rate-limit',
        message: 'slow down',
        param: null,
        error: {
          message: 'slow down',
          type: 'rate_limit_exceeded',
          param: null,
          code: 'rate-limit',
          kind: 'rate-limit',
        },
      },
      expect.objectContaining({ type: 'response.failed', sequence_number: 6 }),
    ]);
    expect(response).toMatchObject({ status: 'failed', error: { code: 'rate_limit_exceeded', message: 'slow down' } });
    // A failure before anything else still opens the response first, as the recorded capture does.
    expect(
      run([{ type: 'error', error: { kind: 'unknown', message: 'boom' } }]).stream.map((event) => event.type),
    ).toEqual(['response.created', 'response.in_progress', 'error', 'response.failed']);
  });

  it('keeps parallel calls apart by index and invents a call id where the upstream has none', () => {
    const { response } = run([
      { type: 'tool-call', index: 0, name: 'a', argumentsDelta: '{}' },
      { type: 'tool-call', index: 1, name: 'b', argumentsDelta: '{"x":' },
      { type: 'tool-call', index: 1, argumentsDelta: '1}' },
      done,
    ]);
    expect(response.output).toMatchObject([
      { type: 'function_call', call_id: 'call_10', name: 'a', arguments: '{}' },
      { type: 'function_call', call_id: 'call_11', name: 'b', arguments: '{"x":1}' },
    ]);
  });
});

describe('responseEventEncoder', () => {
  it('writes each event as event: <type> and one data: line', () => {
    const encode = responseEventEncoder(identity);
    const text = encode({ id: 1, event: { type: 'text', text: 'Hi' } });
    const frames = text.split('\n\n').filter(Boolean);
    expect(frames.map((frame) => frame.split('\n')[0])).toEqual([
      'event: response.created',
      'event: response.in_progress',
      'event: response.output_item.added',
      'event: response.content_part.added',
      'event: response.output_text.delta',
    ]);
    expect(JSON.parse((frames[4] as string).split('\n')[1]?.slice('data: '.length) ?? '')).toMatchObject({
      type: 'response.output_text.delta',
      sequence_number: 4,
      delta: 'Hi',
    });
  });
});

describe('responseUsage', () => {
  it('passes the counts on and sums the total when the vendor gave none', () => {
    expect(responseUsage({ inputTokens: 3, outputTokens: 4, cachedInputTokens: 1 })).toEqual({
      input_tokens: 3,
      input_tokens_details: { cached_tokens: 1 },
      output_tokens: 4,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 7,
    });
  });
});
