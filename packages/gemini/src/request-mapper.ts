import { type CompletionRequest, LLMError, systemPrompt } from '@rxllm/core';

/** A Gemini `Content`: the shape both Google SDKs send as `contents[]`. */
export interface GeminiContent {
  role: 'user' | 'model';
  parts: Array<Record<string, unknown>>;
}

/** The JSON body of `streamGenerateContent` that a `CompletionRequest` becomes. */
export interface GeminiRequestBody {
  contents: GeminiContent[];
  systemInstruction?: { role: 'system'; parts: Array<{ text: string }> };
  generationConfig?: Record<string, unknown>;
  tools?: Array<{ functionDeclarations: Array<Record<string, unknown>> }>;
  [field: string]: unknown;
}

function parseArguments(provider: string, text: string): unknown {
  try {
    return text.trim() === '' ? {} : JSON.parse(text);
  } catch (cause) {
    throw new LLMError({
      kind: 'invalid-request',
      provider,
      message: 'a tool call in the history has arguments that are not JSON',
      cause,
    });
  }
}

function toolResponse(content: string): Record<string, unknown> {
  // Gemini wants an object; a JSON object result is sent as it is, anything else wrapped.
  try {
    const parsed: unknown = JSON.parse(content);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
    return { result: parsed };
  } catch {
    return { result: content };
  }
}

/**
 * Builds the Gemini request body: `contents` (assistant → `model`, tool results → `functionResponse` parts),
 * `systemInstruction`, `generationConfig` and `functionDeclarations`. `providerOptions[provider]` is merged last,
 * with its `generationConfig` merged into ours, e.g. `{ generationConfig: { thinkingConfig: { includeThoughts: true } } }`.
 *
 * @example
 * ```ts
 * const body = toGeminiRequestBody('gemini', { messages: [{ role: 'user', content: 'Hi' }], maxTokens: 100 });
 * // { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }], generationConfig: { maxOutputTokens: 100 } }
 * ```
 */
export function toGeminiRequestBody(provider: string, request: CompletionRequest): GeminiRequestBody {
  const contents: GeminiContent[] = [];
  const toolNames = new Map<string, string>();
  const push = (role: GeminiContent['role'], part: Record<string, unknown>) => {
    const last = contents.at(-1);
    // Gemini wants alternating turns: consecutive parts of one role (e.g. several tool results) share a turn.
    if (last && last.role === role) last.parts.push(part);
    else contents.push({ role, parts: [part] });
  };
  for (const message of request.messages) {
    switch (message.role) {
      case 'system':
        break;
      case 'user':
        push('user', { text: message.content });
        break;
      case 'assistant':
        if (message.content) push('model', { text: message.content });
        for (const call of message.toolCalls ?? []) {
          toolNames.set(call.id, call.name);
          push('model', { functionCall: { name: call.name, args: parseArguments(provider, call.arguments) } });
        }
        break;
      case 'tool':
        push('user', {
          functionResponse: {
            name: message.name ?? toolNames.get(message.toolCallId) ?? message.toolCallId,
            response: toolResponse(message.content),
          },
        });
        break;
    }
  }
  const generationConfig: Record<string, unknown> = {};
  if (request.temperature !== undefined) generationConfig.temperature = request.temperature;
  if (request.maxTokens !== undefined) generationConfig.maxOutputTokens = request.maxTokens;
  if (request.topP !== undefined) generationConfig.topP = request.topP;
  if (request.stop && request.stop.length > 0) generationConfig.stopSequences = request.stop;

  const { generationConfig: extraGenerationConfig, ...extra } = (request.providerOptions?.[provider] ?? {}) as {
    generationConfig?: Record<string, unknown>;
  };
  const mergedGenerationConfig = { ...generationConfig, ...extraGenerationConfig };
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
                parameters: tool.parameters,
              })),
            },
          ],
        }
      : {}),
    ...extra,
  };
}
