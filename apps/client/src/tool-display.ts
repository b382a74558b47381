import type { ToolApprovalRequestChunk, ToolCallReadyChunk, ToolResultChunk } from '@rxllm/core';
import type { AgentEvent } from '@rxllm/protocol';

/** Width of a status line when the terminal's is unknown (stderr redirected to a file or a pipe). */
export const DEFAULT_LINE_WIDTH = 160;
/** Below this, a line is not squeezed further: a narrow terminal wraps rather than show nothing. */
const minimumPayloadChars = 16;

/** Colours for the status lines on stderr; every function returns its text unchanged when colour is off. */
export interface LineStyle {
  dim(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
}

const plain = (text: string) => text;
const ansi = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;

/**
 * The colours of the status lines: ANSI dim, red and yellow when `enabled`, else the text as it is.
 *
 * @example
 * ```ts
 * lineStyle(true).dim('⚙ clock {}'); // '\u001b[2m⚙ clock {}\u001b[22m'
 * lineStyle(false).dim('⚙ clock {}'); // '⚙ clock {}'
 * ```
 */
export function lineStyle(enabled: boolean): LineStyle {
  if (!enabled) return { dim: plain, red: plain, yellow: plain };
  return { dim: ansi(2, 22), red: ansi(31, 39), yellow: ansi(33, 39) };
}

/**
 * Whether stderr gets colours: only on a terminal (not `TERM=dumb`), never with `NO_COLOR` set
 * (https://no-color.org), always with `FORCE_COLOR` set to anything but `0`.
 *
 * @example
 * ```ts
 * colorEnabled(process.env, process.stderr.isTTY === true);
 * ```
 */
export function colorEnabled(env: Record<string, string | undefined>, isTTY: boolean): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '') return env.FORCE_COLOR !== '0';
  return isTTY && env.TERM !== 'dumb';
}

const lineBreaks = /\r\n|[\n\r\u2028\u2029]/g;
// C0 and C1 controls and DEL: a tool's output must not move the cursor or recolour the terminal.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const controls = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * A value as one line of at most `maxChars` characters (code points): strings as they are, anything else as JSON;
 * line breaks become `↵`, tabs spaces, other control characters `\xNN`; a longer text ends with `…`.
 *
 * @example
 * ```ts
 * oneLine({ expression: '6 * 7' }, 80); // '{"expression":"6 * 7"}'
 * oneLine('first\nsecond', 80); // 'first↵second'
 * oneLine('abcdefgh', 5); // 'abcd…'
 * ```
 */
export function oneLine(value: unknown, maxChars: number): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const flat = text
    .replace(lineBreaks, '↵')
    .replace(/\t/g, ' ')
    .replace(controls, (character) => `\\x${character.charCodeAt(0).toString(16).padStart(2, '0')}`);
  const characters = Array.from(flat);
  if (characters.length <= maxChars) return flat;
  return `${characters.slice(0, Math.max(maxChars - 1, 0)).join('')}…`;
}

function payloadWidth(width: number, used: number): number {
  return Math.max(width - used, minimumPayloadChars);
}

/** What a call was asked to run with: its parsed input, or its raw arguments when they were not JSON. */
function shownInput(call: { input: unknown; arguments?: string }): unknown {
  return call.input === undefined && call.arguments !== undefined ? call.arguments : call.input;
}

/**
 * The line for a tool call that is about to run: `⚙ <name> <input as one line>`, no wider than `width`.
 *
 * @example
 * ```ts
 * formatToolCall({ type: 'tool-call-ready', step: 1, index: 0, id: 'c1', name: 'calculator',
 *   input: { expression: '6 * 7' }, arguments: '{"expression":"6 * 7"}' });
 * // '⚙ calculator {"expression":"6 * 7"}'
 * ```
 */
export function formatToolCall(call: ToolCallReadyChunk, width = DEFAULT_LINE_WIDTH): string {
  const name = oneLine(call.name, 64);
  return `⚙ ${name} ${oneLine(shownInput(call), payloadWidth(width, name.length + 3))}`;
}

/**
 * The question asked before a call that needs approval: `Run <name> <input>? [y/N] `.
 *
 * @example
 * ```ts
 * formatApprovalQuestion({ type: 'tool-approval-request', step: 1, toolCallId: 'c1', name: 'calculator',
 *   input: { expression: '6 * 7' } });
 * // 'Run calculator {"expression":"6 * 7"}? [y/N] '
 * ```
 */
export function formatApprovalQuestion(request: ToolApprovalRequestChunk, width = DEFAULT_LINE_WIDTH): string {
  const name = oneLine(request.name, 64);
  const suffix = '? [y/N] ';
  return `Run ${name} ${oneLine(request.input, payloadWidth(width, name.length + 5 + suffix.length))}${suffix}`;
}

/**
 * A duration as a person reads it: `3 ms` below a second, else `1.2 s`.
 *
 * @example
 * ```ts
 * formatDuration(3.4); // '3 ms'
 * formatDuration(1234); // '1.2 s'
 * ```
 */
export function formatDuration(milliseconds: number): string {
  return milliseconds < 1000 ? `${Math.round(milliseconds)} ms` : `${(milliseconds / 1000).toFixed(1)} s`;
}

/** The reason of a denial without the loop's `The call of <name> was denied: ` preamble (the line says so already). */
function denialReason(result: ToolResultChunk): string {
  const message = result.error?.message ?? '';
  const preamble = `The call of ${result.name} was denied`;
  if (!message.startsWith(preamble)) return message;
  return message.slice(preamble.length).replace(/^:\s*/, '');
}

/** Error kinds of a call that ran (so its duration says something); the others never started. */
const ranKinds = new Set(['execution', 'timeout']);

/**
 * The line for a tool's final result, indented under its call: `  → <output> (3 ms)`, `  ✗ <kind>: <message>`
 * (with the duration when the tool ran: `execution`, `timeout`), or `  ✗ denied: <reason>`. `label` (e.g.
 * `'calculator: '`) tells results apart when a step ran several calls.
 *
 * @example
 * ```ts
 * formatToolResult({ type: 'tool-result', step: 1, toolCallId: 'c1', name: 'calculator', output: 42, durationMs: 3 });
 * // '  → 42 (3 ms)'
 * ```
 */
export function formatToolResult(result: ToolResultChunk, width = DEFAULT_LINE_WIDTH, label = ''): string {
  const duration = ` (${formatDuration(result.durationMs)})`;
  if (result.error === undefined) {
    const output = result.output === undefined ? '(no output)' : result.output;
    const room = payloadWidth(width, 4 + label.length + duration.length);
    return `  → ${label}${oneLine(output, room)}${duration}`;
  }
  const kind = result.denied === true ? 'denied' : result.error.kind;
  const message = result.denied === true ? denialReason(result) : result.error.message;
  const ran = ranKinds.has(kind) ? duration : '';
  const head = `  ✗ ${label}${kind}`;
  if (message === '') return `${head}${ran}`;
  return `${head}: ${oneLine(message, payloadWidth(width, head.length + 2 + ran.length))}${ran}`;
}

/** What a tool line is, so the caller can colour it. */
export type ToolLineKind = 'call' | 'result' | 'failure' | 'notice';

/** One status line of the tool loop, without its newline. */
export interface ToolLine {
  kind: ToolLineKind;
  text: string;
}

/** Turns the tool-loop events into status lines; see {@link createToolDisplay}. */
export interface ToolDisplay {
  /** The line for `event`, or undefined for an event with nothing to show (text, partial results, …). */
  line(event: AgentEvent): ToolLine | undefined;
}

function stoppedLine(step: number, stoppedBy: string): string {
  const why = stoppedBy === 'max-steps' ? "the agent's step limit (MAX_TOOL_STEPS)" : 'a stop condition';
  return `tool loop stopped after step ${step}: ${why}; the answer may be incomplete`;
}

/**
 * The status lines of a tool loop: a `⚙` line for each call as it is ready, an indented line for each final result
 * (named when its step made several calls, since results come in the order they finish), and a note when the loop
 * stopped at its step limit. Partial results of streaming tools are not shown: the final result follows them.
 *
 * @example
 * ```ts
 * const display = createToolDisplay(process.stderr.columns);
 * for await (const event of streamChat(options)) {
 *   const line = display.line(event);
 *   if (line) process.stderr.write(`${line.text}\n`);
 * }
 * ```
 */
export function createToolDisplay(width = DEFAULT_LINE_WIDTH): ToolDisplay {
  let callsInStep = 0;
  return {
    line(event) {
      switch (event.type) {
        case 'step-start':
          callsInStep = 0;
          return undefined;
        case 'tool-call-ready':
          callsInStep += 1;
          return { kind: 'call', text: formatToolCall(event, width) };
        case 'tool-result': {
          if (event.partial === true) return undefined;
          const label = callsInStep > 1 ? `${oneLine(event.name, 64)}: ` : '';
          const text = formatToolResult(event, width, label);
          return { kind: event.error === undefined ? 'result' : 'failure', text };
        }
        case 'step-finish':
          if (event.stoppedBy === undefined || event.stoppedBy === 'no-tool-calls') return undefined;
          return { kind: 'notice', text: stoppedLine(event.step, event.stoppedBy) };
        default:
          return undefined;
      }
    },
  };
}

/**
 * A tool line in its colour: calls and results dim, failures red, notices yellow.
 *
 * @example
 * ```ts
 * styleToolLine({ kind: 'failure', text: '  ✗ denied: no' }, lineStyle(true)); // red
 * ```
 */
export function styleToolLine(line: ToolLine, style: LineStyle): string {
  if (line.kind === 'failure') return style.red(line.text);
  if (line.kind === 'notice') return style.yellow(line.text);
  return style.dim(line.text);
}
