import type { CompletionRequest, Message } from '@rxllm/core';
import { z } from 'zod';
import type { AgentConfig } from '../../config.js';
import { describeIssues } from '../../generation/chat-request.js';
import { HttpError } from '../../http/errors.js';

const contentSchema = z.union(
  [
    z.string(),
    z.array(
      z.looseObject({ type: z.literal('text', { error: 'only text content parts are supported' }), text: z.string() }),
    ),
    z.null(),
  ],
  { error: 'must be a string or an array of text parts' },
);

function requestSchema(maxMessages: number) {
  // Unknown fields are ignored here (OpenAI clients send many: user, seed, n=1, …), unlike on /chat.
  return z.looseObject({
    model: z.string({ error: 'must be a string' }).optional(),
    messages: z
      .array(
        z.looseObject({
          role: z.enum(['system', 'developer', 'user', 'assistant'], {
            error: 'must be one of system, developer, user, assistant',
          }),
          content: contentSchema.optional(),
        }),
        { error: 'is required: an array of {role, content}' },
      )
      .min(1, { error: 'must not be empty' })
      .max(maxMessages, { error: `must hold at most ${maxMessages} messages` }),
    temperature: z.number({ error: 'must be a number' }).min(0).max(2, { error: 'must be between 0 and 2' }).nullish(),
    top_p: z.number({ error: 'must be a number' }).min(0).max(1, { error: 'must be between 0 and 1' }).nullish(),
    max_tokens: z
      .number()
      .int({ error: 'must be an integer' })
      .min(1)
      .max(200_000, { error: 'must be 1 to 200000' })
      .nullish(),
    max_completion_tokens: z
      .number()
      .int({ error: 'must be an integer' })
      .min(1)
      .max(200_000, { error: 'must be 1 to 200000' })
      .nullish(),
    stop: z.union([z.string(), z.array(z.string()).max(4)], { error: 'must be a string or up to 4 strings' }).nullish(),
    stream: z.boolean({ error: 'must be true or false' }).nullish(),
    stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
    n: z.literal(1, { error: 'only n=1 is supported' }).nullish(),
  });
}

function textOf(content: z.infer<typeof contentSchema> | undefined): string {
  if (content === undefined || content === null) return '';
  if (typeof content === 'string') return content;
  return content.map((part) => part.text).join('');
}

/** A validated Chat Completions request: the core request, and what the reply needs to know. */
export interface ChatCompletionsRequest {
  /** The `model` the client asked for (echoed in replies), if any. */
  model: string | undefined;
  messages: Message[];
  /** Sampling and limits, in the core request's terms (no `model`: the catalog picks it). */
  options: Omit<CompletionRequest, 'model' | 'messages'>;
  stream: boolean;
  includeUsage: boolean;
}

/**
 * A validator of `POST /v1/chat/completions` bodies, its schema built once for the configured limits. Unknown fields
 * are ignored (OpenAI clients send many); a bad field is a 400 whose `param` names it.
 *
 * @example
 * ```ts
 * const parse = chatCompletionsParser(config);
 * const request = parse({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true });
 * ```
 */
export function chatCompletionsParser(
  config: Pick<AgentConfig, 'maxMessages' | 'maxMessageChars'>,
): (raw: unknown) => ChatCompletionsRequest {
  const schema = requestSchema(config.maxMessages);
  return (raw) => {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new HttpError({
        kind: 'invalid-request',
        message: describeIssues(parsed.error),
        ...(first?.path[0] === undefined ? {} : { param: String(first.path[0]) }),
      });
    }
    const body = parsed.data;
    const messages: Message[] = body.messages.map((message) => {
      const content = textOf(message.content);
      if (content.length > config.maxMessageChars) {
        throw new HttpError({
          kind: 'invalid-request',
          param: 'messages',
          message: `messages: content must be at most ${config.maxMessageChars} characters`,
        });
      }
      return { role: message.role === 'developer' ? 'system' : message.role, content };
    });
    if (!messages.some((message) => message.role !== 'system' && message.content.trim() !== '')) {
      throw new HttpError({
        kind: 'invalid-request',
        param: 'messages',
        message: 'messages: need a non-empty user message',
      });
    }
    const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? undefined;
    return {
      model: body.model && body.model.length > 0 ? body.model : undefined,
      messages,
      options: {
        ...(body.temperature == null ? {} : { temperature: body.temperature }),
        ...(body.top_p == null ? {} : { topP: body.top_p }),
        ...(maxTokens === undefined ? {} : { maxTokens }),
        ...(body.stop == null ? {} : { stop: typeof body.stop === 'string' ? [body.stop] : body.stop }),
      },
      stream: body.stream === true,
      includeUsage: body.stream_options?.include_usage === true,
    };
  };
}
