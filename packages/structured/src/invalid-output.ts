import { LLMError } from '@rxllm/core';
import type { $ZodIssue } from 'zod/v4/core';

/** Why an output was refused, in `LLMError.details.reason`. */
export type InvalidOutputReason = 'no-json' | 'syntax' | 'incomplete' | 'schema';

/** The `details` of an `invalid-output` {@link LLMError} from this package. */
export interface InvalidOutputDetails extends Record<string, unknown> {
  reason: InvalidOutputReason;
  /** The zod issues, for `reason: 'schema'`. */
  issues?: readonly $ZodIssue[];
  /** For `elements`: the index of the element that failed its schema. */
  index?: number;
  /** Offset of the offending character in the JSON text, for `reason: 'syntax'`. */
  position?: number;
  /** The finish reason the stream reported, if any (`length` explains most incomplete objects). */
  finishReason?: string;
}

/**
 * An `invalid-output` `LLMError`: the model answered, but not with the object that was asked for.
 *
 * @example
 * ```ts
 * throw invalidOutputError('openai', 'the JSON ended early', { reason: 'incomplete' });
 * ```
 */
export function invalidOutputError(
  provider: string,
  message: string,
  details: InvalidOutputDetails,
  cause?: unknown,
): LLMError {
  const finish = details.finishReason === undefined ? '' : ` (finish reason: ${details.finishReason})`;
  return new LLMError({ kind: 'invalid-output', provider, message: `${message}${finish}`, details, cause });
}

/**
 * The zod issues of an `invalid-output` error, or `undefined` for any other error.
 *
 * @example
 * ```ts
 * stream.pipe(partialObjects(schema)).subscribe({ error: (error) => console.log(invalidOutputIssues(error)) });
 * ```
 */
export function invalidOutputIssues(error: unknown): readonly $ZodIssue[] | undefined {
  if (!LLMError.isInstance(error) || error.kind !== 'invalid-output') return undefined;
  return (error.details as InvalidOutputDetails | undefined)?.issues;
}
