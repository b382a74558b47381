import { type Chunk, isToolLoopChunk, type LoopChunk } from '@rxllm/core';
import type { ObjectEvent } from '@rxllm/protocol';
import { partialObjects } from '@rxllm/structured';
import { connect, filter, map, merge, type OperatorFunction } from 'rxjs';
import type { z } from 'zod';

/** What a generation streams: the provider's chunks, and `object` events when a JSON answer was asked for. */
export type GenerationItem = LoopChunk | ObjectEvent;

/**
 * Adds `object` events to a chunk stream whose answer is JSON: a deep partial after every chunk that changed it,
 * then the whole object checked by `schema` (`complete: true`). Every chunk still passes through, first; an answer
 * that is not JSON or fails the schema ends the stream with an `invalid-output` error (the zod issues in its
 * details). One upstream subscription (`connect`, which also holds for a source that emits on subscribe), so
 * unsubscribing aborts the request as before.
 *
 * @example
 * ```ts
 * const source = providerPipeline(provider, request, config, logger).pipe(withObjectEvents(z.fromJSONSchema(schema)));
 * ```
 */
export function withObjectEvents(schema: z.ZodType): OperatorFunction<LoopChunk, GenerationItem> {
  return connect((chunks) =>
    merge(
      chunks,
      chunks.pipe(
        filter((chunk): chunk is Chunk => !isToolLoopChunk(chunk)),
        partialObjects(schema),
        map((event): ObjectEvent => ({ type: 'object', object: event.object, complete: event.type === 'complete' })),
      ),
    ),
  );
}
