import type { CompletionRequest } from '@rxllm/core';
import { tap } from 'rxjs';
import type { AgentContext } from '../../app/context.js';
import type { ProviderChoice } from '../../generation/provider-catalog.js';
import type { Route } from '../../http/router.js';
import { serveJsonReply } from '../../transports/json-reply.js';
import { serveSse, streamSettings } from '../../transports/sse.js';
import { openAIErrorBody } from '../openai/errors.js';
import { ResponseAssembler, type ResponseIdentity, responseEventEncoder } from './event-encoding.js';
import { type ResponsesRequest, responsesParser } from './request.js';

const route = '/v1/responses';

/**
 * The request for the chosen provider: `reasoning.effort` goes to the OpenAI provider only (as Chat Completions'
 * `reasoning_effort`); the others have no such field and do without it.
 */
function completionRequest(body: ResponsesRequest, choice: ProviderChoice): CompletionRequest {
  const effort =
    body.reasoningEffort && choice.provider.name === 'openai'
      ? { providerOptions: { openai: { reasoning_effort: body.reasoningEffort } } }
      : {};
  return { model: choice.model, messages: body.messages, ...body.options, ...effort };
}

/**
 * `POST /v1/responses`: any configured provider through OpenAI's Responses wire format, streaming and not. The
 * agent stores nothing, so `previous_response_id`, `store: true` and `background: true` are a 400. Errors use
 * OpenAI's shape (a bad request is thrown to the router, whose `/v1/` errors are OpenAI's), so the official
 * `openai` client raises its own error classes.
 *
 * @example
 * ```ts
 * // new OpenAI({ baseURL: 'http://localhost:8080/v1', apiKey: 'unused' }).responses.stream({ model, input: 'Hi' })
 * ```
 */
export function responsesRoutes(context: AgentContext): Route[] {
  const { config } = context;
  const settings = streamSettings(config);
  const parse = responsesParser(config);
  return [
    {
      path: route,
      // The rate limit and the body (readJsonBody) come before the handler: the router runs them.
      rateLimited: true,
      methods: {
        POST: async (request, reply) => {
          const body = parse(request.body);
          const choice = context.catalog.chooseByModelId(body.model);
          const { streamId, events } = context.newGeneration(choice, completionRequest(body, choice), {
            logFields: { route },
            cacheControl: request.headers['cache-control'],
            caller: context.keys.identify(request.headers),
          });
          const identity: ResponseIdentity = {
            id: `resp_${streamId.replace(/-/g, '')}`,
            createdAt: Math.floor(Date.now() / 1000),
            model: body.model ?? choice.model,
            reasoningEffort: body.reasoningEffort ?? null,
            echo: body.echo,
          };
          // From here the transports write the raw response and answer their own errors.
          reply.hijack();
          const response = reply.raw;
          if (!body.stream) {
            const assembler = new ResponseAssembler(identity);
            context.track(
              serveJsonReply({
                response,
                events: events.pipe(tap(({ event }) => assembler.push(event))),
                render: () => assembler.response(),
                errorResponseBody: openAIErrorBody,
              }),
            );
            return;
          }
          const session = serveSse({
            response,
            events,
            streamId,
            ...settings,
            encode: responseEventEncoder(identity),
            errorResponseBody: openAIErrorBody,
          });
          context.track(session);
        },
      },
    },
  ];
}
