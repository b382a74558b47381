import type { Message, ToolDefinition } from '@rxllm/core';
import type { Observable } from 'rxjs';
import { type $ZodType, type output, toJSONSchema } from 'zod/v4/core';

/**
 * What a tool's `execute` receives beside its arguments.
 *
 * @example
 * ```ts
 * execute: async ({ city }, { signal }) => (await fetch(`https://example.test/weather?q=${city}`, { signal })).json()
 * ```
 */
export interface ToolExecuteContext {
  /** Aborted when the loop is unsubscribed, when the call runs past its timeout, or when the loop fails. */
  signal: AbortSignal;
  toolCallId: string;
  /** The step (1-based) whose model answer made the call. */
  step: number;
  /** The conversation as the model saw it in this step, with its answer (the tool calls) last. */
  messages: readonly Message[];
}

/**
 * What `execute` may return: a value, a promise of one, or a stream of values (an Observable or an async iterable),
 * whose every value arrives as a partial result and whose last value is the output.
 *
 * @example
 * ```ts
 * const result: ToolExecuteResult<number> = (async function* () { yield 1; yield 2; })(); // partials 1, 2; output 2
 * ```
 */
export type ToolExecuteResult<TOutput> = TOutput | PromiseLike<TOutput> | Observable<TOutput> | AsyncIterable<TOutput>;

/**
 * Whether a call waits for approval: always, never, or as a predicate over the validated arguments says.
 *
 * @example
 * ```ts
 * const needsApproval: NeedsApproval<{ amount: number }> = ({ amount }) => amount > 100;
 * ```
 */
export type NeedsApproval<TInput> = boolean | ((input: TInput) => boolean | PromiseLike<boolean>);

/**
 * The definition {@link tool} takes: what the model reads (`description`, `parameters`) and what runs (`execute`).
 *
 * @example
 * ```ts
 * const options: ToolOptions<typeof schema, number> = { parameters: schema, execute: ({ a, b }) => a + b };
 * ```
 */
export interface ToolOptions<TSchema extends $ZodType, TOutput> {
  description?: string;
  /** A zod object schema: sent to the model as JSON Schema, and checked against every call's arguments. */
  parameters: TSchema;
  execute(input: output<TSchema>, context: ToolExecuteContext): ToolExecuteResult<TOutput>;
  /** Default `false`. A call that needs approval emits `tool-approval-request` and waits for a decision. */
  needsApproval?: NeedsApproval<output<TSchema>>;
  /** Longest run of one call, in milliseconds (overrides `runTools`' `timeoutMs`); none by default. */
  timeoutMs?: number;
}

/**
 * A tool made by {@link tool}, ready for `runTools`. `inputSchema` is the JSON Schema sent to the model.
 *
 * @example
 * ```ts
 * const tools: ToolSet = { weather };
 * weather.inputSchema; // { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }
 * ```
 */
export interface Tool<TInput = unknown, TOutput = unknown> {
  readonly description: string | undefined;
  readonly parameters: $ZodType;
  readonly inputSchema: Record<string, unknown>;
  readonly timeoutMs: number | undefined;
  /** True when some call may need approval (`needsApproval` is `true` or a predicate). */
  readonly asksApproval: boolean;
  execute(input: TInput, context: ToolExecuteContext): ToolExecuteResult<TOutput>;
  needsApproval(input: TInput): boolean | PromiseLike<boolean>;
}

/**
 * The tools of a loop, by the name the model calls them by (`[a-zA-Z0-9_-]`, at most 64 characters).
 *
 * @example
 * ```ts
 * const tools: ToolSet = { weather, now };
 * ```
 */
export type ToolSet = Record<string, Tool>;

/** The JSON Schema of a tool's arguments: the input side of the zod schema, an object, without `$schema`. */
function toInputSchema(schema: $ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...jsonSchema } = toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
  if (jsonSchema.type !== 'object') {
    throw new TypeError(`a tool's parameters must be an object schema (z.object), got ${String(jsonSchema.type)}`);
  }
  return jsonSchema;
}

/**
 * Defines a tool: a description and a zod object schema for the model, and the function that runs a call with the
 * validated arguments. `execute` may return a value, a promise, an Observable or an async iterable (each value a
 * partial result, the last one the output); its `signal` is aborted when the call must stop.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 *
 * const weather = tool({
 *   description: 'The current weather in a city',
 *   parameters: z.object({ city: z.string() }),
 *   execute: async ({ city }, { signal }) => fetchWeather(city, signal), // { celsius: 21 }
 * });
 * const transfer = tool({
 *   parameters: z.object({ amount: z.number() }),
 *   needsApproval: ({ amount }) => amount > 100,
 *   execute: ({ amount }) => bank.transfer(amount),
 * });
 * ```
 */
export function tool<TSchema extends $ZodType, TOutput>(
  options: ToolOptions<TSchema, TOutput>,
): Tool<output<TSchema>, TOutput> {
  const approval = options.needsApproval ?? false;
  return {
    description: options.description,
    parameters: options.parameters,
    inputSchema: toInputSchema(options.parameters),
    timeoutMs: options.timeoutMs,
    asksApproval: approval !== false,
    execute: (input, context) => options.execute(input, context),
    needsApproval: (input) => (typeof approval === 'function' ? approval(input) : approval),
  };
}

/**
 * The core {@link ToolDefinition}s of a tool set, in its order, for `CompletionRequest.tools`.
 *
 * @example
 * ```ts
 * provider.stream({ messages, tools: toolDefinitions({ weather }) });
 * ```
 */
export function toolDefinitions(tools: ToolSet): ToolDefinition[] {
  return Object.entries(tools).map(([name, entry]) => ({
    name,
    ...(entry.description === undefined ? {} : { description: entry.description }),
    parameters: entry.inputSchema,
  }));
}
