import { type CompletionRequest, systemPrompt } from '@rxllm/core';
import type { GeminiContent, GeminiToolConfig } from '@rxllm/gemini-common';
import { toGeminiContents, toGeminiOutputConfig, toGeminiToolConfig } from '@rxllm/gemini-common/internal';

/** The JSON body of `streamGenerateContent` that a `CompletionRequest` becomes. */
export interface GeminiRequestBody {
  contents: GeminiContent[];
  systemInstruction?: { role: 'system'; parts: Array<{ text: string }> };
  generationConfig?: Record<string, unknown>;
  tools?: Array<{ functionDeclarations: Array<Record<string, unknown>> }>;
  toolConfig?: GeminiToolConfig;
  [field: string]: unknown;
}

/**
 * Builds the Gemini request body: `contents` (user parts → `text` / `inlineData` / `fileData`, assistant → `model`,
 * tool results → `functionResponse` parts), `systemInstruction`, `generationConfig` (sampling, `seed`, and
 * `responseFormat` as `responseMimeType` + `responseJsonSchema`), `functionDeclarations` and `toolConfig` (from
 * `toolChoice`). `parallelToolCalls` and `user` have no Gemini field and are left out. `providerOptions[provider]` is
 * merged last, with its `generationConfig` merged into ours, e.g.
 * `{ generationConfig: { thinkingConfig: { includeThoughts: true } } }`. Throws an `invalid-request` `LLMError` for a
 * content part Gemini cannot take.
 *
 * @example
 * ```ts
 * const body = toGeminiRequestBody('gemini', { messages: [{ role: 'user', content: 'Hi' }], maxTokens: 100 });
 * // { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }], generationConfig: { maxOutputTokens: 100 } }
 * ```
 */
export function toGeminiRequestBody(provider: string, request: CompletionRequest): GeminiRequestBody {
  const contents = toGeminiContents(provider, request.messages);
  const generationConfig: Record<string, unknown> = {};
  if (request.temperature !== undefined) generationConfig.temperature = request.temperature;
  if (request.maxTokens !== undefined) generationConfig.maxOutputTokens = request.maxTokens;
  if (request.topP !== undefined) generationConfig.topP = request.topP;
  if (request.stop && request.stop.length > 0) generationConfig.stopSequences = request.stop;

  const { generationConfig: extraGenerationConfig, ...extra } = (request.providerOptions?.[provider] ?? {}) as {
    generationConfig?: Record<string, unknown>;
  };
  const mergedGenerationConfig = { ...generationConfig, ...toGeminiOutputConfig(request), ...extraGenerationConfig };
  const toolConfig = toGeminiToolConfig(request.toolChoice);
  const system = systemPrompt(request);
  return {
    contents,
    ...(system ? { systemInstruction: { role: 'system' as const, parts: [{ text: system }] } } : {}),
    ...(Object.keys(mergedGenerationConfig).length > 0 ? { generationConfig: mergedGenerationConfig } : {}),
    ...(request.tools && request.tools.length > 0
      ? {
          tools: [
            {
              functionDeclarations: request.tools.map((tool) => ({
                name: tool.name,
                ...(tool.description ? { description: tool.description } : {}),
                // The JSON Schema field: `parameters` takes only Google's OpenAPI subset, which refuses what JSON
                // Schema tools carry (`$schema`, `additionalProperties`, …). 0.24's types predate the field; the SDK
                // sends the body as given.
                parametersJsonSchema: tool.parameters,
              })),
            },
          ],
        }
      : {}),
    ...(toolConfig ? { toolConfig } : {}),
    ...extra,
  };
}
