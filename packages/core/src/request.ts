/** A tool call made by the assistant, as sent back in the conversation history. */
export interface AssistantToolCall {
  id: string;
  name: string;
  /** JSON text of the arguments. */
  arguments: string;
}

export type Message =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: AssistantToolCall[] }
  | { role: 'tool'; content: string; toolCallId: string; name?: string };

export type Role = Message['role'];

/** A function the model may call. `parameters` is a JSON Schema object. */
export interface ToolDefinition {
  name: string;
  description?: string;
  parameters: Record<string, unknown>;
}

/**
 * What to ask a provider. Only `messages` is required; `model` falls back to the provider's default.
 *
 * @example
 * ```ts
 * const request: CompletionRequest = {
 *   messages: [{ role: 'user', content: 'Tell me a story about AI' }],
 *   maxTokens: 500,
 *   temperature: 0.3,
 * };
 * ```
 */
export interface CompletionRequest {
  model?: string;
  messages: Message[];
  /** System prompt; joined before any `system` messages. */
  system?: string;
  temperature?: number;
  maxTokens?: number;
  topP?: number;
  stop?: string[];
  tools?: ToolDefinition[];
  /** Vendor-specific request fields, keyed by provider name: `{ anthropic: { thinking: {...} } }`. */
  providerOptions?: Record<string, Record<string, unknown>>;
}

/** The system prompt of a request: `request.system` and every `system` message, in order, joined by a blank line. */
export function systemPrompt(request: CompletionRequest): string | undefined {
  const parts = [request.system, ...request.messages.filter((m) => m.role === 'system').map((m) => m.content)].filter(
    (part): part is string => typeof part === 'string' && part.length > 0,
  );
  return parts.length > 0 ? parts.join('\n\n') : undefined;
}
