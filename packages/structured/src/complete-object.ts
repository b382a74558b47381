import type { Chunk } from '@rxllm/core';
import type { OperatorFunction } from 'rxjs';
import type { $ZodType, output } from 'zod/v4/core';
import { JsonChunkReader, rootKindOf, type StructuredOptions } from './json-chunk-reader.js';
import { readChunks } from './read-chunks.js';

/**
 * The non-streaming form of {@link partialObjects}: reads the whole answer and emits the one validated object, then
 * completes. Same sources, framing and `invalid-output` errors; no partials are built on the way.
 *
 * ```
 * source:  -s-t1-t2-f-|
 * result:  -----------(o|)   o = the object, validated
 * ```
 *
 * @example
 * ```ts
 * import { lastValueFrom } from 'rxjs';
 * import { z } from 'zod';
 * import { completeObject } from '@rxllm/structured';
 *
 * const city = z.object({ name: z.string(), population: z.number() });
 * const answer = await lastValueFrom(provider.stream(request).pipe(completeObject(city)));
 * console.log(answer.population);
 * ```
 */
export function completeObject<TSchema extends $ZodType>(
  schema: TSchema,
  options: StructuredOptions = {},
): OperatorFunction<Chunk, output<TSchema>> {
  const root = rootKindOf(schema);
  return readChunks<output<TSchema>>((subscriber) => {
    const reader = new JsonChunkReader(options, root);
    return {
      read: (chunk) => reader.read(chunk),
      end: () => subscriber.next(reader.validate(schema, reader.finish())),
    };
  });
}
