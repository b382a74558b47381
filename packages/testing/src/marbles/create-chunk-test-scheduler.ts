import { TestScheduler } from 'rxjs/testing';
import { expect } from 'vitest';

/**
 * A `TestScheduler` that compares with vitest's `expect(actual).toEqual(expected)`, for marble tests of chunk
 * operators. Lives in the `@rxllm/testing/marbles` entry point so that the main entry never loads vitest.
 *
 * @example
 * ```ts
 * import { chunkValues, createChunkTestScheduler, finish, text } from '@rxllm/testing/marbles';
 *
 * createChunkTestScheduler().run(({ cold, expectObservable }) => {
 *   const values = chunkValues(text('Hi'), finish('stop'));
 *   expectObservable(cold('a-b|', values)).toBe('a-b|', values);
 * });
 * ```
 */
export function createChunkTestScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });
}
