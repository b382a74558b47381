import type { Chunk } from '@rxllm/core';
import type { OperatorFunction } from 'rxjs';
import type { $ZodType, output } from 'zod/v4/core';
import { JsonChunkReader, rootKindOf, type StructuredOptions } from './json-chunk-reader.js';
import { readChunks } from './read-chunks.js';

/**
 * `T` with every property optional, all the way down: what a JSON object looks like while it streams in.
 *
 * @example
 * ```ts
 * const partial: DeepPartial<{ user: { name: string } }> = { user: {} };
 * ```
 */
export type DeepPartial<T> = T extends readonly (infer TItem)[]
  ? DeepPartial<TItem>[]
  : T extends object
    ? { [TKey in keyof T]?: DeepPartial<T[TKey]> }
    : T;

/** The object read so far: not validated, never missing anything an earlier partial showed. */
export interface PartialObjectEvent<T> {
  type: 'partial';
  object: DeepPartial<T>;
}

/** The whole object, validated by the schema (with its defaults and transforms applied): always the last event. */
export interface CompleteObjectEvent<T> {
  type: 'complete';
  object: T;
}

/**
 * What {@link partialObjects} emits: partials while the JSON streams in, then exactly one `complete`.
 *
 * @example
 * ```ts
 * const render = (event: ObjectEvent<Recipe>) => (event.type === 'complete' ? save(event.object) : draw(event.object));
 * ```
 */
export type ObjectEvent<T> = PartialObjectEvent<T> | CompleteObjectEvent<T>;

/**
 * Turns a chunk stream whose answer is JSON into deep-partial objects as the JSON grows, then the validated object.
 * The JSON is read from `text` chunks or from a tool call's argument deltas (`options.source`); prose or a ```json
 * fence before it and anything after it are skipped, `reasoning` chunks are ignored. A partial is emitted after a
 * chunk only when the object changed, and never loses a field an earlier partial had (a string only grows, a key
 * never disappears). Each partial is a new immutable object that shares the unchanged subtrees with the previous one.
 *
 * Errors are `LLMError`s of kind `invalid-output`: JSON that cannot continue (at once, stopping the request), a
 * stream that ends without JSON or inside it, or a final object that fails the schema (`details.issues` holds the
 * zod issues). Upstream errors pass through unchanged.
 *
 * ```
 * source:  -s-t1-t2-t3-t4-|    t1 = '{"title":"Pa'   t2 = 'sta","ser'   t3 = 'ves":'   t4 = '4}'
 * result:  ---p1-p2----p3-(c|) p1 = { title: 'Pa' }, p2 = { title: 'Pasta' }, p3 = { title: 'Pasta', serves: 4 }
 * ```
 * (`t3` changes nothing visible: the key `serves` shows with its value; `c` is the complete, validated object.)
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { partialObjects } from '@rxllm/structured';
 *
 * const recipe = z.object({ title: z.string(), steps: z.array(z.string()) });
 * provider
 *   .stream({ messages: [{ role: 'user', content: 'A pasta recipe as JSON {title, steps}' }] })
 *   .pipe(partialObjects(recipe))
 *   .subscribe((event) => {
 *     if (event.type === 'partial') console.log(event.object.steps?.length ?? 0, 'steps so far');
 *     else console.log('done:', event.object.title);
 *   });
 * ```
 */
export function partialObjects<TSchema extends $ZodType>(
  schema: TSchema,
  options: StructuredOptions = {},
): OperatorFunction<Chunk, ObjectEvent<output<TSchema>>> {
  const root = rootKindOf(schema);
  return readChunks<ObjectEvent<output<TSchema>>>((subscriber) => {
    const reader = new JsonChunkReader(options, root);
    return {
      read: (chunk) => {
        reader.read(chunk);
        if (reader.parser.started && reader.parser.changed)
          subscriber.next({ type: 'partial', object: reader.parser.snapshot() as DeepPartial<output<TSchema>> });
      },
      end: () => {
        const object = reader.validate(schema, reader.finish());
        subscriber.next({ type: 'complete', object });
      },
    };
  });
}
