import { LLMError, type Message } from '@rxllm/core';
import { toGeminiPart } from './gemini-parts.js';

/** A Gemini `Content`: the shape both Google SDKs send as `contents[]`. */
export interface GeminiContent {
  role: 'user' | 'model';
  parts: Array<Record<string, unknown>>;
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
 * The Gemini `contents[]` for a conversation: user content parts become `text` / `inlineData` / `fileData` parts (see
 * `toGeminiPart`), assistant turns become `model`, tool calls `functionCall` parts, tool results `functionResponse`
 * parts of a `user` turn (named after their call), and consecutive parts of one role share a turn. System messages
 * are left out: they go in `systemInstruction`. Throws an `invalid-request` `LLMError` when a tool call's arguments
 * are not JSON or a content part cannot be sent (`unsupportedPartError`).
 *
 * @example
 * ```ts
 * toGeminiContents('gemini', [{ role: 'user', content: 'Hi' }]); // [{ role: 'user', parts: [{ text: 'Hi' }] }]
 * ```
 */
export function toGeminiContents(provider: string, messages: readonly Message[]): GeminiContent[] {
  const contents: GeminiContent[] = [];
  const toolNames = new Map<string, string>();
  const push = (role: GeminiContent['role'], part: Record<string, unknown>) => {
    const last = contents.at(-1);
    // Gemini wants alternating turns: consecutive parts of one role (e.g. several tool results) share a turn.
    if (last && last.role === role) last.parts.push(part);
    else contents.push({ role, parts: [part] });
  };
  for (const message of messages) {
    switch (message.role) {
      case 'system':
        break;
      case 'user':
        if (typeof message.content === 'string') push('user', { text: message.content });
        else for (const part of message.content) push('user', toGeminiPart(provider, part));
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
  return contents;
}
