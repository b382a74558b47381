import { describe, expect, it } from 'vitest';
import { createResponsesMapper, type ResponsesStreamEvent, responsesErrorBody } from './responses-mapper.js';

const mapper = () => createResponsesMapper({ provider: 'openai', model: 'gpt-5-mini' });
const pushAll = (events: ResponsesStreamEvent[], target = mapper()) => events.flatMap((event) => target.push(event));

describe('createResponsesMapper', () => {
  it('maps created, text and completed to start, text, usage and finish', () => {
    const chunks = pushAll([
      { type: 'response.created', response: { id: 'resp_1', model: 'gpt-5-mini-2025-08-07' } },
      { type: 'response.in_progress', response: { id: 'resp_1' } },
      { type: 'response.output_item.added', output_index: 0, item: { id: 'msg_1', type: 'message' } },
      { type: 'response.output_text.delta', output_index: 0, delta: 'Hi' },
      { type: 'response.output_text.delta', output_index: 0, delta: '' },
      { type: 'response.output_text.done', output_index: 0 },
      {
        type: 'response.completed',
        response: {
          status: 'completed',
          usage: {
            input_tokens: 5,
            output_tokens: 1,
            total_tokens: 6,
            input_tokens_details: { cached_tokens: 2 },
            output_tokens_details: { reasoning_tokens: 0 },
          },
        },
      },
    ]);
    expect(chunks).toEqual([
      { type: 'start', provider: 'openai', model: 'gpt-5-mini-2025-08-07', id: 'resp_1' },
      { type: 'text', text: 'Hi' },
      {
        type: 'usage',
        usage: { inputTokens: 5, outputTokens: 1, totalTokens: 6, cachedInputTokens: 2, reasoningTokens: 0 },
      },
      { type: 'finish', reason: 'stop', rawReason: 'completed' },
    ]);
  });

  it('emits start from the first content when no response.created came, with the requested model', () => {
    expect(pushAll([{ type: 'response.reasoning_summary_text.delta', delta: 'Hm' }])).toEqual([
      { type: 'start', provider: 'openai', model: 'gpt-5-mini' },
      { type: 'reasoning', text: 'Hm' },
    ]);
  });

  it('keeps summary parts apart with a blank line', () => {
    const chunks = pushAll([
      { type: 'response.reasoning_summary_part.added', summary_index: 0 },
      { type: 'response.reasoning_summary_text.delta', summary_index: 0, delta: '**One**' },
      { type: 'response.reasoning_summary_part.added', summary_index: 1 },
      { type: 'response.reasoning_summary_text.delta', summary_index: 1, delta: '**Two**' },
    ]);
    expect(chunks.flatMap((chunk) => (chunk.type === 'reasoning' ? [chunk.text] : []))).toEqual([
      '**One**',
      '\n\n',
      '**Two**',
    ]);
  });

  it('maps raw reasoning text and refusals', () => {
    const chunks = pushAll([
      { type: 'response.reasoning_text.delta', delta: 'raw' },
      { type: 'response.refusal.delta', delta: 'No.' },
    ]);
    expect(chunks.slice(1)).toEqual([
      { type: 'reasoning', text: 'raw' },
      { type: 'text', text: 'No.', providerMetadata: { refusal: true } },
    ]);
  });

  it('numbers function calls by arrival and routes argument deltas by output index', () => {
    const target = mapper();
    const chunks = pushAll(
      [
        { type: 'response.output_item.added', output_index: 0, item: { type: 'reasoning' } },
        {
          type: 'response.output_item.added',
          output_index: 1,
          item: { type: 'function_call', call_id: 'call_a', name: 'a', arguments: '' },
        },
        {
          type: 'response.output_item.added',
          output_index: 2,
          item: { type: 'function_call', call_id: 'call_b', name: 'b', arguments: '{}' },
        },
        { type: 'response.function_call_arguments.delta', output_index: 1, delta: '{"x":1}' },
        { type: 'response.function_call_arguments.delta', output_index: 9, delta: 'lost' },
        { type: 'response.completed', response: {} },
      ],
      target,
    );
    expect(chunks.slice(1)).toEqual([
      { type: 'tool-call', index: 0, id: 'call_a', name: 'a', argumentsDelta: '' },
      { type: 'tool-call', index: 1, id: 'call_b', name: 'b', argumentsDelta: '{}' },
      { type: 'tool-call', index: 0, argumentsDelta: '{"x":1}' },
      { type: 'finish', reason: 'tool-calls', rawReason: 'completed' },
    ]);
    expect(target.ended).toBe(true);
  });

  it('calls it tool-calls when only the completed output holds a function call', () => {
    const chunks = pushAll([{ type: 'response.completed', response: { output: [{ type: 'function_call' }] } }]);
    expect(chunks.at(-1)).toEqual({ type: 'finish', reason: 'tool-calls', rawReason: 'completed' });
  });

  it.each([
    ['max_output_tokens', 'length'],
    ['content_filter', 'content-filter'],
    ['something_new', 'other'],
  ])('response.incomplete with %s is finish %s', (reason, expected) => {
    const chunks = pushAll([
      { type: 'response.incomplete', response: { status: 'incomplete', incomplete_details: { reason } } },
    ]);
    expect(chunks.at(-1)).toEqual({ type: 'finish', reason: expected, rawReason: reason });
  });

  it('is not ended before a terminal event, and ignores everything after one', () => {
    const target = mapper();
    target.push({ type: 'response.output_text.delta', delta: 'a' });
    expect(target.ended).toBe(false);
    target.push({ type: 'response.completed', response: {} });
    expect(target.push({ type: 'response.output_text.delta', delta: 'late' })).toEqual([]);
    expect(target.push({ type: 'response.completed', response: {} })).toEqual([]);
  });
});

describe('responsesErrorBody', () => {
  it('reads the nested error event api.openai.com sends, the flat one of the SDK types, and response.failed', () => {
    expect(
      responsesErrorBody({
        type: 'error',
        error: { type: 'insufficient_quota', code: 'insufficient_quota', message: 'm' },
      }),
    ).toEqual({
      type: 'insufficient_quota',
      code: 'insufficient_quota',
      message: 'm',
    });
    expect(responsesErrorBody({ type: 'error', code: 'rate_limit_exceeded', message: 'slow' })).toEqual({
      code: 'rate_limit_exceeded',
      message: 'slow',
    });
    expect(
      responsesErrorBody({ type: 'response.failed', response: { error: { code: 'server_error', message: 'x' } } }),
    ).toEqual({ code: 'server_error', message: 'x' });
    expect(responsesErrorBody({ type: 'response.failed', response: {} })).toEqual({ message: 'the response failed' });
    expect(responsesErrorBody({ type: 'response.output_text.delta', delta: 'x' })).toBeUndefined();
  });
});
