import { type ContentPart, LLMError, type ResponseFormat } from '@rxllm/core';
import type { AgentEvent, StreamMetrics } from '@rxllm/protocol';
import { CLIENT_PROVIDER, displayKind, isUnreachable } from './agent-error.js';
import { type ClientArguments, parseArguments, USAGE, UsageError } from './arguments.js';
import { readAttachments, readJsonSchema } from './attachments.js';
import { createReplyMeter, formatComplete, formatFollowed, formatProgress } from './reply-meter.js';
import { streamChat, type ToolApprovalOptions } from './stream-chat.js';
import { type AskFunction, createApprovalDecider } from './tool-approval.js';
import {
  colorEnabled,
  createToolDisplay,
  DEFAULT_LINE_WIDTH,
  type LineStyle,
  lineStyle,
  oneLine,
  styleToolLine,
  type ToolDisplay,
  type ToolLine,
} from './tool-display.js';

/** Exit codes of the `rxllm` CLI. */
export const EXIT_CODES = { ok: 0, error: 1, usage: 2, unreachable: 3, interrupted: 130 } as const;

interface OutputStream {
  write(text: string): boolean;
  once(event: 'drain', listener: () => void): unknown;
  isTTY?: boolean;
  /** The terminal's width, when it is one: tool lines are cut to it. */
  columns?: number;
}

/** The process pieces the CLI uses, injectable so that it can run in-process too. */
export interface ClientIo {
  argv: readonly string[];
  env: Record<string, string | undefined>;
  stdin: AsyncIterable<Buffer | string> & { isTTY?: boolean };
  stdout: OutputStream;
  stderr: OutputStream;
  /** Aborted on Ctrl-C: the request is cancelled and the CLI returns 130. */
  signal: AbortSignal;
  /**
   * Asks the person at the terminal (tool approvals): the `rxllm` bin gives one when stdin is a terminal. Without
   * it, there is nobody to ask, and a tool call that needs approval is denied unless `--yes` was given.
   */
  ask?: AskFunction | undefined;
}

const progressIntervalMs = 500;
const maxStdinBytes = 1024 * 1024;

/** The prompt piped on stdin; with attachments an absent or empty one is `''` (the message is then only those). */
async function readPrompt(stdin: ClientIo['stdin'], optional: boolean): Promise<string> {
  if (stdin.isTTY) {
    if (optional) return '';
    throw new UsageError('no prompt: pass it as an argument or pipe it on stdin');
  }
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of stdin) {
    const buffer = typeof part === 'string' ? Buffer.from(part) : part;
    size += buffer.length;
    if (size > maxStdinBytes) throw new UsageError('the prompt on stdin is over 1 MiB');
    parts.push(buffer);
  }
  const prompt = Buffer.concat(parts).toString('utf8').trim();
  if (prompt === '' && !optional) throw new UsageError('no prompt: stdin was empty');
  return prompt;
}

/** What one run sends: everything read (and refused, with a `UsageError`) before the request starts. */
interface PreparedRequest {
  prompt: string | undefined;
  attachments: ContentPart[];
  responseFormat: ResponseFormat | undefined;
}

async function prepareRequest(parsed: ClientArguments, stdin: ClientIo['stdin']): Promise<PreparedRequest> {
  if (parsed.follow !== undefined) return { prompt: undefined, attachments: [], responseFormat: undefined };
  const attachments = await readAttachments(parsed);
  const schema = parsed.jsonSchema === undefined ? undefined : await readJsonSchema(parsed.jsonSchema);
  const prompt = parsed.prompt ?? (await readPrompt(stdin, attachments.length > 0));
  const responseFormat: ResponseFormat | undefined = parsed.object
    ? { type: 'json', ...(schema === undefined ? {} : { schema }) }
    : undefined;
  return { prompt, attachments, responseFormat };
}

/** An object run whose stream ended without the checked object (an agent that ignored `responseFormat`). */
function noObjectError(): LLMError {
  return new LLMError({
    kind: 'invalid-output',
    provider: CLIENT_PROVIDER,
    message:
      'the reply ended without a complete object event (an agent without responseFormat support answers with ' +
      'text only; rerun with --json to see what came)',
  });
}

/** Writes, then waits for `drain` when the stream is full; an abort ends the wait (a closed pipe never drains). */
function writeTo(stream: OutputStream, text: string, signal: AbortSignal): Promise<void> | undefined {
  if (stream.write(text) || signal.aborted) return undefined;
  return new Promise((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    stream.once('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * What the terminal shows besides the reply: a progress line that overwrites itself, and whether the reply's text
 * stopped mid-line there. A status line starts on a clean line either way.
 */
class Screen {
  progressShown = false;
  /** The reply's text on a terminal stdout stopped mid-line. */
  midLine = false;
  /** The reasoning (`--reasoning`) on stderr stopped mid-line. */
  reasoningMidLine = false;

  constructor(
    private readonly stderr: OutputStream,
    private readonly signal: AbortSignal,
  ) {}

  /** What ends the progress line (erased) or the half-written line of text (a newline) before a status line. */
  takeClear(): string {
    const clear = this.progressShown ? '\r\x1b[K' : this.midLine || this.reasoningMidLine ? '\n' : '';
    this.progressShown = false;
    this.midLine = false;
    this.reasoningMidLine = false;
    return clear;
  }

  /** A status line on stderr, on a line of its own. */
  status(text: string): Promise<void> | undefined {
    return writeTo(this.stderr, `${this.takeClear()}${text}\n`, this.signal);
  }

  /** The same, synchronously: for callbacks that run inside the stream, between two reads. */
  statusNow(text: string): void {
    this.stderr.write(`${this.takeClear()}${text}\n`);
  }

  /** Readies the terminal for a question: nothing of the progress line or the text left on the question's line. */
  async clearLine(): Promise<void> {
    const clear = this.takeClear();
    if (clear !== '') await writeTo(this.stderr, clear, this.signal);
  }
}

/** How the run shows tool lines: the terminal's width and colours. */
interface ToolLook {
  width: number;
  style: LineStyle;
}

function toolLook(io: ClientIo): ToolLook {
  const columns = io.stderr.isTTY === true ? io.stderr.columns : undefined;
  return {
    width: columns !== undefined && columns > 0 ? columns - 1 : DEFAULT_LINE_WIDTH,
    style: lineStyle(colorEnabled(io.env, io.stderr.isTTY === true)),
  };
}

/** The CLI's answers to tool approval requests (`--yes`, the question, or a denial without a terminal). */
function approvalOptions(io: ClientIo, parsed: ClientArguments, screen: Screen, look: ToolLook): ToolApprovalOptions {
  const show = async (line: ToolLine) => {
    await screen.status(styleToolLine(line, look.style));
  };
  return {
    decide: createApprovalDecider({
      yes: parsed.yes,
      ask: io.ask,
      status: show,
      beforeQuestion: () => screen.clearLine(),
      width: look.width,
    }),
    onRefused: (error, request) => {
      const message = oneLine(error.message, look.width);
      screen.statusNow(
        look.style.red(`  ✗ the decision on ${request.name} did not take: ${displayKind(error)}: ${message}`),
      );
    },
  };
}

/**
 * Runs the `rxllm` command line: parses arguments, reads the attachments and schema (refusing bad ones before any
 * request), streams the reply's text to stdout as it arrives (or every event as a JSON line with `--json`; or, with
 * `--json-schema`/`--object`, only the final object, pretty-printed), shows progress, the tool calls the agent runs
 * and a final metrics line on stderr, answers the agent's tool approval requests (`--yes`, a question through
 * `io.ask`, or a denial when there is nobody to ask), and returns the exit code (see {@link EXIT_CODES}).
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * process.on('SIGINT', () => controller.abort());
 * process.exitCode = await runClient({
 *   argv: process.argv.slice(2), env: process.env, stdin: process.stdin,
 *   stdout: process.stdout, stderr: process.stderr, signal: controller.signal,
 *   ask: process.stdin.isTTY ? createTerminalAsk(process.stdin, process.stderr) : undefined,
 * });
 * ```
 */
export async function runClient(io: ClientIo): Promise<number> {
  const { stdout, stderr } = io;
  const write = (stream: OutputStream, text: string) => writeTo(stream, text, io.signal);
  const screen = new Screen(stderr, io.signal);
  let json = false;
  let objectRun = false;
  try {
    const parsed = parseArguments(io.argv, io.env);
    if (parsed.help) {
      await write(stdout, USAGE);
      return EXIT_CODES.ok;
    }
    json = parsed.json;
    objectRun = parsed.object;
    const request = await prepareRequest(parsed, io.stdin);
    // Progress is for a person watching a terminal whose text goes elsewhere (stdout redirected, --json, or an
    // object run, whose stdout stays empty until the object is complete).
    const showProgress =
      parsed.progress ?? (stderr.isTTY === true && (stdout.isTTY !== true || parsed.json || parsed.object));
    const look = toolLook(io);
    const display = createToolDisplay(look.width);
    const meter = createReplyMeter();
    let agentMetrics: StreamMetrics | undefined;
    let objectComplete = false;
    let lastProgressAt = performance.now();
    for await (const event of streamChat({
      url: parsed.url,
      prompt: request.prompt,
      attachments: request.attachments,
      ...(request.responseFormat === undefined ? {} : { responseFormat: request.responseFormat }),
      provider: parsed.provider,
      model: parsed.model,
      temperature: parsed.temperature,
      maxTokens: parsed.maxTokens,
      apiKey: parsed.apiKey,
      transport: parsed.transport,
      signal: io.signal,
      ...(parsed.follow === undefined ? {} : { follow: { streamId: parsed.follow, after: parsed.after ?? 0 } }),
      // A follower only watches: the client that started the reply decides on its tool calls.
      ...(parsed.follow === undefined ? { toolApproval: approvalOptions(io, parsed, screen, look) } : {}),
      resume: parsed.resume && {
        onReconnect: (attempt) => {
          screen.statusNow(
            `reconnecting to stream ${attempt.streamId} after event ${attempt.after} ` +
              `(attempt ${attempt.attempt}/${attempt.attempts}, in ${attempt.delayMs} ms): ${attempt.error.message}`,
          );
        },
      },
    })) {
      meter.observe(event);
      if (event.type === 'done') agentMetrics = event.metrics;
      if (event.type === 'object' && event.complete) objectComplete = true;
      if (json) {
        await write(stdout, `${JSON.stringify(event)}\n`);
      } else if (event.type === 'text' && !parsed.object) {
        if (event.text !== '') screen.midLine = stdout.isTTY === true && !event.text.endsWith('\n');
        await write(stdout, event.text);
      } else if (event.type === 'object' && event.complete && parsed.object) {
        // The progress line may share the terminal: the object starts on a clean line.
        if (screen.progressShown && stdout.isTTY === true) await write(stderr, '\r\x1b[K');
        screen.progressShown = screen.progressShown && stdout.isTTY !== true;
        await write(stdout, `${JSON.stringify(event.object, null, 2)}\n`);
      } else if (event.type === 'failover') {
        // The answer goes on on stdout; the switch is a note on stderr, on its own line.
        const note = `[continued by ${event.to.provider} · ${event.to.model} after ${event.from.provider} failed: ${event.reason.kind}]`;
        await write(stderr, `${screen.midLine && stdout.isTTY === true ? '\n' : ''}${note}\n`);
      } else if (event.type === 'reasoning' && parsed.reasoning) {
        if (event.text !== '') screen.reasoningMidLine = !event.text.endsWith('\n');
        await write(stderr, event.text);
      } else {
        await showToolEvent(event, display, parsed.follow !== undefined, screen, look);
      }
      if (showProgress && !objectComplete && performance.now() - lastProgressAt >= progressIntervalMs) {
        const summary = meter.summary();
        await write(stderr, formatProgress(summary.chunks, summary.chars, summary.objectFields));
        screen.progressShown = true;
        lastProgressAt = performance.now();
      }
    }
    if (screen.midLine) await write(stdout, '\n');
    if (parsed.object && !objectComplete) throw noObjectError();
    // A follower attached midway: its own clock says nothing about the generation, the agent's numbers do.
    const summaryLine =
      parsed.follow === undefined
        ? formatComplete(meter.summary())
        : formatFollowed(parsed.follow, meter.summary(), agentMetrics);
    await write(stderr, `${screen.progressShown ? '\r\x1b[K' : ''}${summaryLine}\n`);
    return EXIT_CODES.ok;
  } catch (error) {
    return reportFailure(error, { json, objectRun, clear: screen.takeClear(), write, stdout, stderr });
  }
}

/** The tool-loop lines of one event (not with `--json`, whose events carry it all). */
async function showToolEvent(
  event: AgentEvent,
  display: ToolDisplay,
  follower: boolean,
  screen: Screen,
  look: ToolLook,
): Promise<void> {
  const line = display.line(event);
  if (line) await screen.status(styleToolLine(line, look.style));
  if (event.type === 'tool-approval-request' && follower) {
    const name = oneLine(event.name, 64);
    await screen.status(
      look.style.yellow(`  ? ${name} waits for approval (the client that started the reply decides)`),
    );
  }
}

interface FailureOutput {
  json: boolean;
  objectRun: boolean;
  /** What ends the progress line or the half-written text before the error line. */
  clear: string;
  write(stream: OutputStream, text: string): Promise<void> | undefined;
  stdout: OutputStream;
  stderr: OutputStream;
}

/** Prints a failure the way the CLI documents it and returns its exit code. */
async function reportFailure(error: unknown, output: FailureOutput): Promise<number> {
  const { json, objectRun, clear, write, stdout, stderr } = output;
  if (error instanceof UsageError) {
    await write(stderr, `error: usage: ${error.message}\nRun \`rxllm --help\` for usage.\n`);
    return EXIT_CODES.usage;
  }
  if (LLMError.isInstance(error) && error.kind === 'aborted') {
    await write(stderr, `${clear}interrupted: the request was cancelled\n`);
    return EXIT_CODES.interrupted;
  }
  const kind = LLMError.isInstance(error) ? displayKind(error) : 'unknown';
  const message = error instanceof Error ? error.message : String(error);
  if (json) await write(stdout, `${JSON.stringify({ type: 'error', error: { kind, message } })}\n`);
  await write(stderr, `${clear}error: ${kind}: ${message}\n`);
  if (objectRun && kind === 'invalid-output' && !json) {
    await write(stderr, 'The answer was not the object asked for: rerun with --json to see its text.\n');
  }
  const details = LLMError.isInstance(error) ? error.details : undefined;
  if (typeof details?.streamId === 'string' && details.lost === true) {
    await write(
      stderr,
      `The agent may still be generating it: rxllm --follow ${details.streamId} --after ${String(details.lastEventId)}\n`,
    );
  }
  return isUnreachable(error) ? EXIT_CODES.unreachable : EXIT_CODES.error;
}
