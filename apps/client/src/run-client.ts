import { type ContentPart, LLMError, type ResponseFormat } from '@rxllm/core';
import type { StreamMetrics } from '@rxllm/protocol';
import { CLIENT_PROVIDER, displayKind, isUnreachable } from './agent-error.js';
import { type ClientArguments, parseArguments, USAGE, UsageError } from './arguments.js';
import { readAttachments, readJsonSchema } from './attachments.js';
import { createReplyMeter, formatComplete, formatFollowed, formatProgress } from './reply-meter.js';
import { streamChat } from './stream-chat.js';

/** Exit codes of the `rxllm` CLI. */
export const EXIT_CODES = { ok: 0, error: 1, usage: 2, unreachable: 3, interrupted: 130 } as const;

interface OutputStream {
  write(text: string): boolean;
  once(event: 'drain', listener: () => void): unknown;
  isTTY?: boolean;
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
 * Runs the `rxllm` command line: parses arguments, reads the attachments and schema (refusing bad ones before any
 * request), streams the reply's text to stdout as it arrives (or every event as a JSON line with `--json`; or, with
 * `--json-schema`/`--object`, only the final object, pretty-printed), shows progress and a final metrics line on
 * stderr, and returns the exit code (see {@link EXIT_CODES}).
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * process.on('SIGINT', () => controller.abort());
 * process.exitCode = await runClient({
 *   argv: process.argv.slice(2), env: process.env, stdin: process.stdin,
 *   stdout: process.stdout, stderr: process.stderr, signal: controller.signal,
 * });
 * ```
 */
export async function runClient(io: ClientIo): Promise<number> {
  const { stdout, stderr } = io;
  const write = (stream: OutputStream, text: string) => writeTo(stream, text, io.signal);
  let json = false;
  let objectRun = false;
  let progressShown = false;
  // When the reply's text on a terminal stopped mid-line, a message on stderr starts on a fresh line.
  let midLine = false;
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
      resume: parsed.resume && {
        onReconnect: (attempt) => {
          const line =
            `reconnecting to stream ${attempt.streamId} after event ${attempt.after} ` +
            `(attempt ${attempt.attempt}/${attempt.attempts}, in ${attempt.delayMs} ms): ${attempt.error.message}\n`;
          const clear = progressShown ? '\r\x1b[K' : midLine ? '\n' : '';
          // Synchronous on purpose: this runs inside the stream, between two reads.
          stderr.write(clear + line);
          midLine = false;
        },
      },
    })) {
      meter.observe(event);
      if (event.type === 'done') agentMetrics = event.metrics;
      if (event.type === 'object' && event.complete) objectComplete = true;
      if (json) {
        await write(stdout, `${JSON.stringify(event)}\n`);
      } else if (event.type === 'text' && !parsed.object) {
        if (event.text !== '') midLine = stdout.isTTY === true && !event.text.endsWith('\n');
        await write(stdout, event.text);
      } else if (event.type === 'object' && event.complete && parsed.object) {
        // The progress line may share the terminal: the object starts on a clean line.
        if (progressShown && stdout.isTTY === true) await write(stderr, '\r\x1b[K');
        progressShown = progressShown && stdout.isTTY !== true;
        await write(stdout, `${JSON.stringify(event.object, null, 2)}\n`);
      } else if (event.type === 'reasoning' && parsed.reasoning) {
        await write(stderr, event.text);
      }
      if (showProgress && !objectComplete && performance.now() - lastProgressAt >= progressIntervalMs) {
        const summary = meter.summary();
        await write(stderr, formatProgress(summary.chunks, summary.chars, summary.objectFields));
        progressShown = true;
        lastProgressAt = performance.now();
      }
    }
    if (midLine) await write(stdout, '\n');
    if (parsed.object && !objectComplete) throw noObjectError();
    // A follower attached midway: its own clock says nothing about the generation, the agent's numbers do.
    const summaryLine =
      parsed.follow === undefined
        ? formatComplete(meter.summary())
        : formatFollowed(parsed.follow, meter.summary(), agentMetrics);
    await write(stderr, `${progressShown ? '\r\x1b[K' : ''}${summaryLine}\n`);
    return EXIT_CODES.ok;
  } catch (error) {
    const clear = progressShown ? '\r\x1b[K' : midLine ? '\n' : '';
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
}
