import type { Content, FunctionDeclaration, GenerateContentConfig } from '@google/genai';
import { type CompletionRequest, LLMError, systemPrompt } from '@rxllm/core';

function parseArguments(provider: string, text: string): Record<string, unknown> {
  try {
    return text.trim() === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
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
  const contents: Content[] = [];
  const toolNames = new Map<string, string>();
  const push = (role: 'user' | 'model', part: NonNullable<Content['parts']>[number]) => {
    const last = contents.at(-1);
    // Gemini wants alternating turns: consecutive parts of one role (e.g. several tool results) share a turn.
    if (last && last.role === role) last.parts?.push(part);
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
