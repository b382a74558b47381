import type { AgentEvent } from '@rxllm/protocol';
import { uiMessageChunkSchema } from 'ai';
import { describe, expect, it } from 'vitest';
import { approvalSigner } from './approval-signature.js';
import { type UiMessageChunk, UiStreamEncoder, uiChunkEncoder } from './chunk-encoding.js';

const signer = approvalSigner('s'.repeat(32));
const start: AgentEvent = { type: 'start', provider: 'openai', model: 'm' };
const done: AgentEvent = { type: 'done', metrics: { ttftMs: 1, chunks: 1, chars: 1, durationMs: 1 } };

function encodeAll(events: AgentEvent[], replayedStep?: number): UiMessageChunk[] {
  const encoder = new UiStreamEncoder({ messageId: 'msg_1', signer, ...(replayedStep ? { replayedStep } : {}) });
  return events.flatMap((event) => encoder.push(event));
}

async function expectValid(chunks: UiMessageChunk[]) {
  const schema = uiMessageChunkSchema();
  for (const chunk of chunks) expect((await schema.validate?.(chunk))?.success, JSON.stringify(chunk)).toBe(true);
}

describe('UiStreamEncoder', () => {
  it('a generation without tools is one step; reasoning and text are parts with their own ids', async () => {
    const chunks = encodeAll([
      start,
      { type: 'reasoning', text: 'Hm' },
      { type: 'text', text: 'A' },
      { type: 'text', text: 'B' },
      { type: 'usage', usage: { inputTokens: 1 } },
      { type: 'finish', reason: 'length' },
      done,
    ]);
    expect(chunks).toEqual([
      { type: 'start', messageId: 'msg_1' },
      { type: 'start-step' },
      { type: 'reasoning-start', id: 'reasoning-1' },
      { type: 'reasoning-delta', id: 'reasoning-1', delta: 'Hm' },
      { type: 'reasoning-end', id: 'reasoning-1' },
      { type: 'text-start', id: 'text-2' },
      { type: 'text-delta', id: 'text-2', delta: 'A' },
      { type: 'text-delta', id: 'text-2', delta: 'B' },
      { type: 'text-end', id: 'text-2' },
      { type: 'finish-step' },
      { type: 'finish', finishReason: 'length' },
    ]);
    await expectValid(chunks);
  });

  it('a tool step: input streams, then is available; streamed output is preliminary; errors and denials', async () => {
    const chunks = encodeAll([
      start,
      { type: 'step-start', step: 1 },
      { type: 'tool-call', index: 0, id: 'c1', name: 'weather', argumentsDelta: '{"city":' },
      { type: 'tool-call', index: 0, argumentsDelta: '"Paris"}' },
      { type: 'tool-call', index: 1, id: 'c2', name: 'broken', argumentsDelta: '{nope' },
      { type: 'finish', reason: 'tool-calls' },
      {
        type: 'tool-call-ready',
        step: 1,
        index: 0,
        id: 'c1',
        name: 'weather',
        input: { city: 'Paris' },
        arguments: '{"city":"Paris"}',
      },
      { type: 'tool-call-ready', step: 1, index: 1, id: 'c2', name: 'broken', input: undefined, arguments: '{nope' },
      { type: 'tool-result', step: 1, toolCallId: 'c1', name: 'weather', output: 20, partial: true, durationMs: 1 },
      { type: 'tool-result', step: 1, toolCallId: 'c1', name: 'weather', output: 21, durationMs: 2 },
      {
        type: 'tool-result',
        step: 1,
        toolCallId: 'c2',
        name: 'broken',
        error: { kind: 'invalid-arguments', message: 'not JSON' },
        durationMs: 0,
      },
      { type: 'step-finish', step: 1, reason: 'tool-calls', toolCalls: 2 },
      done,
    ]);
    expect(chunks.map((chunk) => chunk.type)).toEqual([
      'start',
      'start-step',
      'tool-input-start',
      'tool-input-delta',
      'tool-input-delta',
      'tool-input-start',
      'tool-input-delta',
      'tool-input-available',
      'tool-input-error',
      'tool-output-available',
      'tool-output-available',
      'tool-output-error',
      'finish-step',
      'finish',
    ]);
    expect(chunks[9]).toEqual({ type: 'tool-output-available', toolCallId: 'c1', output: 20, preliminary: true });
    expect(chunks[10]).toEqual({ type: 'tool-output-available', toolCallId: 'c1', output: 21 });
    expect(chunks.at(-1)).toEqual({ type: 'finish', finishReason: 'tool-calls' });
    await expectValid(chunks);
  });

  it('an approval request carries a signature the signer verifies for that call and input only', async () => {
    const [chunk] = encodeAll([
      { type: 'tool-approval-request', step: 1, toolCallId: 'c1', name: 'transfer', input: { amount: 5 } },
    ]);
    expect(chunk).toMatchObject({ type: 'tool-approval-request', approvalId: 'approval-c1', toolCallId: 'c1' });
    const claim = {
      approvalId: 'approval-c1',
      toolCallId: 'c1',
      toolName: 'transfer',
      signature: String(chunk?.signature),
    };
    expect(signer.verify({ ...claim, input: { amount: 5 } })).toBe(true);
    expect(signer.verify({ ...claim, input: { amount: 500 } })).toBe(false);
    expect(signer.verify({ ...claim, toolName: 'other', input: { amount: 5 } })).toBe(false);
    expect(approvalSigner('t'.repeat(32)).verify({ ...claim, input: { amount: 5 } })).toBe(false);
    await expectValid([chunk as UiMessageChunk]);
  });

  it('a continuation sends of its replayed step only the results, then the next steps as usual', () => {
    const chunks = encodeAll(
      [
        start,
        { type: 'step-start', step: 1 },
        { type: 'tool-call', index: 0, id: 'c1', name: 'clock', argumentsDelta: '{}' },
        { type: 'finish', reason: 'tool-calls' },
        { type: 'tool-call-ready', step: 1, index: 0, id: 'c1', name: 'clock', input: {}, arguments: '{}' },
        { type: 'tool-approval-request', step: 1, toolCallId: 'c1', name: 'clock', input: {} },
        { type: 'tool-result', step: 1, toolCallId: 'c1', name: 'clock', output: 'noon', durationMs: 1 },
        { type: 'step-finish', step: 1, reason: 'tool-calls', toolCalls: 1 },
        { type: 'step-start', step: 2 },
        { type: 'text', text: 'Noon.' },
        { type: 'finish', reason: 'stop' },
        { type: 'step-finish', step: 2, reason: 'stop', toolCalls: 0, stoppedBy: 'no-tool-calls' },
        done,
      ],
      1,
    );
    expect(chunks).toEqual([
      { type: 'start', messageId: 'msg_1' },
      { type: 'tool-output-available', toolCallId: 'c1', output: 'noon' },
      { type: 'start-step' },
      { type: 'text-start', id: 'text-1' },
      { type: 'text-delta', id: 'text-1', delta: 'Noon.' },
      { type: 'text-end', id: 'text-1' },
      { type: 'finish-step' },
      { type: 'finish', finishReason: 'stop' },
    ]);
  });

  it('an error closes the open part and says kind and message; the encoder writes SSE data lines', () => {
    const encode = uiChunkEncoder({ messageId: 'msg_1', signer });
    encode({ id: 1, event: start });
    expect(encode({ id: 2, event: { type: 'text', text: 'Hi' } })).toBe(
      'data: {"type":"start-step"}\n\ndata: {"type":"text-start","id":"text-1"}\n\ndata: {"type":"text-delta","id":"text-1","delta":"Hi"}\n\n',
    );
    expect(encode({ id: 3, event: { type: 'error', error: { kind: 'timeout', message: 'no chunk for 30 s' } } })).toBe(
      'data: {"type":"text-end","id":"text-1"}\n\ndata: {"type":"error","errorText":"timeout: no chunk for 30 s"}\n\n',
    );
  });

  it('a failover is a data-failover part between the text parts of the one answer', async () => {
    const chunks = encodeAll([
      start,
      { type: 'text', text: 'Once upon ' },
      {
        type: 'failover',
        from: { provider: 'openai', model: 'gpt-4.1-mini' },
        to: { provider: 'anthropic', model: 'claude-sonnet-5-5' },
        reason: { kind: 'overloaded', message: 'busy' },
        mode: 'prefill',
      },
      { type: 'text', text: 'a time.' },
      done,
    ]);
    expect(chunks.map((chunk) => chunk.type)).toEqual([
      'start',
      'start-step',
      'text-start',
      'text-delta',
      'text-end',
      'data-failover',
      'text-start',
      'text-delta',
      'text-end',
      'finish-step',
      'finish',
    ]);
    expect(chunks[5]).toMatchObject({ data: { to: { provider: 'anthropic' }, mode: 'prefill' } });
    await expectValid(chunks);
  });
});
