import { LLMError } from '@rxllm/core';
import { TestScheduler } from 'rxjs/testing';
import { expect } from 'vitest';

type Frame = { frame: number; notification: { kind: string; value?: unknown; error?: unknown } };

// LLMErrors are compared by what a caller acts on, so expected errors can be written as plain objects.
const plainError = (error: unknown): unknown =>
  LLMError.isInstance(error)
    ? {
        kind: error.kind,
        message: error.message,
        provider: error.provider,
        retryable: error.retryable,
        ...(error.details ? { details: error.details } : {}),
      }
    : error;

const normalise = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map((frame: Frame) =>
        frame?.notification?.kind === 'E'
          ? { ...frame, notification: { ...frame.notification, error: plainError(frame.notification.error) } }
          : frame,
      )
    : value;

/** A TestScheduler whose assertions use vitest's `expect`. */
export function createTestScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => {
    expect(normalise(actual)).toEqual(normalise(expected));
  });
}
