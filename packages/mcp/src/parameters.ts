import type { JsonSchemaType, jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { z } from 'zod';
import type { $ZodType } from 'zod/v4/core';

/** A tool's arguments as checked: the zod schema `runTools` parses with, and whether it holds the JSON Schema. */
export interface ArgumentsCheck {
  schema: $ZodType;
  /** False when the validator could not compile the server's schema: then any JSON object passes. */
  validated: boolean;
}

/**
 * The JSON Schema a tool offers the model: the server's `inputSchema` without `$schema` (the model needs no
 * dialect), or `{ type: 'object' }` when the server sent none or one that is not an object schema.
 */
export function offeredSchema(inputSchema: unknown): Record<string, unknown> {
  if (typeof inputSchema !== 'object' || inputSchema === null || Array.isArray(inputSchema)) return { type: 'object' };
  const { $schema: _dialect, ...schema } = inputSchema as Record<string, unknown>;
  return schema.type === 'object' ? schema : { type: 'object' };
}

// Ajv names the root `data`: `data/city must be string` reads better as `arguments/city must be string`.
const readable = (message: string): string => message.replace(/(^|, )data(?=[/ ])/g, '$1arguments');

/**
 * The zod schema that checks a call's arguments against the tool's JSON Schema: any JSON object, then the JSON
 * Schema validator (the SDK's Ajv, as the SDK's own `Client` uses for output schemas, unless another is given).
 * zod 4.6's `z.fromJSONSchema` is not used: it refuses valid arguments (a relative `uri-reference`, an `enum` or
 * `const` of objects or arrays, an integer past 2^53, a `\p{…}` pattern) and throws on `not` and `#/definitions`.
 */
export function argumentsCheck(inputSchema: Record<string, unknown>, validator: jsonSchemaValidator): ArgumentsCheck {
  const object = z.looseObject({});
  let validate: ReturnType<jsonSchemaValidator['getValidator']>;
  try {
    validate = validator.getValidator(inputSchema as JsonSchemaType);
  } catch {
    // A schema the validator cannot compile: the server still validates the call.
    return { schema: object, validated: false };
  }
  const schema = object.check((payload) => {
    const result = validate(payload.value);
    if (!result.valid)
      payload.issues.push({ code: 'custom', message: readable(result.errorMessage), input: payload.value });
  });
  return { schema, validated: true };
}

/**
 * A fresh validator for one listing: Ajv keeps every schema it compiled, so a validator per listing lets the
 * schemas of a re-listed server go with its old tools.
 */
export const defaultValidator = (): jsonSchemaValidator => new AjvJsonSchemaValidator();
