import type { Chunk, FinishReason, Usage } from './chunk.js';

/**
 * A tool call, complete: its streamed `tool-call` fragments joined at the end of the step and the JSON parsed.
 * `input` is what the tool's schema made of the arguments when they are valid, else the parsed JSON as it is, or
 * `undefined` when `arguments` is not JSON; an empty `arguments` text means `{}`.
 */
export interface ToolCallReadyChunk {
  type: 'tool-call-ready';
  /** The step (1-based) whose model answer holds the call. */
  step: number;
  /** The call's `index` in its step, as in the `tool-call` fragments. */
  index: number;
  id: string;
  name: string;
  input: unknown;
  /** The JSON text of the arguments, exactly as the model sent it. */
  arguments: string;
}

/**
 * Why a tool call has no output: `unknown-tool` (no tool of that name), `invalid-arguments` (not JSON, or refused by
 * the tool's schema), `execution` (the tool threw or its stream failed), `timeout` (it ran past its `timeoutMs`),
 * `denied` (its approval was refused).
 */
export type ToolErrorKind = 'unknown-tool' | 'invalid-arguments' | 'execution' | 'timeout' | 'denied';

/** The error of a tool result, as it goes back to the model. */
export interface ToolResultError {
  kind: ToolErrorKind;
  message: string;
  /** Schema issues of an `invalid-arguments` error (zod's `issues`: `path`, `message`, `code`). */
  issues?: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string; code?: string }>;
}

/**
 * What a tool call gave: `output`, or an `error`. A tool whose output streams (an Observable or an async iterable)
 * first emits each value as a `partial: true` result, then the final result with its last value. `durationMs` runs
 * from the start of the execution (after any approval) to this result.
 */
export interface ToolResultChunk {
  type: 'tool-result';
  step: number;
  toolCallId: string;
  name: string;
  output?: unknown;
  error?: ToolResultError;
  /** A value of a streamed output; the final result (without `partial`) follows. */
  partial?: true;
  /** Set when the call was refused at approval; `error.kind` is then `denied`. */
  denied?: true;
  durationMs: number;
}

/** A step of a tool loop begins: one model request follows. Steps count from 1. */
export interface StepStartChunk {
  type: 'step-start';
  step: number;
}

/** Why a tool loop ended after a step. */
export type LoopStopReason = 'no-tool-calls' | 'max-steps' | 'stop-condition';

/**
 * A step of a tool loop is over: its model answer and the results of its tool calls. `usage` is the step's own,
 * `totalUsage` the sum over the steps so far. `stoppedBy` is set on the last step only.
 */
export interface StepFinishChunk {
  type: 'step-finish';
  step: number;
  /** The model's finish reason in this step (`tool-calls` when it asked for tools). */
  reason: FinishReason;
  rawReason?: string;
  usage?: Usage;
  totalUsage?: Usage;
  /** How many tool calls the step made. */
  toolCalls: number;
  stoppedBy?: LoopStopReason;
}

/** A tool call waits for a person's (or a policy's) decision before it runs. */
export interface ToolApprovalRequestChunk {
  type: 'tool-approval-request';
  step: number;
  toolCallId: string;
  name: string;
  input: unknown;
}

/** The chunks a tool loop adds to what providers emit. */
export type ToolLoopChunk =
  | ToolCallReadyChunk
  | ToolResultChunk
  | StepStartChunk
  | StepFinishChunk
  | ToolApprovalRequestChunk;

/**
 * One event of a tool loop (`runTools` in `@rxllm/tools`): every provider {@link Chunk} of every step, plus the
 * loop's own {@link ToolLoopChunk}s. A step's provider chunks run from its `start` to its `finish`, so a loop of
 * three steps has three `start` and three `finish` chunks.
 *
 * @example
 * ```ts
 * runTools({ provider, request, tools }).subscribe((chunk: LoopChunk) => {
 *   if (chunk.type === 'text') process.stdout.write(chunk.text);
 *   if (chunk.type === 'tool-result' && !chunk.partial) console.log(chunk.name, chunk.output ?? chunk.error);
 * });
 * ```
 */
export type LoopChunk = Chunk | ToolLoopChunk;

export type LoopChunkType = LoopChunk['type'];

/**
 * The `type`s of the {@link ToolLoopChunk}s, in the order a step emits them first.
 *
 * @example
 * ```ts
 * const loopEvents = new Set<string>(TOOL_LOOP_CHUNK_TYPES); // an SSE writer's list of event names
 * ```
 */
export const TOOL_LOOP_CHUNK_TYPES: readonly ToolLoopChunk['type'][] = [
  'step-start',
  'tool-call-ready',
  'tool-approval-request',
  'tool-result',
  'step-finish',
];

const toolLoopTypes: ReadonlySet<string> = new Set(TOOL_LOOP_CHUNK_TYPES);

/**
 * True for a chunk that only a tool loop emits (steps, assembled calls, results, approval requests), false for a
 * provider {@link Chunk}, so the provider chunks of a loop can go on to operators written for `Chunk`.
 *
 * @example
 * ```ts
 * const providerChunks = loop$.pipe(filter((chunk): chunk is Chunk => !isToolLoopChunk(chunk)));
 * ```
 */
export function isToolLoopChunk(chunk: LoopChunk): chunk is ToolLoopChunk {
  return toolLoopTypes.has(chunk.type);
}
