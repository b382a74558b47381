import type { FastifyReply } from 'fastify';
import { map, tap } from 'rxjs';
import type { AgentContext } from '../../app/context.js';
import type { GenerationEvent } from '../../generation/generate.js';
import type { ProviderChoice } from '../../generation/provider-catalog.js';
import { HttpError, toHttpError } from '../../http/errors.js';
import { replyJson } from '../../http/responses.js';
import type { Route } from '../../http/router.js';
import { serveJsonReply } from '../../transports/json-reply.js';
import { serveSse, streamSettings } from '../../transports/sse.js';
import { anthropicErrorBody, anthropicStatusError } from './errors.js';
import { MessageAssembler, type MessageIdentity, messageEventEncoder } from './event-encoding.js';
import { type MessagesRequest, messagesParser } from './request.js';

const route = '/v1/messages';

/** An error answered before anything was streamed: Anthropic's status and body (the router's would be OpenAI's). */
function replyError(reply: FastifyReply, error: unknown): FastifyReply {
  const failure = anthropicStatusError(toHttpError(error));
  return replyJson(reply, failure.status, anthropicErrorBody(failure), failure.headers);
}

/** Failures keep Anthropic's status for their type (529 for `overloaded`) when they become an HTTP error. */
const withAnthropicStatus = map(
  (event: GenerationEvent): GenerationEvent =>
    event.failure ? { ...event, failure: anthropicStatusError(event.failure) } : event,
);

/** The request for the chosen provider: `thinking` goes to the Anthropic provider only; others have no such field. */
function completionRequest(body: MessagesRequest, choice: ProviderChoice) {
  const thinking =
    body.thinking && choice.provider.name === 'anthropic'
      ? { providerOptions: { anthropic: { thinking: body.thinking } } }
      : {};
  return { model: choice.model, messages: body.messages, ...body.options, ...thinking };
}

/**
 * `POST /v1/messages` (any configured provider through Anthropic's Messages wire format, streaming and not) and
 * `POST /v1/messages/count_tokens` (501: the agent cannot count tokens for every provider honestly). Errors use
 * Anthropic's shape, so the official `@anthropic-ai/sdk` client raises its own error classes.
 *
 * @example
 * ```ts
 * // new Anthropic({ baseURL: 'http://localhost:8080', apiKey: process.env.AGENT_API_KEY }).messages.stream({ … })
 * ```
 */
export function anthropicRoutes(context: AgentContext): Route[] {
  const { config } = context;
  const settings = streamSettings(config);
  const parse = messagesParser(config);
  return [
    {
      path: route,
      // The rate limit and the body (readJsonBody) come before the handler: the router runs them.
      rateLimited: true,
      methods: {
        POST: async (request, reply) => {
          let body: MessagesRequest;
          let choice: ProviderChoice;
          try {
            body = parse(request.body);
            choice = context.catalog.chooseByModelId(body.model);
          } catch (error) {
            return replyError(reply, error);
          }
          const { streamId, events } = context.newGeneration(choice, completionRequest(body, choice), {
            logFields: { route },
            cacheControl: request.headers['cache-control'],
            caller: context.keys.identify(request.headers),
          });
          const compact = streamId.replace(/-/g, '');
          const identity: MessageIdentity = {
            id: `msg_${compact}`,
            model: body.model,
            toolIdPrefix: `toolu_${compact}`,
          };
          const headers = { 'request-id': identity.id };
          // From here the transports write the raw response and answer their own errors.
          reply.hijack();
          const response = reply.raw;
          const generation = events.pipe(withAnthropicStatus);
          if (!body.stream) {
            const assembler = new MessageAssembler(identity);
            context.track(
              serveJsonReply({
                response,
                events: generation.pipe(tap(({ event }) => assembler.push(event))),
                render: () => assembler.message(),
                errorResponseBody: anthropicErrorBody,
                headers,
              }),
            );
            return;
          }
          const session = serveSse({
            response,
            events: generation,
            streamId,
            ...settings,
            encode: messageEventEncoder(identity),
            errorResponseBody: anthropicErrorBody,
            headers,
          });
          context.track(session);
        },
      },
    },
    {
      path: `${route}/count_tokens`,
      methods: {
        POST: (_request, reply) =>
          replyError(
            reply,
            new HttpError({
              kind: 'invalid-request',
              status: 501,
              // A 5xx that retrying cannot fix: Stainless clients (the Anthropic SDK) honour this header.
              headers: { 'x-should-retry': 'false' },
              message:
                'count_tokens is not implemented by this agent: it serves several providers and cannot count tokens ' +
                'for all of them exactly; the usage of a /v1/messages reply has the counts the provider reported',
            }),
          ),
      },
    },
  ];
}
