import type { AgentEvent } from '@rxllm/protocol';
import { describe, expect, it } from 'vitest';
import {
  applyToolEvent,
  canDecide,
  MAX_TOOL_TEXT_CHARS,
  oneLine,
  parseToolCalls,
  settleToolCalls,
  type ToolTimeline,
  toolInputText,
  toolValueText,
} from './tool-calls.js';

const usage = { inputTokens: 10, outputTokens: 5 };

/** The events of "What is 6 * 7?" with the calculator behind an approval, as the agent streams them. */
const approvalLoop: AgentEvent[] = [
  { type: 'start', provider: 'simulated', model: 'sim' },
  { type: 'step-start', step: 1 },
  { type: 'text', text: 'Let me compute. ' },
  { type: 'tool-call', index: 0, id: 'call_1', name: 'calculator', argumentsDelta: '{"expression":' },
  { type: 'tool-call', index: 0, argumentsDelta: '"6 * 7"}' },
  { type: 'finish', reason: 'tool-calls' },
  {
    type: 'tool-call-ready',
    step: 1,
    index: 0,
    id: 'call_1',
    name: 'calculator',
    input: { expression: '6 * 7' },
    arguments: '{"expression":"6 * 7"}',
  },
  { type: 'tool-approval-request', step: 1, toolCallId: 'call_1', name: 'calculator', input: { expression: '6 * 7' } },
];

function run(events: AgentEvent[], timeline: ToolTimeline = { step: 0, calls: [] }) {
  let text = '';
  const changed: string[] = [];
  for (const event of events) {
    const call = applyToolEvent(timeline, event, text.length);
    if (call) changed.push(`${event.type}:${call.status}`);
    if (event.type === 'text') text += event.text;
  }
  return { timeline, changed, text };
}

describe('applyToolEvent', () => {
  it('follows a call from its streamed arguments through the approval request, at the text where it happened', () => {
    const { timeline, changed } = run(approvalLoop);
    expect(changed).toEqual([
      'tool-call:preparing',
      'tool-call:preparing',
      'tool-call-ready:running',
      'tool-approval-request:awaiting-approval',
    ]);
    expect(timeline.calls).toEqual([
      {
        step: 1,
        index: 0,
        id: 'call_1',
        name: 'calculator',
        arguments: '{"expression":"6 * 7"}',
        at: 'Let me compute. '.length,
        status: 'awaiting-approval',
        approval: { phase: 'asked' },
      },
    ]);
    expect(canDecide(timeline.calls[0]!)).toBe(true);
  });

  it('records the output and duration of a result, and a denial as denied with its reason', () => {
    const approved = run([
      ...approvalLoop,
      { type: 'tool-result', step: 1, toolCallId: 'call_1', name: 'calculator', output: 42, durationMs: 3 },
    ]).timeline.calls[0]!;
    expect(approved).toMatchObject({ status: 'done', output: '42', durationMs: 3 });
    expect(approved.error).toBeUndefined();

    const denied = run([
      ...approvalLoop,
      {
        type: 'tool-result',
        step: 1,
        toolCallId: 'call_1',
        name: 'calculator',
        error: { kind: 'denied', message: 'not now' },
        denied: true,
        durationMs: 0,
      },
    ]).timeline.calls[0]!;
    expect(denied).toMatchObject({ status: 'denied', error: { kind: 'denied', message: 'not now' } });
    expect(canDecide(denied)).toBe(false);
  });

  it('keeps a failure kind and message, and shows partial outputs while the call runs', () => {
    const { timeline } = run([
      { type: 'step-start', step: 1 },
      { type: 'tool-call-ready', step: 1, index: 0, id: 'a', name: 'search', input: {}, arguments: '' },
      { type: 'tool-call-ready', step: 1, index: 1, id: 'b', name: 'nope', input: {}, arguments: '{}' },
      {
        type: 'tool-result',
        step: 1,
        toolCallId: 'a',
        name: 'search',
        output: ['first'],
        partial: true,
        durationMs: 1,
      },
    ]);
    expect(timeline.calls[0]).toMatchObject({ status: 'running', output: '[\n  "first"\n]' });
    applyToolEvent(
      timeline,
      {
        type: 'tool-result',
        step: 1,
        toolCallId: 'b',
        name: 'nope',
        error: { kind: 'unknown-tool', message: 'no tool named nope' },
        durationMs: 0,
      },
      0,
    );
    expect(timeline.calls[1]).toMatchObject({
      status: 'failed',
      error: { kind: 'unknown-tool', message: 'no tool named nope' },
    });
    expect(toolInputText(timeline.calls[0]!.arguments)).toBe('{}');
  });

  it('leaves streamed tool calls alone outside a tool loop (no step-start: the agent runs no tool)', () => {
    const { timeline, changed } = run([
      { type: 'start', provider: 'openai', model: 'gpt' },
      { type: 'tool-call', index: 0, id: 'call_1', name: 'lookup', argumentsDelta: '{"q":"rxjs"}' },
      { type: 'finish', reason: 'tool-calls' },
    ]);
    expect(changed).toEqual([]);
    expect(timeline.calls).toEqual([]);
  });

  it('tells calls of different steps apart although their indexes restart at 0', () => {
    const ready = (step: number, id: string): AgentEvent => ({
      type: 'tool-call-ready',
      step,
      index: 0,
      id,
      name: 'clock',
      input: {},
      arguments: '{}',
    });
    const { timeline } = run([
      { type: 'step-start', step: 1 },
      { type: 'tool-call', index: 0, id: 'one', name: 'clock', argumentsDelta: '{}' },
      ready(1, 'one'),
      { type: 'step-finish', step: 1, reason: 'tool-calls', usage, toolCalls: 1 },
      { type: 'step-start', step: 2 },
      { type: 'tool-call', index: 0, id: 'two', name: 'clock', argumentsDelta: '{}' },
      ready(2, 'two'),
    ]);
    expect(timeline.calls.map((call) => `${call.step}:${call.id}:${call.status}`)).toEqual([
      '1:one:running',
      '2:two:running',
    ]);
  });

  it('keeps at most MAX_TOOL_TEXT_CHARS of an output and remembers its full length', () => {
    const huge = 'x'.repeat(MAX_TOOL_TEXT_CHARS + 10);
    const { timeline } = run([
      { type: 'step-start', step: 1 },
      { type: 'tool-result', step: 1, toolCallId: 'z', name: 'dump', output: huge, durationMs: 9 },
    ]);
    expect(timeline.calls[0]!.output).toHaveLength(MAX_TOOL_TEXT_CHARS);
    expect(timeline.calls[0]!.outputChars).toBe(MAX_TOOL_TEXT_CHARS + 10);
  });
});

describe('settleToolCalls', () => {
  it('marks calls without a result unfinished and takes their buttons away', () => {
    const { timeline } = run(approvalLoop);
    expect(settleToolCalls(timeline).map((call) => call.id)).toEqual(['call_1']);
    expect(timeline.calls[0]).toMatchObject({ status: 'unfinished' });
    expect(timeline.calls[0]!.approval).toBeUndefined();
    expect(canDecide(timeline.calls[0]!)).toBe(false);
    expect(settleToolCalls(timeline)).toEqual([]);
  });
});

describe('parseToolCalls', () => {
  it('keeps well-formed calls, drops broken ones, and offers a waiting decision again', () => {
    const { timeline } = run(approvalLoop);
    timeline.calls[0]!.approval = { phase: 'sending', approved: true };
    const done = { ...timeline.calls[0]!, id: 'call_2', status: 'done', approval: { phase: 'sent', approved: true } };
    const saved = JSON.parse(
      JSON.stringify([timeline.calls[0], done, { name: 'no step' }, null, { ...done, status: 'exploded' }]),
    );
    const parsed = parseToolCalls(saved);
    expect(parsed.map((call) => call.id)).toEqual(['call_1', 'call_2']);
    expect(parsed[0]!.approval).toEqual({ phase: 'asked' });
    expect(parsed[1]!.approval).toEqual({ phase: 'sent', approved: true });
    expect(parseToolCalls('garbage')).toEqual([]);
  });
});

describe('text helpers', () => {
  it('shows values as text and previews them on one line without splitting a character', () => {
    expect(toolValueText('plain <b>text</b>')).toBe('plain <b>text</b>');
    expect(toolValueText({ a: [1] })).toBe('{\n  "a": [\n    1\n  ]\n}');
    expect(toolValueText(undefined)).toBe('');
    expect(toolInputText('not json')).toBe('not json');
    expect(oneLine('{\n  "a": 1\n}')).toBe('{ "a": 1 }');
    expect(oneLine('🎉'.repeat(10), 5)).toBe('🎉🎉🎉🎉…');
  });
});
