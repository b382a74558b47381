import type { AgentEvent } from '@rxllm/protocol';
import { describe, expect, it } from 'vitest';
import { anthropicErrorBody, anthropicErrorType } from './errors.js';
import { encodeMessageEvent, MessageAssembler, messageEventEncoder, stopReason } from './event-encoding.js';

const identity = { id: 'msg_1', model: 'claude-x', toolIdPrefix: 'toolu_1' };
const done: AgentEvent = { type: 'done', metrics: { ttftMs: 1, chunks: 1, chars: 1, durationMs: 1 } };

function run(events: AgentEvent[]) {
  const assembler = new MessageAssembler(identity);
  const stream = events.flatMap((event) => assembler.push(event));
  return { stream, message: assembler.message() };
}

describe('MessageAssembler', () => {
  it('streams thinking (with its signature), text and a tool call as Anthropic blocks, then delta and stop', () => {
    const { stream, message } = run([
      { type: 'start', provider: 'anthropic', model: 'claude-x', id: 'up' },
      { type: 'reasoning', text: 'Hmm.' },
      { type: 'reasoning', text: '', providerMetadata: { anthropic: { signature: 'sig' } } },
      { type: 'text', text: 'Hel' },
      { type: 'text', text: '' },
      { type: 'text', text: 'lo' },
      { type: 'tool-call', index: 0, id: 'call_1', name: 'weather', argumentsDelta: '' },
      { type: 'tool-call', index: 0, argumentsDelta: '{"city":' },
      { type: 'tool-call', index: 0, argumentsDelta: '"Köln"}' },
      { type: 'usage', usage: { inputTokens: 5, outputTokens: 9, reasoningTokens: 2 } },
      { type: 'finish', reason: 'tool-calls', rawReason: 'tool_use' },
      done,
    ]);
    expect(stream).toEqual([
      {
        type: 'message_start',
        message: {
          id: 'msg_1',
          type: 'message',
          role: 'assistant',
          model: 'claude-x',
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: {
            input_tokens: 0,
            cache_creation_input_tokens: null,
            cache_read_input_tokens: null,
            output_tokens: 0,
          },
        },
      },
      { type: 'ping' },
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Hmm.' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'sig' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Hel' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'lo' } },
      { type: 'content_block_stop', index: 1 },
      {
        type: 'content_block_start',
        index: 2,
        content_block: { type: 'tool_use', id: 'call_1', name: 'weather', input: {} },
      },
      { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"city":' } },
      { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '"Köln"}' } },
      { type: 'content_block_stop', index: 2 },
      {
        type: 'message_delta',
        delta: { stop_reason: 'tool_use', stop_sequence: null },
        usage: {
          input_tokens: 5,
          cache_creation_input_tokens: null,
          cache_read_input_tokens: null,
          output_tokens: 9,
          output_tokens_details: { thinking_tokens: 2 },
        },
      },
      { type: 'message_stop' },
    ]);
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'Hmm.', signature: 'sig' },
      { type: 'text', text: 'Hello' },
      { type: 'tool_use', id: 'call_1', name: 'weather', input: { city: 'Köln' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
  });

  it('gives a call without an upstream id a toolu_ id, and a call without arguments the input {}', () => {
    const { message } = run([
      { type: 'start', provider: 'gemini', model: 'g' },
      { type: 'tool-call', index: 0, name: 'clock', argumentsDelta: '' },
      { type: 'finish', reason: 'tool-calls' },
      done,
    ]);
    expect(message.content).toEqual([{ type: 'tool_use', id: 'toolu_1_0', name: 'clock', input: {} }]);
  });

  it('passes a stop sequence on, and ends an errored stream with an error event and no message_stop', () => {
    const stopped = run([
      { type: 'text', text: 'a' },
      {
        type: 'finish',
        reason: 'stop',
        rawReason: 'stop_sequence',
        providerMetadata: { anthropic: { stopSequence: 'END' } },
      },
      done,
    ]);
    expect(stopped.stream.at(-2)).toMatchObject({ delta: { stop_reason: 'stop_sequence', stop_sequence: 'END' } });
    const failed = run([
      { type: 'text', text: 'a' },
      { type: 'error', error: { kind: 'overloaded', message: 'busy' } },
    ]);
    expect(failed.stream.map((event) => event.type)).toEqual([
      'message_start',
      'ping',
      'content_block_start',
      'content_block_delta',
      'error',
    ]);
    expect(failed.stream.at(-1)).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'busy' } });
  });

  it('encodes each event as event: <type> and its JSON on one data: line', () => {
    const encode = messageEventEncoder(identity);
    expect(encode({ id: 1, event: { type: 'start', provider: 'p', model: 'm' } })).toMatch(
      /^event: message_start\ndata: \{"type":"message_start",.*\}\n\nevent: ping\ndata: \{"type":"ping"\}\n\n$/,
    );
    expect(encodeMessageEvent({ type: 'message_stop' })).toBe('event: message_stop\ndata: {"type":"message_stop"}\n\n');
  });
});

describe('stop reasons and error types', () => {
  it.each([
    ['stop', undefined, 'end_turn'],
    ['stop', 'STOP', 'end_turn'],
    ['length', 'MAX_TOKENS', 'max_tokens'],
    ['tool-calls', 'tool_calls', 'tool_use'],
    ['content-filter', 'SAFETY', 'refusal'],
    ['other', 'pause_turn', 'pause_turn'],
  ] as const)('%s (%s) → %s', (reason, raw, expected) => {
    expect(stopReason(reason, raw)).toBe(expected);
  });

  it.each([
    [{ kind: 'invalid-request', message: 'x', status: 400 }, 'invalid_request_error'],
    [{ kind: 'invalid-request', message: 'x', status: 413 }, 'request_too_large'],
    [{ kind: 'auth', message: 'x', status: 401 }, 'authentication_error'],
    [{ kind: 'auth', message: 'x', status: 502 }, 'api_error'],
    [{ kind: 'forbidden', message: 'x', status: 403 }, 'permission_error'],
    [{ kind: 'rate-limit', message: 'x' }, 'rate_limit_error'],
    [{ kind: 'overloaded', message: 'x' }, 'overloaded_error'],
    [{ kind: 'timeout', message: 'x' }, 'timeout_error'],
    [{ kind: 'network', message: 'x' }, 'api_error'],
  ])('%j → %s', (error, type) => {
    expect(anthropicErrorType(error)).toBe(type);
    expect(anthropicErrorBody(error)).toEqual({ type: 'error', error: { type, message: 'x' } });
  });
});
