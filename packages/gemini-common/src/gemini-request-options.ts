import type { CompletionRequest, ToolChoice } from '@rxllm/core';

/** A Gemini `functionCallingConfig.mode` that a `ToolChoice` maps to. */
export type GeminiFunctionCallingMode = 'AUTO' | 'ANY' | 'NONE';

/** The Gemini `toolConfig` a `ToolChoice` becomes. */
export interface GeminiToolConfig {
  functionCallingConfig: { mode: GeminiFunctionCallingMode; allowedFunctionNames?: string[] };
}

/** The `generationConfig` fields of a request's `responseFormat` and `seed`. */
export interface GeminiOutputConfig {
  responseMimeType?: 'application/json';
  /** A JSON Schema (`responseJsonSchema`, not the OpenAPI-subset `responseSchema`). */
  responseJsonSchema?: Record<string, unknown>;
  seed?: number;
}

/**
 * The Gemini `toolConfig` for a tool choice: `auto` → `AUTO`, `none` → `NONE`, `required` → `ANY`, one named tool →
 * `ANY` with `allowedFunctionNames: [name]`; `undefined` when the request has no tool choice.
 *
 * @example
 * ```ts
 * toGeminiToolConfig({ type: 'tool', name: 'weather' });
 * // { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['weather'] } }
 * ```
 */
export function toGeminiToolConfig(toolChoice: ToolChoice | undefined): GeminiToolConfig | undefined {
  switch (toolChoice) {
    case undefined:
      return undefined;
    case 'auto':
      return { functionCallingConfig: { mode: 'AUTO' } };
    case 'none':
      return { functionCallingConfig: { mode: 'NONE' } };
    case 'required':
      return { functionCallingConfig: { mode: 'ANY' } };
    default:
      return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [toolChoice.name] } };
  }
}

/**
 * The `generationConfig` fields for structured output and sampling seed: `responseFormat` → `responseMimeType:
 * 'application/json'` (plus `responseJsonSchema` when it has a schema), `seed` → `seed`. `responseFormat.name`,
 * `description` and `strict` have no Gemini field (Gemini always holds the output to the schema) and are left out.
 *
 * @example
 * ```ts
 * toGeminiOutputConfig({ messages: [], responseFormat: { type: 'json', schema: { type: 'object' } }, seed: 7 });
 * // { responseMimeType: 'application/json', responseJsonSchema: { type: 'object' }, seed: 7 }
 * ```
 */
export function toGeminiOutputConfig(request: CompletionRequest): GeminiOutputConfig {
  const config: GeminiOutputConfig = {};
  if (request.responseFormat) {
    config.responseMimeType = 'application/json';
    if (request.responseFormat.schema) config.responseJsonSchema = request.responseFormat.schema;
  }
  if (request.seed !== undefined) config.seed = request.seed;
  return config;
}
