import { type Chunk, LLMError } from '@rxllm/core';
import type { Observable } from 'rxjs';

/** What a stream delivered before it ended: every chunk, and the error if it failed. */
export interface Outcome {
  chunks: Chunk[];
  error: LLMError | undefined;
  completed: boolean;
}

/** Subscribes and gathers everything until the stream completes or errors (bounded by the test's own timeout). */
export function outcomeOf(source: Observable<Chunk>): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const chunks: Chunk[] = [];
    source.subscribe({
      next: (chunk) => chunks.push(chunk),
      error: (error: unknown) => {
        if (LLMError.isInstance(error)) resolve({ chunks, error, completed: false });
        else reject(new Error(`stream failed with a non-LLMError: ${String(error)}`, { cause: error }));
      },
      complete: () => resolve({ chunks, error: undefined, completed: true }),
    });
  });
}

export const textOf = (chunks: readonly Chunk[]): string =>
  chunks.map((chunk) => (chunk.type === 'text' ? chunk.text : '')).join('');

export const typesOf = (chunks: readonly Chunk[]): string[] => chunks.map((chunk) => chunk.type);
