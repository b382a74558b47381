import {
  type Content,
  FunctionCallingConfigMode,
  type FunctionDeclaration,
  type GenerateContentConfig,
  type ToolConfig,
} from '@google/genai';
import { type CompletionRequest, systemPrompt } from '@rxllm/core';
import { toGeminiContents, toGeminiOutputConfig, toGeminiToolConfig } from '@rxllm/gemini-common/internal';

/** What `models.generateContentStream` takes, less the model, abort signal and HTTP options. */
export interface GoogleGenAIRequest {
  contents: Content[];
  config: GenerateContentConfig;
}

/** The SDK's `ToolConfig` for a tool choice (the shared mapping, with the SDK's enum for the mode). */
function toolConfigOf(request: CompletionRequest): ToolConfig | undefined {
  const toolConfig = toGeminiToolConfig(request.toolChoice);
  if (!toolConfig) return undefined;
  const { mode, allowedFunctionNames } = toolConfig.functionCallingConfig;
  return {
    functionCallingConfig: {
      mode: FunctionCallingConfigMode[mode],
      ...(allowedFunctionNames ? { allowedFunctionNames } : {}),
    },
  };
}

/**
 * Builds `@google/genai` `generateContentStream` parameters from a `CompletionRequest`: `contents` (user parts →
 * `text` / `inlineData` / `fileData`, assistant → `model`, tool results → `functionResponse` parts), and a `config`
 * with `systemInstruction`, sampling settings, `seed`, `responseFormat` (`responseMimeType` + `responseJsonSchema`),
 * `functionDeclarations` (JSON Schema as `parametersJsonSchema`) and `toolConfig` (from `toolChoice`); the SDK moves
 * them to `generationConfig` / `toolConfig` on the wire. `parallelToolCalls` and `user` have no Gemini field and are
 * left out. `providerOptions[provider]` is merged into the config last, e.g. `{ thinkingConfig: { includeThoughts:
 * true } }`. Throws an `invalid-request` `LLMError` for a content part Gemini cannot take.
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
  const config: GenerateContentConfig = { ...toGeminiOutputConfig(request) };
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
  const toolConfig = toolConfigOf(request);
  if (toolConfig) config.toolConfig = toolConfig;
  return {
    contents,
    config: { ...config, ...(request.providerOptions?.[provider] as GenerateContentConfig | undefined) },
  };
}
