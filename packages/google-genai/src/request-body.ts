import type { Content, FunctionDeclaration, GenerateContentConfig } from '@google/genai';
import { type CompletionRequest, systemPrompt } from '@rxllm/core';
import { toGeminiContents } from '@rxllm/gemini-common/internal';

/** What `models.generateContentStream` takes, less the model, abort signal and HTTP options. */
export interface GoogleGenAIRequest {
  contents: Content[];
  config: GenerateContentConfig;
}

/**
 * Builds `@google/genai` `generateContentStream` parameters from a `CompletionRequest`: `contents` (assistant →
 * `model`, tool results → `functionResponse` parts), and a `config` with `systemInstruction`, sampling settings and
 * `functionDeclarations` (JSON Schema as `parametersJsonSchema`). `providerOptions[provider]` is merged into the
 * config last, e.g. `{ thinkingConfig: { includeThoughts: true } }`.
 *
 * @example
 * ```ts
 * const { contents, config } = toGoogleGenAIRequest('google-genai', { messages: [{ role: 'user', content: 'Hi' }], maxTokens: 100 });
 * // contents: [{ role: 'user', parts: [{ text: 'Hi' }] }], config: { maxOutputTokens: 100 }
 * ```
 */
export function toGoogleGenAIRequest(provider: string, request: CompletionRequest): GoogleGenAIRequest {
  // The SDK's `Part` is the same JSON as `GeminiContent`'s parts, typed field by field.
  const contents = toGeminiContents(provider, request.messages) as Content[];
  const config: GenerateContentConfig = {};
  const system = systemPrompt(request);
  if (system) config.systemInstruction = system;
  if (request.temperature !== undefined) config.temperature = request.temperature;
  if (request.maxTokens !== undefined) config.maxOutputTokens = request.maxTokens;
  if (request.topP !== undefined) config.topP = request.topP;
  if (request.stop && request.stop.length > 0) config.stopSequences = request.stop;
  if (request.tools && request.tools.length > 0) {
    const functionDeclarations: FunctionDeclaration[] = request.tools.map((tool) => ({
      name: tool.name,
      ...(tool.description ? { description: tool.description } : {}),
      parametersJsonSchema: tool.parameters,
    }));
    config.tools = [{ functionDeclarations }];
  }
  return {
    contents,
    config: { ...config, ...(request.providerOptions?.[provider] as GenerateContentConfig | undefined) },
  };
}
