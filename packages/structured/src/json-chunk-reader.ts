import type { Chunk } from '@rxllm/core';
import { type $ZodType, type output, safeParse } from 'zod/v4/core';
import { invalidOutputError } from './invalid-output.js';
import { type CompletedValueListener, PartialJsonParser, PartialJsonSyntaxError } from './partial-json-parser.js';

/**
 * Where the JSON comes from: `text` chunks, the argument deltas of a tool call (a forced tool, as Anthropic's
 * structured output used to be), or `auto`: whichever delivers the JSON first (text once it holds the start of the
 * root value, else the first tool call), the other being ignored from then on.
 */
export type JsonSource = 'auto' | 'text' | 'tool-call';

/** Options shared by the operators of this package. */
export interface StructuredOptions {
  /** Default `auto`. */
  source?: JsonSource;
  /** Read only the arguments of the tool call with this name (default: the first tool call). */
  toolName?: string;
  /** `LLMError.provider` of an `invalid-output` error; default the `start` chunk's provider. */
  provider?: string;
}

type RootKind = 'object' | 'array' | 'any';

interface SchemaDefinition {
  type?: string;
  innerType?: $ZodType;
  in?: $ZodType;
}

/** The JSON type the schema's root must be, so that prose like `[draft]` before a fenced object is skipped. */
export function rootKindOf(schema: $ZodType): RootKind {
  const definition = schema._zod.def as SchemaDefinition;
  if (definition.type === 'object' || definition.type === 'record') return 'object';
  if (definition.type === 'array' || definition.type === 'tuple') return 'array';
  const inner = definition.type === 'pipe' ? definition.in : definition.innerType;
  return inner ? rootKindOf(inner) : 'any';
}

function rootStart(text: string, root: RootKind): number {
  if (root === 'object') return text.indexOf('{');
  if (root === 'array') return text.indexOf('[');
  const object = text.indexOf('{');
  const array = text.indexOf('[');
  return object === -1 || (array !== -1 && array < object) ? array : object;
}

/**
 * Feeds the JSON text of a chunk stream to a {@link PartialJsonParser}: picks the source, skips what comes before
 * the root value (prose, a ```json fence) and, through the parser, what comes after it.
 */
export class JsonChunkReader {
  readonly parser: PartialJsonParser;
  private locked: 'text' | 'tool-call' | undefined;
  private toolIndex: number | undefined;
  private seeking = true;
  private startProvider: string | undefined;
  private finishReason: string | undefined;

  constructor(
    private readonly options: StructuredOptions,
    private readonly root: RootKind,
    onCompleted?: CompletedValueListener,
  ) {
    this.parser = new PartialJsonParser({ onCompleted });
    if (options.source === 'text' || options.source === 'tool-call') this.locked = options.source;
  }

  get provider(): string {
    return this.options.provider ?? this.startProvider ?? 'unknown';
  }

  /** Reads one chunk. Throws an `invalid-output` LLMError when the JSON cannot continue. */
  read(chunk: Chunk): void {
    if (chunk.type === 'start') this.startProvider = chunk.provider;
    else if (chunk.type === 'finish') this.finishReason = chunk.reason;
    else if (chunk.type === 'text') this.readText(chunk.text);
    else if (chunk.type === 'tool-call') this.readToolCall(chunk.index, chunk.name, chunk.argumentsDelta);
  }

  /** The complete raw value at the end of the stream; throws an `invalid-output` LLMError when there is none. */
  finish(): unknown {
    try {
      this.parser.end();
    } catch (error) {
      throw this.syntaxError(error);
    }
    if (!this.parser.started) throw this.error('the output holds no JSON', { reason: 'no-json' });
    if (!this.parser.done) throw this.error('the output ended inside its JSON', { reason: 'incomplete' });
    return this.parser.snapshot();
  }

  /** Validates a value with its schema; throws an `invalid-output` LLMError carrying the zod issues. */
  validate<TSchema extends $ZodType>(schema: TSchema, value: unknown, index?: number): output<TSchema> {
    const result = safeParse(schema, value);
    if (result.success) return result.data;
    const what = index === undefined ? 'the object' : `element ${index}`;
    throw this.error(
      `${what} does not match the schema: ${result.error.issues.map((issue) => issue.message).join('; ')}`,
      { reason: 'schema', issues: result.error.issues, ...(index === undefined ? {} : { index }) },
      result.error,
    );
  }

  /** The error for a complete JSON value that holds no array where `elements` looked for one. */
  missingArray(key: string | undefined): ReturnType<typeof invalidOutputError> {
    const where = key === undefined ? 'at the root' : `at the key "${key}"`;
    return this.error(`the output has no array ${where}`, { reason: 'schema' });
  }

  private readText(text: string): void {
    if (this.locked === 'tool-call') return;
    let piece = text;
    if (this.seeking) {
      const start = rootStart(text, this.root);
      if (start === -1) return;
      this.seeking = false;
      this.locked = 'text';
      piece = text.slice(start);
    }
    this.write(piece);
  }

  private readToolCall(index: number, name: string | undefined, argumentsDelta: string): void {
    if (this.locked === 'text') return;
    if (this.toolIndex === undefined) {
      if (this.options.toolName !== undefined && name !== this.options.toolName) return;
      this.toolIndex = index;
      this.locked = 'tool-call';
      this.seeking = true;
    }
    if (index !== this.toolIndex) return;
    let piece = argumentsDelta;
    if (this.seeking) {
      const start = rootStart(piece, this.root);
      if (start === -1) return;
      this.seeking = false;
      piece = piece.slice(start);
    }
    this.write(piece);
  }

  private write(text: string): void {
    try {
      this.parser.write(text);
    } catch (error) {
      throw this.syntaxError(error);
    }
  }

  private syntaxError(error: unknown): unknown {
    if (!(error instanceof PartialJsonSyntaxError)) return error;
    return this.error(
      `the output is not valid JSON: ${error.message}`,
      { reason: 'syntax', position: error.position },
      error,
    );
  }

  private error(
    message: string,
    details: Parameters<typeof invalidOutputError>[2],
    cause?: unknown,
  ): ReturnType<typeof invalidOutputError> {
    const finishReason = this.finishReason === undefined ? {} : { finishReason: this.finishReason };
    return invalidOutputError(this.provider, message, { ...details, ...finishReason }, cause);
  }
}
