import { z } from 'zod';

/**
 * The structured-output workload shared by the upstream and the subjects of the `structured` section: a wide object
 * like a model's structured answer (strings with escapes and non-ASCII, numbers, booleans, small arrays, nested
 * objects), the zod schema that describes it exactly, and its JSON cut into small text deltas. The request's model id
 * (`structured-<fields>-<deltaChars>`) tells the upstream which object to stream and how finely to cut it.
 */

/** How many fields and how many characters per text delta; `structured-2000-5` is 2,000 fields in 5-char deltas. */
export interface StructuredShape {
  fields: number;
  deltaChars: number;
}

const KINDS = 6;

/** The value of field `index`; its kind (string, number, …) repeats every {@link KINDS} fields. */
function fieldValue(index: number): unknown {
  switch (index % KINDS) {
    case 0:
      return `value ${index}, with "quotes", a \\ backslash and ünïcödé`;
    case 1:
      return index % 4 === 1 ? index * 1.5 : -index;
    case 2:
      return index % 4 === 0;
    case 3:
      return [index, index + 1, index + 2];
    case 4:
      return [`tag ${index}`, `tag ${index + 1}`];
    default:
      return { id: index, label: `label ${index}`, active: index % 3 === 0 };
  }
}

function fieldSchema(index: number): z.ZodType {
  switch (index % KINDS) {
    case 0:
      return z.string();
    case 1:
      return z.number();
    case 2:
      return z.boolean();
    case 3:
      return z.array(z.number());
    case 4:
      return z.array(z.string());
    default:
      return z.strictObject({ id: z.number(), label: z.string(), active: z.boolean() });
  }
}

const fieldName = (index: number) => `field_${index}`;

/**
 * The object the upstream streams, field by field in order.
 *
 * @example
 * ```ts
 * sampleObject(2).field_1; // 1.5
 * ```
 */
export function sampleObject(fields: number): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (let index = 0; index < fields; index += 1) object[fieldName(index)] = fieldValue(index);
  return object;
}

/**
 * The zod schema of {@link sampleObject}: every field required, no other key allowed (`strictObject`, which is also
 * what OpenAI's strict structured outputs want: `additionalProperties: false` everywhere).
 *
 * @example
 * ```ts
 * sampleSchema(3).parse(sampleObject(3));
 * ```
 */
export function sampleSchema(fields: number): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (let index = 0; index < fields; index += 1) shape[fieldName(index)] = fieldSchema(index);
  return z.strictObject(shape);
}

/** The key every consumer reads on every partial (the last field: absent until the very end). */
export function lastFieldName(fields: number): string {
  return fieldName(fields - 1);
}

/**
 * The JSON text of the object, cut into deltas of `deltaChars` UTF-16 code units (the last one may be shorter).
 *
 * @example
 * ```ts
 * sampleDeltas({ fields: 1, deltaChars: 5 })[0]; // '{"fie'
 * ```
 */
export function sampleDeltas(shape: StructuredShape): string[] {
  const text = JSON.stringify(sampleObject(shape.fields));
  const deltas: string[] = [];
  // No delta may end inside a surrogate pair: the wire carries JSON strings, which would mangle a lone surrogate.
  for (let start = 0; start < text.length; ) {
    let end = Math.min(text.length, start + shape.deltaChars);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end += 1;
    deltas.push(text.slice(start, end));
    start = end;
  }
  return deltas;
}

/**
 * The model id that asks the upstream for this shape.
 *
 * @example
 * ```ts
 * structuredModel({ fields: 2000, deltaChars: 5 }); // 'structured-2000-5'
 * ```
 */
export function structuredModel(shape: StructuredShape): string {
  return `structured-${shape.fields}-${shape.deltaChars}`;
}

/**
 * The shape a model id asks for, or `undefined` for any other id.
 *
 * @example
 * ```ts
 * shapeOfModel('structured-2000-5'); // { fields: 2000, deltaChars: 5 }
 * ```
 */
export function shapeOfModel(model: unknown): StructuredShape | undefined {
  if (typeof model !== 'string') return undefined;
  const match = /^structured-(\d+)-(\d+)$/.exec(model);
  if (!match) return undefined;
  const shape = { fields: Number(match[1]), deltaChars: Number(match[2]) };
  return shape.fields > 0 && shape.deltaChars > 0 ? shape : undefined;
}
