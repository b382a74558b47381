import type {
  Chunk,
  FinishChunk,
  FinishReason,
  ReasoningChunk,
  StartChunk,
  TextChunk,
  ToolCallChunk,
  Usage,
  UsageChunk,
} from '@rxllm/core';

/**
 * A `start` chunk; defaults `provider: 'test'`, `model: 'test-model'`.
 *
 * @example
 * ```ts
 * start({ provider: 'openai', model: 'gpt-4o-mini' });
 * ```
 */
export function start(fields: Partial<Omit<StartChunk, 'type'>> = {}): StartChunk {
  return { type: 'start', provider: 'test', model: 'test-model', ...fields };
}

/**
 * A `text` chunk.
 *
 * @example
 * ```ts
 * text('Hi'); // { type: 'text', text: 'Hi' }
 * ```
 */
export function text(value: string): TextChunk {
  return { type: 'text', text: value };
}

/**
 * A `reasoning` chunk.
 *
 * @example
 * ```ts
 * reasoning('Let me think.');
 * ```
 */
export function reasoning(value: string): ReasoningChunk {
  return { type: 'reasoning', text: value };
}

/**
 * A `tool-call` fragment; give `id` and `name` on the first fragment of a call.
 *
 * @example
 * ```ts
 * toolCall('{"city":', { id: 'call_1', name: 'weather' }); toolCall('"Paris"}');
 * ```
 */
export function toolCall(
  argumentsDelta: string,
  fields: Partial<Omit<ToolCallChunk, 'type' | 'argumentsDelta'>> = {},
): ToolCallChunk {
  return { type: 'tool-call', index: 0, argumentsDelta, ...fields };
}

/**
 * A `usage` chunk; `totalTokens` is filled in when both counts are given.
 *
 * @example
 * ```ts
 * usage({ inputTokens: 10, outputTokens: 3 }); // totalTokens: 13
 * ```
 */
export function usage(counts: Usage): UsageChunk {
  const totalTokens =
    counts.totalTokens ??
    (counts.inputTokens !== undefined && counts.outputTokens !== undefined
      ? counts.inputTokens + counts.outputTokens
      : undefined);
  return { type: 'usage', usage: totalTokens === undefined ? { ...counts } : { ...counts, totalTokens } };
}

/**
 * A `finish` chunk; `rawReason` only when given.
 *
 * @example
 * ```ts
 * finish('stop'); finish('length', 'max_tokens');
 * ```
 */
export function finish(reason: FinishReason = 'stop', rawReason?: string): FinishChunk {
  return rawReason === undefined ? { type: 'finish', reason } : { type: 'finish', reason, rawReason };
}

const MARBLE_LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * Names values `a`, `b`, `c`, … in order, so a marble reads `'a-b-c|'`. Values are chunks unless a type is given
 * (`chunkValues<string>('Hi', 'there')`).
 *
 * @example
 * ```ts
 * const values = chunkValues(start(), text('Hi'), finish('stop')); // { a: start(), b: text('Hi'), c: finish('stop') }
 * expectObservable(source$).toBe('a-b-c|', values);
 * ```
 */
export function chunkValues(...values: Chunk[]): Record<string, Chunk>;
export function chunkValues<TValue>(...values: TValue[]): Record<string, TValue>;
export function chunkValues<TValue>(...values: TValue[]): Record<string, TValue> {
  if (values.length > MARBLE_LETTERS.length) {
    throw new RangeError(`chunkValues names at most ${MARBLE_LETTERS.length} values, got ${values.length}`);
  }
  return Object.fromEntries(values.map((value, index) => [MARBLE_LETTERS[index]!, value]));
}
