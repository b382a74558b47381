import type { CompletionRequest, Message } from '@rxllm/core';
import { z } from 'zod';
import { HttpError } from '../http/errors.js';

/** Limits applied to every chat body. */
export interface ChatLimits {
  maxMessageChars: number;
  maxMessages: number;
}

/** A validated `POST /chat` (or WebSocket) body. */
export interface ChatBody {
  messages: Message[];
  provider: string | undefined;
  model: string | undefined;
  temperature: number | undefined;
  maxTokens: number | undefined;
  stream: boolean | undefined;
}

function chatSchema(limits: ChatLimits) {
  const content = z
    .string({ error: 'must be a string' })
    .max(limits.maxMessageChars, { error: `must be at most ${limits.maxMessageChars} characters` });
  return z
    .strictObject(
      {
        message: content.refine((text) => text.trim().length > 0, { error: 'must not be empty' }).optional(),
        messages: z
          .array(
            z.strictObject(
              {
                role: z.enum(['system', 'user', 'assistant'], { error: 'must be one of system, user, assistant' }),
                content,
              },
              { error: 'must be an object {role, content}' },
            ),
            { error: 'must be an array of {role, content}' },
          )
          .min(1, { error: 'must not be empty' })
          .max(limits.maxMessages, { error: `must hold at most ${limits.maxMessages} messages` })
          .optional(),
        provider: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).optional(),
        model: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).optional(),
        temperature: z
          .number({ error: 'must be a number' })
          .min(0, { error: 'must be between 0 and 2' })
          .max(2, { error: 'must be between 0 and 2' })
          .optional(),
        maxTokens: z
          .number({ error: 'must be a number' })
          .int({ error: 'must be an integer' })
          .min(1, { error: 'must be between 1 and 200000' })
          .max(200_000, { error: 'must be between 1 and 200000' })
          .optional(),
        stream: z.boolean({ error: 'must be true or false' }).optional(),
      },
      { error: 'request body must be a JSON object' },
    )
    .superRefine((body, context) => {
      if (body.message === undefined && body.messages === undefined) {
        context.addIssue({ code: 'custom', path: ['message'], message: 'is required (or send messages)' });
      } else if (body.message !== undefined && body.messages !== undefined) {
        context.addIssue({ code: 'custom', path: ['message'], message: 'send either message or messages, not both' });
      } else if (
        body.messages &&
        !body.messages.some((message) => message.content.trim().length > 0 && message.role !== 'system')
      ) {
        context.addIssue({
          code: 'custom',
          path: ['messages'],
          message: 'need at least one non-empty user or assistant message',
        });
      }
    });
}

/** Turns zod issues into one readable line: `temperature: must be between 0 and 2; model: must be a string`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      if (issue.code === 'unrecognized_keys')
        return `unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`;
      const path = issue.path.join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

/**
 * A validator of `/chat` bodies (also the WebSocket message) for these limits, its zod schema built once (building
 * it per request made zod recompile its fast path every time, ~10 % of short-stream CPU). Unknown fields are
 * rejected so typos (`max_tokens`, `temprature`) do not silently do nothing. It throws a 400 {@link HttpError} with
 * a readable message.
 *
 * @example
 * ```ts
 * const parseChatBody = chatBodyParser({ maxMessageChars: 100_000, maxMessages: 200 });
 * const body = parseChatBody({ message: 'Hi', temperature: 0.2 });
 * ```
 */
export function chatBodyParser(limits: ChatLimits): (input: unknown) => ChatBody {
  const schema = chatSchema(limits);
  return (input) => {
    const result = schema.safeParse(input);
    if (!result.success) throw new HttpError({ kind: 'invalid-request', message: describeIssues(result.error) });
    const body = result.data;
    const messages: Message[] = body.messages ?? [{ role: 'user', content: body.message as string }];
    return {
      messages,
      provider: body.provider,
      model: body.model,
      temperature: body.temperature,
      maxTokens: body.maxTokens,
      stream: body.stream,
    };
  };
}

/** The core request for a validated body and the chosen model. */
export function toCompletionRequest(
  body: Pick<ChatBody, 'messages' | 'temperature' | 'maxTokens'>,
  model: string,
): CompletionRequest {
  return {
    model,
    messages: body.messages,
    ...(body.temperature === undefined ? {} : { temperature: body.temperature }),
    ...(body.maxTokens === undefined ? {} : { maxTokens: body.maxTokens }),
  };
}

/** The last user message, for the `Received message: …` log line. */
export function lastUserText(messages: readonly Message[]): string {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index] as Message;
    if (message.role === 'user') return message.content;
  }
  return messages[messages.length - 1]?.content ?? '';
}
