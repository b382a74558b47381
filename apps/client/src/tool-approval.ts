import { createInterface } from 'node:readline';
import type { ToolApprovalRequestChunk } from '@rxllm/core';
import { abortedError } from './agent-error.js';
import type { ToolApprovalDecision } from './stream-chat.js';
import { DEFAULT_LINE_WIDTH, formatApprovalQuestion, type ToolLine } from './tool-display.js';

/**
 * Asks the person at the terminal `question` (written as it is, no newline) and resolves to the line they typed;
 * rejects when `signal` aborts (Ctrl-C).
 */
export type AskFunction = (question: string, signal: AbortSignal) => Promise<string>;

/** The reason sent with a denial when nobody can be asked (stdin is not a terminal) and `--yes` was not given. */
export const NO_TERMINAL_REASON = 'no terminal to ask on (use --yes to approve tool calls)';
/** The reason sent with a denial the person typed (anything but `y` or `yes`). */
export const DECLINED_REASON = 'declined at the terminal';

/**
 * True for an answer that approves: `y` or `yes`, in any case, with spaces around; anything else (an empty line
 * included) is a no, as the `[y/N]` of the question says.
 *
 * @example
 * ```ts
 * isYes(' Y '); // true
 * isYes(''); // false
 * ```
 */
export function isYes(answer: string): boolean {
  return /^\s*y(es)?\s*$/i.test(answer);
}

/** How the CLI decides on tool calls; see {@link createApprovalDecider}. */
export interface ApprovalPolicy {
  /** `--yes`: approve every call without asking. */
  yes: boolean;
  /** How to ask the person; undefined when there is no terminal to ask on. */
  ask: AskFunction | undefined;
  /** Writes one status line (the CLI's stderr). */
  status(line: ToolLine): Promise<void>;
  /** Readies the terminal for a question (ends a progress line or a half-written line of text). */
  beforeQuestion?(): Promise<void>;
  /** The width the question is cut to. */
  width?: number;
}

/**
 * The CLI's decisions on `tool-approval-request`s: with `yes`, approve (and say so on a status line); with `ask`,
 * ask `Run <name> <input>? [y/N] ` and approve on `y`/`yes` only; with neither, deny with
 * {@link NO_TERMINAL_REASON} (and say so). Meant as `streamChat`'s `toolApproval.decide`, which asks one request
 * at a time, in order.
 *
 * @example
 * ```ts
 * const decide = createApprovalDecider({ yes: false, ask, status: async (line) => console.error(line.text) });
 * await decide(request, signal); // { approved: true } after the person typed "y"
 * ```
 */
export function createApprovalDecider(
  policy: ApprovalPolicy,
): (request: ToolApprovalRequestChunk, signal: AbortSignal) => Promise<ToolApprovalDecision> {
  return async (request, signal) => {
    if (policy.yes) {
      await policy.status({ kind: 'notice', text: '  ✓ approved (--yes)' });
      return { approved: true };
    }
    if (policy.ask === undefined) {
      await policy.status({ kind: 'notice', text: `  ✗ not asked: ${NO_TERMINAL_REASON}` });
      return { approved: false, reason: NO_TERMINAL_REASON };
    }
    await policy.beforeQuestion?.();
    if (signal.aborted) throw abortedError();
    const answer = await policy.ask(formatApprovalQuestion(request, policy.width ?? DEFAULT_LINE_WIDTH), signal);
    return isYes(answer) ? { approved: true } : { approved: false, reason: DECLINED_REASON };
  };
}

/**
 * An {@link AskFunction} on a terminal: writes the question on `output` and reads one line from `input` (the
 * terminal's own line editing and echo, so Ctrl-C stays the process's SIGINT). End of input (Ctrl-D) answers an
 * empty line, that is no. Each question reads only while it waits, so nothing is read from `input` otherwise.
 *
 * @example
 * ```ts
 * const ask = process.stdin.isTTY ? createTerminalAsk(process.stdin, process.stderr) : undefined;
 * const answer = await ask?.('Run clock {}? [y/N] ', signal);
 * ```
 */
export function createTerminalAsk(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): AskFunction {
  return (question, signal) =>
    new Promise((resolve, reject) => {
      if (signal.aborted) return reject(abortedError());
      const lines = createInterface({ input, terminal: false });
      let settled = false;
      const settle = (finish: () => void) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        lines.close();
        finish();
      };
      const onAbort = () =>
        settle(() => {
          output.write('\n');
          reject(abortedError());
        });
      lines.once('line', (line) => settle(() => resolve(line)));
      lines.once('close', () =>
        settle(() => {
          output.write('\n');
          resolve('');
        }),
      );
      signal.addEventListener('abort', onAbort, { once: true });
      output.write(question);
    });
}
