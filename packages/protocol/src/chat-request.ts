import type { ContentPart, ResponseFormat } from '@rxllm/core';

/** One message of the conversation sent to the agent; a user turn may be parts (text, images, files). */
export type ChatMessage =
  | { role: 'system' | 'assistant'; content: string }
  | { role: 'user'; content: string | ContentPart[] };

/**
 * The body of `POST /chat`, and the WebSocket message that starts a generation: either `message` (one user turn)
 * or `messages` (the whole conversation), optionally which provider and model, and sampling settings.
 *
 * @example
 * ```ts
 * const body: ChatRequestBody = { messages: [{ role: 'user', content: 'Hi' }], provider: 'anthropic' };
 * await fetch('http://localhost:8080/chat', {
 *   method: 'POST',
 *   headers: { 'content-type': 'application/json' },
 *   body: JSON.stringify(body),
 * });
 * ```
 */
export interface ChatRequestBody {
  message?: string;
  messages?: ChatMessage[];
  provider?: string;
  model?: string;
  /** 0 to 2. */
  temperature?: number;
  /** 1 to 200000. */
  maxTokens?: number;
  /** Ask for a JSON answer (with `schema`: of that shape); the stream then carries `object` events. */
  responseFormat?: ResponseFormat;
  /** `false` asks `POST /chat` for one JSON reply instead of an event stream. */
  stream?: boolean;
}
