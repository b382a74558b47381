import type { Chunk } from '@rxllm/core';
import type { ObjectEvent } from '@rxllm/protocol';
import { partialObjects } from '@rxllm/structured';
import { connect, map, merge, type OperatorFunction } from 'rxjs';
import type { z } from 'zod';

/** What a generation streams: the provider's chunks, and `object` events when a JSON answer was asked for. */
export type GenerationItem = Chunk | ObjectEvent;

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
export function withObjectEvents(schema: z.ZodType): OperatorFunction<Chunk, GenerationItem> {
  return connect((chunks) =>
    merge(
      chunks,
      chunks.pipe(
        partialObjects(schema),
        map((event): ObjectEvent => ({ type: 'object', object: event.object, complete: event.type === 'complete' })),
      ),
    ),
  );
}
