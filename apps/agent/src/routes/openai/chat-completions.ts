import type { AgentEvent } from '@rxllm/protocol';
import type { AgentContext } from '../../app/context.js';
import { replyJson } from '../../http/responses.js';
import type { Route } from '../../http/router.js';
import { serveJsonReply } from '../../transports/json-reply.js';
import { serveSse, streamSettings } from '../../transports/sse.js';
import { type CompletionIdentity, chatCompletionBody, chunkEncoder } from './chunk-encoding.js';
import { openAIErrorBody } from './errors.js';
import { chatCompletionsParser } from './request.js';

const doneTrailer = (terminal: AgentEvent) => (terminal.type === 'done' ? 'data: [DONE]\n\n' : undefined);

/**
 * `POST /v1/chat/completions` (any configured provider through OpenAI's Chat Completions wire format, streaming and
 * not) and `GET /v1/models` (every allowed model of every configured provider, the active default first). Errors
 * use OpenAI's shape, so the official `openai` client raises its own error classes.
 *
 * @example
 * ```ts
 * // new OpenAI({ baseURL: 'http://localhost:8080/v1', apiKey: 'unused' }).chat.completions.create({ … })
 * ```
 */
export function openAIRoutes(context: AgentContext): Route[] {
  const { config } = context;
  const settings = streamSettings(config);
  const parse = chatCompletionsParser(config);
  return [
    {
      path: '/v1/chat/completions',
      // The rate limit and the body (readJsonBody) come before the handler: the router runs them.
      rateLimited: true,
      methods: {
        POST: async (request, reply) => {
          const body = parse(request.body);
          const choice = context.catalog.chooseByModelId(body.model);
          const { streamId, events } = context.newGeneration(
            choice,
            { model: choice.model, messages: body.messages, ...body.options },
            {
              logFields: { route: '/v1/chat/completions' },
              cacheControl: request.headers['cache-control'],
              caller: context.keys.identify(request.headers),
            },
          );
          const identity: CompletionIdentity = {
            id: `chatcmpl-${streamId.replace(/-/g, '')}`,
            created: Math.floor(Date.now() / 1000),
            model: body.model ?? choice.model,
          };
          // From here the transports write the raw response and answer their own errors.
          reply.hijack();
          const response = reply.raw;
          if (!body.stream) {
            const render = (completion: Parameters<typeof chatCompletionBody>[1]) =>
              chatCompletionBody(identity, completion);
            context.track(serveJsonReply({ response, events, render, errorResponseBody: openAIErrorBody }));
            return;
          }
          const session = serveSse({
            response,
            events,
            streamId,
            ...settings,
            encode: chunkEncoder(identity, body.includeUsage),
            trailer: doneTrailer,
            errorResponseBody: openAIErrorBody,
          });
          context.track(session);
        },
      },
    },
    {
      path: '/v1/models',
      methods: {
        GET: (_request, reply) => {
          const data = context.catalog.entries.flatMap((entry) =>
            entry.models.map((model) => ({ id: model, object: 'model', created: 0, owned_by: entry.name })),
          );
          return replyJson(reply, 200, { object: 'list', data });
        },
      },
    },
  ];
}
