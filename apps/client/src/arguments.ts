import { parseArgs } from 'node:util';

/** Default agent address, overridden by `RXLLM_URL` or `--url`. */
export const DEFAULT_URL = 'http://localhost:8080';

/** A command line the CLI cannot run; the CLI prints the message and exits with code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** What the command line asks for. `prompt` is undefined when it should be read from stdin. */
export interface ClientArguments {
  help: boolean;
  prompt: string | undefined;
  url: string;
  provider: string | undefined;
  model: string | undefined;
  temperature: number | undefined;
  maxTokens: number | undefined;
  apiKey: string | undefined;
  transport: 'sse' | 'ws';
  json: boolean;
  progress: boolean | undefined;
  reasoning: boolean;
  /** Reconnect after a dropped connection (`--resume`). */
  resume: boolean;
  /** Attach to this running generation instead of starting one (`--follow <streamId>`). */
  follow: string | undefined;
  /** With `follow`: only the events after this id (`--after <n>`, default 0: from the start). */
  after: number | undefined;
  /** Images to attach (`--image <path-or-https-url>`, repeatable), in order. */
  images: string[];
  /** PDF or text files to attach (`--file <path>`, repeatable), in order. */
  files: string[];
  /** A JSON Schema file the answer must match (`--json-schema <file.json>`). */
  jsonSchema: string | undefined;
  /**
   * Ask for a JSON answer and print the final object instead of the text: `--object` (any JSON object) or
   * `--json-schema` (that schema's shape).
   */
  object: boolean;
  /** Approve every tool call the agent asks about, without asking (`--yes`, `-y`). */
  yes: boolean;
}

/** `--help` text. */
export const USAGE = `Usage: rxllm [options] [prompt...]

Streams a reply from the rxllm agent to stdout as it arrives.
With no prompt argument, the prompt is read from stdin (when piped); with --image/--file it may be left out.
The message is sent as parts: the prompt's text first, then the images, then the files, in the order given.

Options:
  --url <url>          agent address (default: $RXLLM_URL or ${DEFAULT_URL})
  --provider <name>    provider to use (openai, anthropic, gemini, ollama, simulated, ...)
  --model <id>         model id
  --temperature <n>    sampling temperature
  --max-tokens <n>     maximum output tokens
  --api-key <key>      agent key, sent as Authorization: Bearer (default: $AGENT_API_KEY)
  --ws                 use the WebSocket endpoint instead of Server-Sent Events
  --json               print every event as one JSON line on stdout
  --progress           show progress on stderr even when stderr is not a terminal
  --no-progress        never show progress
  --reasoning          also print the model's reasoning, on stderr
  --resume             after a dropped connection, reconnect and continue where it broke
                       (up to 5 attempts, 250 ms to 2 s apart; needs RESUMABLE_STREAMS=true on the agent)
  --follow <streamId>  attach to a running generation (started elsewhere) instead of sending a prompt
  --after <n>          with --follow: only the events after event id n (default: from the start)
  --image <path|url>   attach an image (PNG, JPEG, GIF, WebP; a file up to 10 MiB or an https URL); repeatable
  --file <path>        attach a PDF or UTF-8 text file (up to 10 MiB); repeatable
  --json-schema <file> ask for a JSON answer of this JSON Schema; prints the final object (pretty) on stdout
  --object             ask for a JSON answer (any object, no schema); prints the final object on stdout
  -y, --yes            approve every tool call the agent asks about, without asking
  -h, --help           show this help

Tool calls the agent runs show on stderr: "⚙ <tool> <input>", then "  → <output> (<duration>)" or
"  ✗ <kind>: <message>". When the agent asks for approval (its TOOL_APPROVAL setting), the CLI asks
"Run <tool> <input>? [y/N]" on the terminal, one call at a time; --yes approves them all; without a terminal on
stdin and without --yes, each call is denied ("no terminal to ask on"). Ctrl-C at the question cancels the reply.

With --json-schema or --object, stdout gets only the final, checked object; --json still prints every event
(the object events included). An answer that does not match the schema exits 1 (error: invalid-output).
Ctrl-C cancels the generation (POST /chat/<id>/cancel too); with --follow it only detaches.
Exit codes: 0 ok, 1 server or stream error, 2 usage error, 3 agent unreachable, 130 interrupted (Ctrl-C).
`;

function parseNumber(name: string, value: string | undefined, check: (value: number) => boolean): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || !check(number)) {
    throw new UsageError(`--${name} must be a valid number, got ${JSON.stringify(value)}`);
  }
  return number;
}

function parseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--url must be an absolute http(s) URL, got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--url must be an http or https URL, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Parses the CLI's arguments (without `node` and the script path) and environment. Throws a {@link UsageError} for
 * unknown options, missing values and invalid numbers or URLs.
 *
 * @example
 * ```ts
 * const parsed = parseArguments(['--ws', '--model', 'gpt-4o-mini', 'Tell me a story'], process.env);
 * parsed.transport; // 'ws'
 * parsed.prompt; // 'Tell me a story'
 * ```
 */
export function parseArguments(argv: readonly string[], env: Record<string, string | undefined> = {}): ClientArguments {
  let parsed: ReturnType<typeof parseWithNode>;
  try {
    parsed = parseWithNode(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const prompt = positionals.length > 0 ? positionals.join(' ') : undefined;
  if (prompt !== undefined && prompt.trim() === '') throw new UsageError('the prompt is empty');
  const follow = values.follow;
  if (follow !== undefined) {
    if (!/^[\w.:-]{1,200}$/.test(follow))
      throw new UsageError(`--follow needs a stream id, got ${JSON.stringify(follow)}`);
    if (prompt !== undefined) throw new UsageError('--follow attaches to a running reply: give no prompt with it');
  }
  if (values.after !== undefined && follow === undefined)
    throw new UsageError('--after only makes sense with --follow');
  if (values.yes === true && follow !== undefined) {
    throw new UsageError(
      '--follow only watches: the client that started the reply decides on its tool calls (no --yes)',
    );
  }
  const images = values.image ?? [];
  const files = values.file ?? [];
  const jsonSchema = values['json-schema'];
  checkRequestFlags(follow, images, files, jsonSchema);
  return {
    help: values.help === true,
    prompt,
    url: parseUrl(values.url ?? env.RXLLM_URL ?? DEFAULT_URL),
    provider: values.provider,
    model: values.model,
    temperature: parseNumber('temperature', values.temperature, (number) => number >= 0),
    maxTokens: parseNumber('max-tokens', values['max-tokens'], (number) => Number.isInteger(number) && number > 0),
    apiKey: values['api-key'] ?? (env.AGENT_API_KEY || undefined),
    transport: values.ws === true ? 'ws' : 'sse',
    json: values.json === true,
    progress: values['no-progress'] === true ? false : values.progress === true ? true : undefined,
    reasoning: values.reasoning === true,
    resume: values.resume === true,
    follow,
    after: parseNumber('after', values.after, (number) => Number.isInteger(number) && number >= 0),
    images,
    files,
    jsonSchema,
    object: jsonSchema !== undefined || values.object === true,
    yes: values.yes === true,
  };
}

/** What shapes a new request cannot go with `--follow`, which sends none (`--object` still says how to print). */
function checkRequestFlags(
  follow: string | undefined,
  images: readonly string[],
  files: readonly string[],
  jsonSchema: string | undefined,
): void {
  const empty = [...images, ...files, jsonSchema].find((value) => value !== undefined && value.trim() === '');
  if (empty !== undefined) throw new UsageError('--image, --file and --json-schema need a path');
  if (follow === undefined) return;
  if (images.length > 0 || files.length > 0) throw new UsageError('--follow sends no message: no --image or --file');
  if (jsonSchema !== undefined) {
    throw new UsageError('--follow sends no request: no --json-schema (use --object to print the object)');
  }
}

function parseWithNode(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      url: { type: 'string' },
      provider: { type: 'string' },
      model: { type: 'string' },
      temperature: { type: 'string' },
      'max-tokens': { type: 'string' },
      'api-key': { type: 'string' },
      ws: { type: 'boolean' },
      json: { type: 'boolean' },
      progress: { type: 'boolean' },
      'no-progress': { type: 'boolean' },
      reasoning: { type: 'boolean' },
      resume: { type: 'boolean' },
      follow: { type: 'string' },
      after: { type: 'string' },
      image: { type: 'string', multiple: true },
      file: { type: 'string', multiple: true },
      'json-schema': { type: 'string' },
      object: { type: 'boolean' },
      yes: { type: 'boolean', short: 'y' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
