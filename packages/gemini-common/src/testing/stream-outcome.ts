import type { Chunk, LLMError } from '@rxllm/core';
import type { Observable } from 'rxjs';

/** What one stream delivered: every chunk that arrived, and the error it ended with, if any. */
export interface StreamOutcome {
  chunks: Chunk[];
  error: LLMError | undefined;
}

/**
 * Subscribes once and resolves when the stream ends, with the chunks that arrived and the error, if any. It never
 * rejects, so a test can assert on the chunks delivered before a failure.
 *
 * @example
 * ```ts
 * const { chunks, error } = await streamOutcome(provider.stream({ messages: [{ role: 'user', content: 'Hi' }] }));
 * ```
 */
export function streamOutcome(stream: Observable<Chunk>): Promise<StreamOutcome> {
  return new Promise((resolve) => {
    const chunks: Chunk[] = [];
    stream.subscribe({
      next: (chunk) => chunks.push(chunk),
      error: (error: LLMError) => resolve({ chunks, error }),
      complete: () => resolve({ chunks, error: undefined }),
    });
  });
}

/**
 * The text of the `text` chunks, in order.
 *
 * @example
 * ```ts
 * texts([{ type: 'text', text: 'Hi' }, { type: 'finish', reason: 'stop' }]); // ['Hi']
 * ```
 */
export const texts = (chunks: Chunk[]): string[] =>
  chunks.flatMap((chunk) => (chunk.type === 'text' ? [chunk.text] : []));

/**
 * The chunks of one type, typed as that type.
 *
 * @example
 * ```ts
 * ofType(chunks, 'usage')[0]?.usage.inputTokens;
 * ```
 */
export const ofType = <TType extends Chunk['type']>(
  chunks: Chunk[],
  type: TType,
): Array<Extract<Chunk, { type: TType }>> =>
  chunks.filter((chunk): chunk is Extract<Chunk, { type: TType }> => chunk.type === type);
