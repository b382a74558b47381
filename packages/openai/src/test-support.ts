import { performance } from 'node:perf_hooks';
import { type Chunk, LLMError } from '@rxllm/core';
import type { MockUpstream } from '@rxllm/testing';
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

/**
 * Subscribes, unsubscribes right after the first text chunk, and resolves with the chunks received and how long
 * after the unsubscribe the mock saw the connection close (`undefined`: not within 2 s).
 */
export async function unsubscribeAtFirstText(
  source: Observable<Chunk>,
  mock: MockUpstream,
): Promise<{ received: Chunk[]; closeLatencyMs: number | undefined }> {
  const received: Chunk[] = [];
  let unsubscribedAt = 0;
  const subscription = source.subscribe({
    next: (chunk) => {
      received.push(chunk);
      if (chunk.type === 'text') {
        unsubscribedAt = performance.now();
        queueMicrotask(() => subscription.unsubscribe());
      }
    },
  });
  const [recorded] = await mock.waitForRequests(1);
  const closedInTime = await Promise.race([
    recorded!.closed.then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2000)),
  ]);
  return { received, closeLatencyMs: closedInTime ? recorded!.closedEarlyAt! - unsubscribedAt : undefined };
}
