import type { Chunk } from '@rxllm/core';
import { concat, from, type Observable, type OperatorFunction, throwError } from 'rxjs';

/** Runs chunks through an operator synchronously; returns what it emitted and how it ended. */
export function run<TOutput>(
  chunks: readonly Chunk[],
  operator: OperatorFunction<Chunk, TOutput>,
  upstreamError?: unknown,
): { values: TOutput[]; error: unknown; completed: boolean } {
  const values: TOutput[] = [];
  let error: unknown;
  let completed = false;
  const source: Observable<Chunk> =
    upstreamError === undefined
      ? from(chunks)
      : concat(
          from(chunks),
          throwError(() => upstreamError),
        );
  source.pipe(operator).subscribe({
    next: (value) => values.push(value),
    error: (caught: unknown) => {
      error = caught;
    },
    complete: () => {
      completed = true;
    },
  });
  return { values, error, completed };
}

/** Splits a text into pieces of `size` characters. */
export function pieces(text: string, size: number): string[] {
  const result: string[] = [];
  for (let index = 0; index < text.length; index += size) result.push(text.slice(index, index + size));
  return result;
}
