import { PassThrough } from 'node:stream';
import type { ToolApprovalRequestChunk } from '@rxllm/core';
import { LLMError } from '@rxllm/core';
import { describe, expect, it } from 'vitest';
import {
  type AskFunction,
  createApprovalDecider,
  createTerminalAsk,
  DECLINED_REASON,
  isYes,
  NO_TERMINAL_REASON,
} from './tool-approval.js';
import type { ToolLine } from './tool-display.js';

const request: ToolApprovalRequestChunk = {
  type: 'tool-approval-request',
  step: 1,
  toolCallId: 'call_1',
  name: 'calculator',
  input: { expression: '6 * 7' },
};

function decider(options: { yes?: boolean; ask?: AskFunction }) {
  const lines: ToolLine[] = [];
  const order: string[] = [];
  const decide = createApprovalDecider({
    yes: options.yes ?? false,
    ask: options.ask,
    status: async (line) => {
      lines.push(line);
    },
    beforeQuestion: async () => {
      order.push('cleared');
    },
  });
  return { decide, lines, order };
}

describe('isYes', () => {
  it('takes y and yes in any case, and nothing else', () => {
    for (const answer of ['y', 'Y', 'yes', 'YES', ' y ', 'Yes\r']) expect(isYes(answer)).toBe(true);
    for (const answer of ['', 'n', 'no', 'yep', 'y y', 'sure', 'ja']) expect(isYes(answer)).toBe(false);
  });
});

describe('createApprovalDecider', () => {
  it('approves without asking with --yes, and says so', async () => {
    const asked: string[] = [];
    const { decide, lines } = decider({
      yes: true,
      ask: async (question) => {
        asked.push(question);
        return 'n';
      },
    });
    expect(await decide(request, new AbortController().signal)).toEqual({ approved: true });
    expect(asked).toEqual([]);
    expect(lines).toEqual([{ kind: 'notice', text: '  ✓ approved (--yes)' }]);
  });

  it('asks the question and approves on "y"', async () => {
    const asked: string[] = [];
    const { decide, lines, order } = decider({
      ask: async (question) => {
        order.push('asked');
        asked.push(question);
        return 'y';
      },
    });
    expect(await decide(request, new AbortController().signal)).toEqual({ approved: true });
    expect(asked).toEqual(['Run calculator {"expression":"6 * 7"}? [y/N] ']);
    expect(order).toEqual(['cleared', 'asked']);
    expect(lines).toEqual([]);
  });

  it.each(['n', '', 'maybe'])('denies on %j, with a reason for the model', async (answer) => {
    const { decide } = decider({ ask: async () => answer });
    expect(await decide(request, new AbortController().signal)).toEqual({
      approved: false,
      reason: DECLINED_REASON,
    });
  });

  it('denies without a terminal to ask on, and says so', async () => {
    const { decide, lines } = decider({});
    expect(await decide(request, new AbortController().signal)).toEqual({
      approved: false,
      reason: 'no terminal to ask on (use --yes to approve tool calls)',
    });
    expect(NO_TERMINAL_REASON).toBe('no terminal to ask on (use --yes to approve tool calls)');
    expect(lines).toEqual([
      { kind: 'notice', text: '  ✗ not asked: no terminal to ask on (use --yes to approve tool calls)' },
    ]);
  });

  it('passes the signal to the question and lets its rejection through', async () => {
    const controller = new AbortController();
    let asked: () => void = () => {};
    const questionAsked = new Promise<void>((resolve) => {
      asked = resolve;
    });
    const { decide } = decider({
      ask: (_question, signal) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => reject(new Error('stopped')));
          asked();
        }),
    });
    const decision = decide(request, controller.signal);
    await questionAsked;
    controller.abort();
    await expect(decision).rejects.toThrow('stopped');
  });

  it('does not ask once the signal aborted (Ctrl-C while the terminal was being readied)', async () => {
    const controller = new AbortController();
    let asked = false;
    const decide = createApprovalDecider({
      yes: false,
      ask: async () => {
        asked = true;
        return 'y';
      },
      status: async () => {},
      beforeQuestion: async () => controller.abort(),
    });
    await expect(decide(request, controller.signal)).rejects.toMatchObject({ kind: 'aborted' });
    expect(asked).toBe(false);
  });
});

describe('createTerminalAsk', () => {
  function terminal() {
    const input = new PassThrough();
    const output = new PassThrough();
    let written = '';
    output.setEncoding('utf8').on('data', (text: string) => {
      written += text;
    });
    return { input, output, written: () => written };
  }

  it('writes the question and resolves to the line typed', async () => {
    const { input, output, written } = terminal();
    const ask = createTerminalAsk(input, output);
    const answer = ask('Run clock {}? [y/N] ', new AbortController().signal);
    input.write('yes\n');
    expect(await answer).toBe('yes');
    expect(written()).toBe('Run clock {}? [y/N] ');
  });

  it('asks again on the same input, one line per question', async () => {
    const { input, output } = terminal();
    const ask = createTerminalAsk(input, output);
    const first = ask('first? ', new AbortController().signal);
    input.write('y\n');
    expect(await first).toBe('y');
    const second = ask('second? ', new AbortController().signal);
    input.write('n\n');
    expect(await second).toBe('n');
  });

  it('answers an empty line (no) at the end of input', async () => {
    const { input, output, written } = terminal();
    const answer = createTerminalAsk(input, output)('Run clock {}? [y/N] ', new AbortController().signal);
    input.end();
    expect(await answer).toBe('');
    expect(written()).toBe('Run clock {}? [y/N] \n');
  });

  it('rejects as aborted on Ctrl-C (the signal) and ends the question’s line', async () => {
    const { input, output, written } = terminal();
    const controller = new AbortController();
    const answer = createTerminalAsk(input, output)('Run clock {}? [y/N] ', controller.signal);
    controller.abort();
    const error = await answer.catch((caught: unknown) => caught);
    expect(LLMError.isInstance(error) && error.kind).toBe('aborted');
    expect(written()).toBe('Run clock {}? [y/N] \n');
    // A line typed after the abort answers nothing.
    input.write('y\n');
  });

  it('does not ask once the signal has aborted', async () => {
    const { input, output, written } = terminal();
    const controller = new AbortController();
    controller.abort();
    await expect(createTerminalAsk(input, output)('Run? ', controller.signal)).rejects.toMatchObject({
      kind: 'aborted',
    });
    expect(written()).toBe('');
  });
});
