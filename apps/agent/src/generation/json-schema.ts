import { Ajv2020 } from 'ajv/dist/2020.js';
import { Ajv } from 'ajv/dist/ajv.js';

// Validators for the meta-schema check only: no schema here is ever compiled (a request's schema is the vendor's
// business), so a hostile schema costs one walk of its own size, bounded by the body limit. Draft-07 is what most
// tools emit (zod's toJSONSchema, pydantic); 2020-12 is the current draft; a schema that names neither is taken if
// either accepts it.
const options = { strict: false, validateSchema: true, addUsedSchema: false } as const;
const drafts = { 'draft-07': new Ajv(options), '2020-12': new Ajv2020(options) };
type Draft = keyof typeof drafts;

function draftsFor(metaSchema: unknown): Draft[] | string {
  if (metaSchema === undefined) return ['2020-12', 'draft-07'];
  if (typeof metaSchema !== 'string') return '$schema must be a string';
  if (/json-schema\.org\/(draft-0[67])\/schema#?$/.test(metaSchema)) return ['draft-07'];
  if (/json-schema\.org\/draft\/2020-12\/schema#?$/.test(metaSchema)) return ['2020-12'];
  return `$schema ${metaSchema.slice(0, 100)} is not supported (use draft-07 or 2020-12)`;
}

function problemUnder(draft: Draft, schema: object): string | undefined {
  const ajv = drafts[draft];
  if (ajv.validateSchema(schema) === true) return undefined;
  const first = ajv.errors?.[0];
  if (!first) return 'is not a valid JSON Schema';
  const where = first.instancePath.replace(/^\//, '');
  return `is not a valid JSON Schema: ${where ? `${where} ` : ''}${first.message ?? 'is invalid'}`;
}

/**
 * Why a value is not a JSON Schema a vendor can take (by the draft-07 or 2020-12 meta-schema, an object at the
 * root), or `undefined` when it is one.
 *
 * @example
 * ```ts
 * jsonSchemaProblem({ type: 'object', properties: { n: { type: 'integr' } } });
 * // 'is not a valid JSON Schema: properties/n/type must be equal to one of the allowed values'
 * ```
 */
export function jsonSchemaProblem(schema: unknown): string | undefined {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return 'must be a JSON Schema object';
  const candidates = draftsFor((schema as { $schema?: unknown }).$schema);
  if (typeof candidates === 'string') return candidates;
  const problems = candidates.map((draft) => problemUnder(draft, schema));
  return problems.includes(undefined) ? undefined : problems[0];
}
