import type { CompletionRequest } from '@rxllm/core';
import { z } from 'zod';
import { BENCH_API_KEY } from './gateway-subjects.js';
import { lastFieldName, type StructuredShape, sampleSchema, structuredModel } from './structured-sample.js';

/**
 * The two subjects of the `structured` section. Each streams the sample object from the upstream as structured
 * output, reads one field of every partial it is handed (what a renderer does at the least) and resolves with the
 * count of partials and the final, schema-validated object (checked by the worker, not here).
 */
export interface StructuredOutcome {
  partials: number;
  /** Partials in which the last field was already present: a consumer that reads each partial. */
  partialsWithLastField: number;
  object: unknown;
}

export interface StructuredSubject {
  id: string;
  label: string;
  /** Builds the client once (outside the timed runs); resolves to the function that runs one stream. */
  prepare(upstreamUrl: string): Promise<(shape: StructuredShape) => Promise<StructuredOutcome>>;
}

export const STRUCTURED_PROMPT = 'Fill in every field of the object, as JSON.';

/** One zod schema per field count, shared by the runs of a process (building a 2,000-key schema is not measured). */
const schemas = new Map<number, z.ZodObject>();

/**
 * The zod schema of the sample object with `fields` fields, built once per process.
 *
 * @example
 * ```ts
 * schemaFor(2000) === schemaFor(2000); // true
 * ```
 */
export function schemaFor(fields: number): z.ZodObject {
  let schema = schemas.get(fields);
  if (!schema) {
    schema = sampleSchema(fields);
    schemas.set(fields, schema);
  }
  return schema;
}

/** The rxllm request: the JSON Schema is derived from the zod schema on every call, as `streamObject` does. */
function rxllmRequest(shape: StructuredShape, schema: z.ZodObject): CompletionRequest {
  return {
    model: structuredModel(shape),
    messages: [{ role: 'user', content: STRUCTURED_PROMPT }],
    responseFormat: { type: 'json', name: 'sample', schema: z.toJSONSchema(schema) as Record<string, unknown> },
  };
}

export const STRUCTURED_SUBJECTS: readonly StructuredSubject[] = [
  {
    id: 'rxllm-partial-objects',
    label: '`@rxllm/openai` `.stream()` → `partialObjects(schema)`',
    async prepare(upstreamUrl) {
      const { createOpenAI } = await import('@rxllm/openai');
      const { partialObjects } = await import('@rxllm/structured');
      const provider = createOpenAI({ apiKey: BENCH_API_KEY, baseURL: `${upstreamUrl}/v1` });
      return (shape) => {
        const schema = schemaFor(shape.fields);
        const last = lastFieldName(shape.fields);
        return new Promise<StructuredOutcome>((resolve, reject) => {
          const outcome: StructuredOutcome = { partials: 0, partialsWithLastField: 0, object: undefined };
          provider
            .stream(rxllmRequest(shape, schema))
            .pipe(partialObjects(schema))
            .subscribe({
              next: (event) => {
                if (event.type === 'complete') {
                  outcome.object = event.object;
                  return;
                }
                outcome.partials += 1;
                if (event.object[last] !== undefined) outcome.partialsWithLastField += 1;
              },
              error: reject,
              complete: () => resolve(outcome),
            });
        });
      };
    },
  },
  {
    id: 'ai-sdk-stream-object',
    label: 'Vercel AI SDK `streamObject` + `@ai-sdk/openai` (`.chat()`)',
    async prepare(upstreamUrl) {
      const { streamObject } = await import('ai');
      const { createOpenAI } = await import('@ai-sdk/openai');
      const provider = createOpenAI({ apiKey: BENCH_API_KEY, baseURL: `${upstreamUrl}/v1` });
      return async (shape) => {
        const last = lastFieldName(shape.fields);
        let failure: unknown;
        const result = streamObject({
          // `.chat()`: Chat Completions, the dialect the mock streams (`provider(id)` would use the Responses API).
          model: provider.chat(structuredModel(shape)),
          schema: schemaFor(shape.fields),
          schemaName: 'sample',
          prompt: STRUCTURED_PROMPT,
          maxRetries: 0,
          onError: ({ error }) => {
            failure = error;
          },
        });
        const outcome: StructuredOutcome = { partials: 0, partialsWithLastField: 0, object: undefined };
        for await (const partial of result.partialObjectStream) {
          outcome.partials += 1;
          if ((partial as Record<string, unknown>)[last] !== undefined) outcome.partialsWithLastField += 1;
        }
        if (failure) throw failure;
        outcome.object = await result.object;
        return outcome;
      };
    },
  },
];
