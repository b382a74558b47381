import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  applyChunk,
  type Chunk,
  type Completion,
  emptyCompletion,
  type FinishReason,
  type Message,
  type Usage,
} from '@rxllm/core';
import { z } from 'zod';
import { readJsonBody } from './body.js';
import { describeIssues } from './chat-request.js';
import { type AgentEvent, type NumberedEvent, toJsonLine } from './events.js';
import { HttpError, toHttpError } from './http-error.js';
import { sendError, sendJson } from './http-response.js';
import type { AgentContext } from './server.js';
import { serveSse } from './sse-transport.js';

const openAIErrorTypes: Record<string, string> = {
  'invalid-request': 'invalid_request_error',
  'content-filter': 'invalid_request_error',
  auth: 'authentication_error',
  'not-found': 'not_found_error',
  'rate-limit': 'rate_limit_exceeded',
  timeout: 'timeout',
  overloaded: 'server_error',
  network: 'server_error',
  unknown: 'server_error',
  shutdown: 'server_error',
  'slow-consumer': 'server_error',
  aborted: 'server_error',
};

/**
 * OpenAI's error shape, plus our `kind`: `{error:{message,type,param,code,kind}}`.
 *
 * @example
 * ```ts
 * openAIErrorBody(new HttpError({ kind: 'rate-limit', message: 'slow down' }));
 * // { error: { message: 'slow down', type: 'rate_limit_exceeded', param: null, code: 'rate-limit', kind: 'rate-limit' } }
 * ```
 */
export function openAIErrorBody(error: HttpError | { kind: string; message: string; param?: string | undefined }) {
  return {
    error: {
      message: error.message,
      type: openAIErrorTypes[error.kind] ?? 'server_error',
      param: error.param ?? null,
      code: error.kind,
      kind: error.kind,
    },
  };
}

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

type RequestSchema = ReturnType<typeof requestSchema>;

/** `maxMessages` is fixed per process, so this holds one schema per server; bounded in case a caller varies it. */
const requestSchemas = new Map<number, RequestSchema>();

function requestSchemaFor(maxMessages: number): RequestSchema {
  // Building a schema per request also made zod recompile its fast path every time.
  let schema = requestSchemas.get(maxMessages);
  if (!schema) {
    if (requestSchemas.size >= 16) requestSchemas.clear();
    schema = requestSchema(maxMessages);
    requestSchemas.set(maxMessages, schema);
  }
  return schema;
}

function textOf(content: z.infer<typeof contentSchema> | undefined): string {
  if (content === undefined || content === null) return '';
  if (typeof content === 'string') return content;
  return content.map((part) => part.text).join('');
}

const finishReasons: Record<FinishReason, string> = {
  stop: 'stop',
  length: 'length',
  'content-filter': 'content_filter',
  'tool-calls': 'tool_calls',
  error: 'stop',
  other: 'stop',
};

function openAIUsage(usage: Usage | undefined) {
  const prompt = usage?.inputTokens ?? 0;
  const completion = usage?.outputTokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: usage?.totalTokens ?? prompt + completion,
    ...(usage?.cachedInputTokens === undefined
      ? {}
      : { prompt_tokens_details: { cached_tokens: usage.cachedInputTokens } }),
    ...(usage?.reasoningTokens === undefined
      ? {}
      : { completion_tokens_details: { reasoning_tokens: usage.reasoningTokens } }),
  };
}

/** `POST /v1/chat/completions`: any configured provider through OpenAI's Chat Completions wire format. */
export async function handleChatCompletions(context: AgentContext, request: IncomingMessage, response: ServerResponse) {
  const { config } = context;
  const raw = await readJsonBody(request, config.maxBodyBytes);
  const parsed = requestSchemaFor(config.maxMessages).safeParse(raw);
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
  const choice = context.catalog.chooseByModelId(body.model);
  const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? undefined;
  const completionRequest = {
    model: choice.model,
    messages,
    ...(body.temperature == null ? {} : { temperature: body.temperature }),
    ...(body.top_p == null ? {} : { topP: body.top_p }),
    ...(maxTokens === undefined ? {} : { maxTokens }),
    ...(body.stop == null ? {} : { stop: typeof body.stop === 'string' ? [body.stop] : body.stop }),
  };
  const { streamId, events } = context.newGeneration(choice, completionRequest, { route: '/v1/chat/completions' });
  const completionId = `chatcmpl-${streamId.replace(/-/g, '')}`;
  const created = Math.floor(Date.now() / 1000);
  const modelId = body.model && body.model.length > 0 ? body.model : choice.model;

  if (!body.stream) {
    const completion: Completion = emptyCompletion();
    let done = false;
    let resolveFinished: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => {
      resolveFinished = resolve;
    });
    const subscription = events.subscribe(({ event, failure }) => {
      if (done) return;
      if (event.type === 'error') {
        done = true;
        resolveFinished();
        const error = failure ?? toHttpError(undefined);
        sendError(response, error, openAIErrorBody(error));
      } else if (event.type === 'done') {
        done = true;
        resolveFinished();
        sendJson(response, 200, {
          id: completionId,
          object: 'chat.completion',
          created,
          model: modelId,
          choices: [
            {
              index: 0,
              message: {
                role: 'assistant',
                content: completion.text,
                ...(completion.reasoning ? { reasoning_content: completion.reasoning } : {}),
                ...(completion.toolCalls.length > 0
                  ? {
                      tool_calls: completion.toolCalls.map((call) => ({
                        id: call.id ?? `call_${call.index}`,
                        type: 'function',
                        function: { name: call.name ?? '', arguments: call.arguments },
                      })),
                    }
                  : {}),
                refusal: null,
              },
              logprobs: null,
              finish_reason: finishReasons[completion.finishReason ?? 'stop'],
            },
          ],
          usage: openAIUsage(completion.usage),
        });
      } else {
        applyChunk(completion, event);
      }
    });
    response.on('close', () => {
      if (!done) {
        done = true;
        subscription.unsubscribe();
        resolveFinished();
      }
    });
    context.track({
      finished,
      abort: (error) => {
        if (done) return;
        done = true;
        subscription.unsubscribe();
        resolveFinished();
        sendError(response, error, openAIErrorBody(error));
      },
    });
    return;
  }

  const includeUsage = body.stream_options?.include_usage === true;
  let usage: Usage | undefined;
  let sentRole = false;
  const frame = (delta: Record<string, unknown>, finishReason: string | null = null) =>
    `data: ${toJsonLine({
      id: completionId,
      object: 'chat.completion.chunk',
      created,
      model: modelId,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      ...(includeUsage ? { usage: null } : {}),
    })}\n\n`;
  const roleFrame = () => {
    if (sentRole) return '';
    sentRole = true;
    return frame({ role: 'assistant', content: '' });
  };
  const encodeChunk = (chunk: Chunk): string => {
    switch (chunk.type) {
      case 'start':
        return roleFrame();
      case 'text':
        return roleFrame() + frame({ content: chunk.text });
      case 'reasoning':
        return roleFrame() + frame({ reasoning_content: chunk.text });
      case 'tool-call':
        return (
          roleFrame() +
          frame({
            tool_calls: [
              {
                index: chunk.index,
                ...(chunk.id === undefined ? {} : { id: chunk.id, type: 'function' }),
                function: {
                  ...(chunk.name === undefined ? {} : { name: chunk.name }),
                  arguments: chunk.argumentsDelta,
                },
              },
            ],
          })
        );
      case 'usage':
        usage = { ...usage, ...chunk.usage };
        return '';
      case 'finish':
        return roleFrame() + frame({}, finishReasons[chunk.reason]);
    }
  };
  const encode = ({ event }: NumberedEvent): string => {
    if (event.type === 'done') {
      if (!includeUsage) return '';
      return `data: ${toJsonLine({ id: completionId, object: 'chat.completion.chunk', created, model: modelId, choices: [], usage: openAIUsage(usage) })}\n\n`;
    }
    if (event.type === 'error') return `data: ${toJsonLine(openAIErrorBody(event.error))}\n\n`;
    return encodeChunk(event);
  };
  const session = serveSse({
    response,
    events,
    streamId,
    pingIntervalMs: config.pingIntervalMs,
    maxBufferedBytes: config.maxBufferedBytes,
    slowConsumerGraceMs: config.slowConsumerGraceMs,
    encode,
    trailer: (terminal: AgentEvent) => (terminal.type === 'done' ? 'data: [DONE]\n\n' : undefined),
    errorResponseBody: openAIErrorBody,
  });
  context.track(session);
}

/** `GET /v1/models`: every allowed model of every configured provider, the active default first. */
export function handleModels(context: AgentContext, response: ServerResponse): void {
  const data = context.catalog.entries.flatMap((entry) =>
    entry.models.map((model) => ({ id: model, object: 'model', created: 0, owned_by: entry.name })),
  );
  sendJson(response, 200, { object: 'list', data });
}
