import type { ToolCallReadyChunk, ToolResultChunk } from '@rxllm/core';
import type { AgentEvent } from '@rxllm/protocol';
import { describe, expect, it } from 'vitest';
import {
  colorEnabled,
  createToolDisplay,
  formatApprovalQuestion,
  formatDuration,
  formatToolCall,
  formatToolResult,
  lineStyle,
  oneLine,
  styleToolLine,
} from './tool-display.js';

const call = (overrides: Partial<ToolCallReadyChunk> = {}): ToolCallReadyChunk => ({
  type: 'tool-call-ready',
  step: 1,
  index: 0,
  id: 'call_1',
  name: 'calculator',
  input: { expression: '6 * 7' },
  arguments: '{"expression":"6 * 7"}',
  ...overrides,
});

const result = (overrides: Partial<ToolResultChunk> = {}): ToolResultChunk => ({
  type: 'tool-result',
  step: 1,
  toolCallId: 'call_1',
  name: 'calculator',
  durationMs: 3,
  ...overrides,
});

describe('oneLine', () => {
  it('shows strings as they are and anything else as compact JSON', () => {
    expect(oneLine('plain text', 80)).toBe('plain text');
    expect(oneLine({ a: [1, 2], b: 'x' }, 80)).toBe('{"a":[1,2],"b":"x"}');
    expect(oneLine(42, 80)).toBe('42');
    expect(oneLine(null, 80)).toBe('null');
    expect(oneLine(undefined, 80)).toBe('undefined');
  });

  it('keeps to one line and never lets control characters reach the terminal', () => {
    expect(oneLine('one\ntwo\r\nthree\rfour', 80)).toBe('one↵two↵three↵four');
    expect(oneLine('a\tb', 80)).toBe('a b');
    expect(oneLine('red \u001b[31mtext\u0007', 80)).toBe('red \\x1b[31mtext\\x07');
    expect(oneLine('c1 \u009b', 80)).toBe('c1 \\x9b');
  });

  it('cuts a long value to the given code points, ending with …', () => {
    expect(oneLine('abcdefgh', 5)).toBe('abcd…');
    expect(oneLine('abcde', 5)).toBe('abcde');
    // Emoji are one code point each but two UTF-16 units: never cut in half.
    expect(oneLine('🎉🎉🎉🎉', 3)).toBe('🎉🎉…');
  });
});

describe('formatToolCall', () => {
  it('names the tool and its input', () => {
    expect(formatToolCall(call())).toBe('⚙ calculator {"expression":"6 * 7"}');
  });

  it('shows the raw arguments when they were not JSON', () => {
    expect(formatToolCall(call({ input: undefined, arguments: '{"expression": 6 *' }))).toBe(
      '⚙ calculator {"expression": 6 *',
    );
  });

  it('fits a long input into the width on one line', () => {
    const line = formatToolCall(call({ input: { text: 'word '.repeat(100) } }), 60);
    expect(Array.from(line)).toHaveLength(60);
    expect(line.startsWith('⚙ calculator {"text":"word word')).toBe(true);
    expect(line.endsWith('…')).toBe(true);
    expect(line).not.toContain('\n');
  });
});

describe('formatToolResult', () => {
  it('shows an output with its duration', () => {
    expect(formatToolResult(result({ output: 42 }))).toBe('  → 42 (3 ms)');
    expect(formatToolResult(result({ output: { time: '12:00' }, durationMs: 1234 }))).toBe(
      '  → {"time":"12:00"} (1.2 s)',
    );
    expect(formatToolResult(result({ durationMs: 0 }))).toBe('  → (no output) (0 ms)');
  });

  it('shows an error with its kind, and the duration only when the tool ran', () => {
    expect(formatToolResult(result({ error: { kind: 'execution', message: 'division by zero' } }))).toBe(
      '  ✗ execution: division by zero (3 ms)',
    );
    expect(formatToolResult(result({ error: { kind: 'timeout', message: 'ran past 100 ms' }, durationMs: 100 }))).toBe(
      '  ✗ timeout: ran past 100 ms (100 ms)',
    );
    expect(
      formatToolResult(
        result({ error: { kind: 'invalid-arguments', message: 'expression: Required' }, durationMs: 0 }),
      ),
    ).toBe('  ✗ invalid-arguments: expression: Required');
    expect(formatToolResult(result({ error: { kind: 'unknown-tool', message: 'no tool "x"' }, durationMs: 0 }))).toBe(
      '  ✗ unknown-tool: no tool "x"',
    );
  });

  it('shows a denial with its reason only (the agent’s preamble dropped)', () => {
    const denied = (message: string) => result({ denied: true, error: { kind: 'denied', message }, durationMs: 0 });
    expect(formatToolResult(denied('The call of calculator was denied: declined at the terminal'))).toBe(
      '  ✗ denied: declined at the terminal',
    );
    expect(formatToolResult(denied('The call of calculator was denied'))).toBe('  ✗ denied');
    expect(formatToolResult(denied('policy says no'))).toBe('  ✗ denied: policy says no');
  });

  it('labels the result and cuts a long output to the width', () => {
    const line = formatToolResult(result({ output: 'x'.repeat(500) }), 50, 'calculator: ');
    expect(Array.from(line)).toHaveLength(50);
    expect(line.startsWith('  → calculator: xxx')).toBe(true);
    expect(line.endsWith('… (3 ms)')).toBe(true);
  });
});

describe('formatApprovalQuestion', () => {
  it('asks to run the call, default no', () => {
    expect(
      formatApprovalQuestion({
        type: 'tool-approval-request',
        step: 1,
        toolCallId: 'call_1',
        name: 'calculator',
        input: { expression: '6 * 7' },
      }),
    ).toBe('Run calculator {"expression":"6 * 7"}? [y/N] ');
  });

  it('keeps a long or multi-line input on the question’s line', () => {
    const question = formatApprovalQuestion(
      { type: 'tool-approval-request', step: 1, toolCallId: 'c', name: 'shell', input: `rm -rf /\n${'a'.repeat(200)}` },
      60,
    );
    expect(question).not.toContain('\n');
    expect(Array.from(question)).toHaveLength(60);
    expect(question.startsWith('Run shell rm -rf /↵aaa')).toBe(true);
    expect(question.endsWith('…? [y/N] ')).toBe(true);
  });
});

describe('formatDuration', () => {
  it('uses ms below a second and s above', () => {
    expect(formatDuration(0.4)).toBe('0 ms');
    expect(formatDuration(999)).toBe('999 ms');
    expect(formatDuration(1000)).toBe('1.0 s');
    expect(formatDuration(61_234)).toBe('61.2 s');
  });
});

describe('createToolDisplay', () => {
  const texts = (events: AgentEvent[]) => {
    const display = createToolDisplay();
    return events.map((event) => display.line(event)?.text).filter((text) => text !== undefined);
  };

  it('shows each call, then its final result, and nothing for text or partial results', () => {
    expect(
      texts([
        { type: 'step-start', step: 1 },
        { type: 'text', text: 'Let me compute. ' },
        call(),
        { type: 'tool-approval-request', step: 1, toolCallId: 'call_1', name: 'calculator', input: {} },
        result({ output: 40, partial: true }),
        result({ output: 42 }),
        { type: 'step-finish', step: 1, reason: 'tool-calls', toolCalls: 1 },
        { type: 'step-start', step: 2 },
        { type: 'text', text: '42' },
        { type: 'step-finish', step: 2, reason: 'stop', toolCalls: 0, stoppedBy: 'no-tool-calls' },
      ]),
    ).toEqual(['⚙ calculator {"expression":"6 * 7"}', '  → 42 (3 ms)']);
  });

  it('names each result when a step made several calls, and not in the next step', () => {
    expect(
      texts([
        { type: 'step-start', step: 1 },
        call({ id: 'a', name: 'clock', input: {}, arguments: '{}' }),
        call({ id: 'b', index: 1 }),
        result({ toolCallId: 'b', output: 42 }),
        result({ toolCallId: 'a', name: 'clock', output: '12:00', durationMs: 1 }),
        { type: 'step-start', step: 2 },
        call({ id: 'c', step: 2 }),
        result({ toolCallId: 'c', step: 2, output: 1 }),
      ]),
    ).toEqual([
      '⚙ clock {}',
      '⚙ calculator {"expression":"6 * 7"}',
      '  → calculator: 42 (3 ms)',
      '  → clock: 12:00 (1 ms)',
      '⚙ calculator {"expression":"6 * 7"}',
      '  → 1 (3 ms)',
    ]);
  });

  it('says when the loop stopped at its step limit', () => {
    const display = createToolDisplay();
    expect(
      display.line({ type: 'step-finish', step: 5, reason: 'tool-calls', toolCalls: 1, stoppedBy: 'max-steps' }),
    ).toEqual({
      kind: 'notice',
      text: "tool loop stopped after step 5: the agent's step limit (MAX_TOOL_STEPS); the answer may be incomplete",
    });
  });

  it('marks failures so they can be coloured', () => {
    const display = createToolDisplay();
    expect(display.line(result({ output: 1 }))?.kind).toBe('result');
    expect(display.line(result({ error: { kind: 'execution', message: 'x' } }))?.kind).toBe('failure');
  });
});

describe('colours', () => {
  it('are on for a terminal only, off with NO_COLOR or TERM=dumb, forced with FORCE_COLOR', () => {
    expect(colorEnabled({}, true)).toBe(true);
    expect(colorEnabled({}, false)).toBe(false);
    expect(colorEnabled({ NO_COLOR: '1' }, true)).toBe(false);
    expect(colorEnabled({ NO_COLOR: '' }, true)).toBe(true);
    expect(colorEnabled({ TERM: 'dumb' }, true)).toBe(false);
    expect(colorEnabled({ FORCE_COLOR: '1' }, false)).toBe(true);
    expect(colorEnabled({ FORCE_COLOR: '0' }, true)).toBe(false);
  });

  it('dim calls and results, redden failures, and leave text alone when off', () => {
    const on = lineStyle(true);
    expect(styleToolLine({ kind: 'call', text: '⚙ clock {}' }, on)).toBe('\u001b[2m⚙ clock {}\u001b[22m');
    expect(styleToolLine({ kind: 'failure', text: '  ✗ denied' }, on)).toBe('\u001b[31m  ✗ denied\u001b[39m');
    expect(styleToolLine({ kind: 'notice', text: 'stop' }, on)).toBe('\u001b[33mstop\u001b[39m');
    expect(styleToolLine({ kind: 'result', text: '  → 42 (3 ms)' }, lineStyle(false))).toBe('  → 42 (3 ms)');
  });
});
