import { type CompletionRequest, messageText } from '@rxllm/core';

type Schema = Record<string, unknown>;

const isSchema = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const MAX_DEPTH = 8;

function typeOf(schema: Schema): string | undefined {
  const type = schema.type;
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return type.find((entry) => entry !== 'null') as string | undefined;
  if (isSchema(schema.properties)) return 'object';
  if (schema.items !== undefined) return 'array';
  return undefined;
}

function sampleObject(schema: Schema, depth: number, said: string): Record<string, unknown> {
  const properties = isSchema(schema.properties) ? schema.properties : {};
  const object: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(properties)) object[key] = sampleValue(property, depth + 1, said, key);
  if (Object.keys(properties).length === 0) object.message = said;
  return object;
}

function sampleScalar(type: string | undefined, schema: Schema, key: string, said: string): unknown {
  switch (type) {
    case 'integer':
      return typeof schema.minimum === 'number' ? Math.ceil(schema.minimum) : 7;
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 21.5;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return key === '' ? said : `simulated ${key}`;
  }
}

/** A value of the shape `schema` describes: the first `enum`/`const`, one element per array, every property. */
function sampleValue(schema: unknown, depth: number, said: string, key = ''): unknown {
  if (!isSchema(schema) || depth > MAX_DEPTH) return null;
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  const branches = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(branches) && branches.length > 0) return sampleValue(branches[0], depth + 1, said, key);
  const type = typeOf(schema);
  if (type === 'object') return sampleObject(schema, depth, said);
  if (type === 'array') {
    const count = typeof schema.minItems === 'number' ? Math.max(1, Math.min(schema.minItems, 5)) : 2;
    return Array.from({ length: count }, () => sampleValue(schema.items, depth + 1, said, key));
  }
  return sampleScalar(type, schema, key, said);
}

/**
 * The simulated answer to a request with a `responseFormat`: JSON of the requested schema's shape (every property,
 * the first enum value, two array elements), or `{"message": …}` echoing the prompt without a schema. It is not a
 * model: it shows the streaming of objects without a key.
 *
 * @example
 * ```ts
 * cannedObject({ messages: [{ role: 'user', content: 'Hi' }], responseFormat: { type: 'json', schema: { type: 'object', properties: { n: { type: 'integer' } } } } });
 * // '{"n":7}'
 * ```
 */
export function cannedObject(request: CompletionRequest): string {
  const lastUser = [...request.messages].reverse().find((message) => message.role === 'user');
  const said = lastUser ? messageText(lastUser).trim().slice(0, 200) : '';
  const schema = request.responseFormat?.schema ?? { type: 'object' };
  return JSON.stringify(sampleValue(schema, 0, said));
}
