import { type CompletionRequest, type Message, messageText, type ResponseFormat } from '@rxllm/core';
import { z } from 'zod';
import { HttpError } from '../http/errors.js';
import { cacheControlSchema, checkContentParts, contentPartSchema, type PartLimits } from './content-parts.js';
import { jsonSchemaProblem } from './json-schema.js';

/** Limits applied to every chat body. */
export interface ChatLimits extends PartLimits {
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
  responseFormat: ResponseFormat | undefined;
  /** For `responseFormat`: the zod form of its schema (any JSON object without one), for the `object` events. */
  objectSchema: z.ZodType | undefined;
  stream: boolean | undefined;
}

/**
 * The agent's own request options, as `/chat`, the WebSocket and `/api/chat` (through the AI SDK transport's
 * `body`) take them: `provider`, `model`, `temperature`, `maxTokens`.
 */
export const chatOptionFields = {
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
};

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
                content: z.union([content, z.array(contentPartSchema, { error: 'must be an array of parts' })], {
                  error: 'must be a string or an array of parts',
                }),
                cacheControl: cacheControlSchema.optional(),
              },
              { error: 'must be an object {role, content}' },
            ),
            { error: 'must be an array of {role, content}' },
          )
          .min(1, { error: 'must not be empty' })
          .max(limits.maxMessages, { error: `must hold at most ${limits.maxMessages} messages` })
          .optional(),
        ...chatOptionFields,
        responseFormat: z
          .strictObject(
            {
              type: z.literal('json', { error: 'must be "json"' }),
              schema: z.record(z.string(), z.unknown(), { error: 'must be a JSON Schema object' }).optional(),
              name: z
                .string()
                .regex(/^[a-zA-Z0-9_-]{1,64}$/, { error: 'must be 1 to 64 letters, digits, _ or -' })
                .optional(),
              description: z.string({ error: 'must be a string' }).optional(),
              strict: z.boolean({ error: 'must be true or false' }).optional(),
            },
            { error: 'must be {type:"json", schema?, name?, strict?}' },
          )
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
      } else if (body.messages && !body.messages.some(hasContent)) {
        context.addIssue({
          code: 'custom',
          path: ['messages'],
          message: 'need at least one non-empty user or assistant message',
        });
      }
    });
}

function hasContent(message: { role: string; content: string | unknown[] }): boolean {
  if (message.role === 'system') return false;
  return typeof message.content === 'string' ? message.content.trim().length > 0 : message.content.length > 0;
}

/** Turns zod issues into one readable line: `temperature: must be between 0 and 2; model: must be a string`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const { path, message } = mostSpecific(issue);
      const where = path.join('.');
      return where ? `${where}: ${message}` : message;
    })
    .join('; ');
}

/**
 * Parses a vendor request body with its schema, or throws a 400 `invalid-request` {@link HttpError} whose message
 * says what is wrong and whose `param` names the first field at fault (OpenAI's and Anthropic's error shapes carry it).
 *
 * @example
 * ```ts
 * const body = parseVendorBody(schema, { model: 7 }); // throws 400 "model: Invalid input: expected string…", param model
 * ```
 */
export function parseVendorBody<T>(schema: z.ZodType<T>, raw: unknown): T {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const first = parsed.error.issues[0];
  throw new HttpError({
    kind: 'invalid-request',
    message: describeIssues(parsed.error),
    ...(first?.path[0] === undefined ? {} : { param: String(first.path[0]) }),
  });
}

/**
 * A union's issue says only "must be a string or an array of parts"; when one branch got further into the value
 * (a part's `source`), its deepest issue says what is wrong there.
 */
function mostSpecific(issue: z.core.$ZodIssue): { path: PropertyKey[]; message: string } {
  if (issue.code === 'unrecognized_keys') {
    return { path: issue.path, message: `unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}` };
  }
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return { path: issue.path, message: issue.message };
  const deepest = issue.errors
    .flat()
    .map(mostSpecific)
    .reduce((best, next) => (next.path.length > best.path.length ? next : best), { path: [], message: issue.message });
  return { path: [...issue.path, ...deepest.path], message: deepest.message };
}

function invalid(path: string, message: string): HttpError {
  return new HttpError({ kind: 'invalid-request', message: `${path}: ${message}` });
}

/** The zod schema the final `object` event is checked with; a 400 for a schema that is not JSON Schema. */
function toObjectSchema(schema: Record<string, unknown> | undefined): z.ZodType {
  if (schema === undefined) return z.looseObject({});
  const problem = jsonSchemaProblem(schema);
  if (problem) throw invalid('responseFormat.schema', problem);
  try {
    return z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
  } catch (error) {
    const reason = error instanceof Error ? error.message.slice(0, 200) : 'unsupported';
    throw invalid('responseFormat.schema', `cannot be used to check the answer: ${reason}`);
  }
}

/** Parts only in user messages, their text within the character limit, their images and files within the caps. */
function checkMessage(message: Message, index: number, limits: ChatLimits): void {
  if (typeof message.content === 'string') return;
  const path = `messages.${index}.content`;
  if (message.role !== 'user') throw invalid(path, `must be a string in a ${message.role} message (parts: user only)`);
  if (messageText(message).length > limits.maxMessageChars) {
    throw invalid(path, `must be at most ${limits.maxMessageChars} characters`);
  }
  checkContentParts(message.content, path, limits);
}

/**
 * A validator of `/chat` bodies (also the WebSocket message) for these limits, its zod schema built once (building
 * it per request made zod recompile its fast path every time, ~10 % of short-stream CPU). Unknown fields are
 * rejected so typos (`max_tokens`, `temprature`) do not silently do nothing. It throws a 400 {@link HttpError} with
 * a readable message.
 *
 * @example
 * ```ts
 * const parseChatBody = chatBodyParser({ maxMessageChars: 100_000, maxMessages: 200, maxContentParts: 20, maxAttachmentBytes: 10_485_760 });
 * const body = parseChatBody({ message: 'Hi', temperature: 0.2 });
 * ```
 */
export function chatBodyParser(limits: ChatLimits): (input: unknown) => ChatBody {
  const schema = chatSchema(limits);
  return (input) => {
    const result = schema.safeParse(input);
    if (!result.success) throw new HttpError({ kind: 'invalid-request', message: describeIssues(result.error) });
    const body = result.data;
    const messages = (body.messages ?? [{ role: 'user', content: body.message as string }]) as Message[];
    for (const [index, message] of messages.entries()) checkMessage(message, index, limits);
    const objectSchema = body.responseFormat && toObjectSchema(body.responseFormat.schema);
    return {
      messages,
      provider: body.provider,
      model: body.model,
      temperature: body.temperature,
      maxTokens: body.maxTokens,
      responseFormat: body.responseFormat as ResponseFormat | undefined,
      objectSchema,
      stream: body.stream,
    };
  };
}

/** The core request for a validated body and the chosen model. */
export function toCompletionRequest(
  body: Pick<ChatBody, 'messages' | 'temperature' | 'maxTokens'> & Partial<Pick<ChatBody, 'responseFormat'>>,
  model: string,
): CompletionRequest {
  return {
    model,
    messages: body.messages,
    ...(body.temperature === undefined ? {} : { temperature: body.temperature }),
    ...(body.maxTokens === undefined ? {} : { maxTokens: body.maxTokens }),
    ...(body.responseFormat === undefined ? {} : { responseFormat: body.responseFormat }),
  };
}

/** The last user message, for the `Received message: …` log line. */
export function lastUserText(messages: readonly Message[]): string {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index] as Message;
    if (message.role === 'user') return messageText(message);
  }
  const last = messages[messages.length - 1];
  return last ? messageText(last) : '';
}
