import type { Chunk } from '@rxllm/core';
import type { OperatorFunction } from 'rxjs';
import type { $ZodType, output } from 'zod/v4/core';
import { JsonChunkReader, type StructuredOptions } from './json-chunk-reader.js';
import { readChunks } from './read-chunks.js';

/** Options of {@link elements}. */
export interface ElementsOptions extends StructuredOptions {
  /**
   * The array is this property of a root object (`{"items":[…]}`: OpenAI's strict JSON schema wants an object at
   * the root) instead of the root itself.
   */
  key?: string;
}

/**
 * Emits each element of a streamed JSON array once, as soon as it is complete, validated by `itemSchema`; completes
 * when the array closes and the stream ends. An element that fails its schema is an `invalid-output` `LLMError`
 * (with `details.index` and the zod `issues`), and so is a stream that ends before the array closes (the elements
 * already emitted stay emitted). Sources and framing as in {@link partialObjects}.
 *
 * ```
 * source:  -t1-t2-t3-|    t1 = '[{"n":1},{"n"'   t2 = ':2}'   t3 = ']'
 * result:  -a--b-----|    a = { n: 1 }, b = { n: 2 }
 * ```
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { elements } from '@rxllm/structured';
 *
 * const idea = z.object({ title: z.string(), pitch: z.string() });
 * provider
 *   .stream({ messages: [{ role: 'user', content: 'Five startup ideas as a JSON array of {title, pitch}' }] })
 *   .pipe(elements(idea))
 *   .subscribe((item) => console.log(item.title));
 * ```
 */
export function elements<TSchema extends $ZodType>(
  itemSchema: TSchema,
  options: ElementsOptions = {},
): OperatorFunction<Chunk, output<TSchema>> {
  const { key } = options;
  return readChunks<output<TSchema>>((subscriber) => {
    let index = 0;
    let sawArray = false;
    const elementDepth = key === undefined ? 1 : 2;
    const isArrayPath = (depth: number) =>
      key === undefined ? depth === 0 : depth === 1 && reader.parser.keyAt(0) === key;
    const reader: JsonChunkReader = new JsonChunkReader(
      options,
      key === undefined ? 'array' : 'object',
      (value, depth) => {
        if (depth === elementDepth && reader.parser.isArrayAt(depth - 1) && isArrayPath(depth - 1)) {
          subscriber.next(reader.validate(itemSchema, value, index));
          index += 1;
        } else if (isArrayPath(depth) && Array.isArray(value)) {
          sawArray = true;
        }
      },
    );
    return {
      read: (chunk) => reader.read(chunk),
      end: () => {
        reader.finish();
        if (!sawArray) throw reader.missingArray(key);
      },
    };
  });
}
