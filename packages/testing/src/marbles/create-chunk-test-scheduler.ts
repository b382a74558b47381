import { LLMError } from '@rxllm/core';
import { TestScheduler } from 'rxjs/testing';
import { expect } from 'vitest';

/** Options of {@link createChunkTestScheduler}. */
export interface ChunkTestSchedulerOptions {
  /**
   * How an error notification (`#`) is compared.
   * - `'to-equal'` (default): vitest's `toEqual` on the errors themselves, which for two `LLMError`s also compares
   *   `status`, `retryAfterMs`, `requestId` and `cause`.
   * - `'llm-error-fields'`: an `LLMError` is compared by what a caller acts on (`kind`, `message`, `provider`,
   *   `retryable`, and `details` when set), so the expected error can be a plain object of those fields or an
   *   `LLMError` built without the rest. Other errors are still compared with `toEqual`.
   */
  errors?: 'to-equal' | 'llm-error-fields';
}

type Frame = { frame: number; notification: { kind: string; value?: unknown; error?: unknown } };

const callerFields = (error: unknown): unknown =>
  LLMError.isInstance(error)
    ? {
        kind: error.kind,
        message: error.message,
        provider: error.provider,
        retryable: error.retryable,
        ...(error.details ? { details: error.details } : {}),
      }
    : error;

// Subscription logs (expectSubscriptions) are not frames and pass through unchanged.
const withCallerFields = (messages: unknown): unknown =>
  Array.isArray(messages)
    ? messages.map((frame: Frame) =>
        frame?.notification?.kind === 'E'
          ? { ...frame, notification: { ...frame.notification, error: callerFields(frame.notification.error) } }
          : frame,
      )
    : messages;

/**
 * A `TestScheduler` that compares with vitest's `expect(actual).toEqual(expected)`, for marble tests of chunk
 * operators. With `{ errors: 'llm-error-fields' }` an `LLMError` is compared by kind, message, provider, retryable
 * and details only. Lives in the `@rxllm/testing/marbles` entry point so that the main entry never loads vitest.
 *
 * @example
 * ```ts
 * import { chunkValues, createChunkTestScheduler, finish, text } from '@rxllm/testing/marbles';
 *
 * createChunkTestScheduler().run(({ cold, expectObservable }) => {
 *   const values = chunkValues(text('Hi'), finish('stop'));
 *   expectObservable(cold('a-b|', values)).toBe('a-b|', values);
 * });
 *
 * createChunkTestScheduler({ errors: 'llm-error-fields' }).run(({ expectObservable }) => {
 *   const error = new LLMError({ kind: 'timeout', provider: 'openai', message: 'No first chunk within 10 ms' });
 *   expectObservable(throwError(() => error)).toBe('#', undefined, {
 *     kind: 'timeout', message: 'No first chunk within 10 ms', provider: 'openai', retryable: true,
 *   });
 * });
 * ```
 */
export function createChunkTestScheduler(options: ChunkTestSchedulerOptions = {}): TestScheduler {
  if (options.errors === 'llm-error-fields') {
    return new TestScheduler((actual, expected) => {
      expect(withCallerFields(actual)).toEqual(withCallerFields(expected));
    });
  }
  return new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });
}
