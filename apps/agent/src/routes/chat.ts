import type { IncomingHttpHeaders } from 'node:http';
import type { Completion } from '@rxllm/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ActiveStream, AgentContext } from '../app/context.js';
import { toCompletionRequest } from '../generation/chat-request.js';
import { HttpError } from '../http/errors.js';
import type { Route } from '../http/router.js';
import { serveJsonReply, type ToolLoopSummary } from '../transports/json-reply.js';
import { serveSse, streamSettings } from '../transports/sse.js';

function wantsJsonReply(headers: IncomingHttpHeaders, stream: boolean | undefined): boolean {
  if (stream !== undefined) return !stream;
  const accept = headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/event-stream');
}

/**
 * The tool fields of a JSON reply: calls the agent ran go under `toolResults` (with `steps`), never under
 * `toolCalls`, which keeps only the calls left for the client (a model's calls when no server tool ran them).
 */
function toolFields(completion: Completion, loop: ToolLoopSummary | undefined) {
  const ran = new Set(loop?.toolResults.map((result) => result.toolCallId));
  const open = completion.toolCalls.filter((call) => call.id === undefined || !ran.has(call.id));
  return {
    ...(open.length > 0 ? { toolCalls: open } : {}),
    ...(loop && loop.toolResults.length > 0
      ? {
          steps: loop.steps,
          toolResults: loop.toolResults.map(({ name, toolCallId, output, error, denied, durationMs }) => ({
            toolCallId,
            name,
            ...(error ? { error } : { output }),
            ...(denied ? { denied } : {}),
            durationMs,
          })),
        }
      : {}),
  };
}

const jsonReplyDenial = 'a JSON reply cannot ask for approval: stream the reply (SSE or WebSocket) to decide';

const abortedByClient = () => new HttpError({ kind: 'aborted', message: 'cancelled by a client' });

/**
 * Without resumability the reply is the generation: shutdown ends it, a cancel by id (`POST /chat/:id/cancel`)
 * aborts it.
 *
 * @example
 * ```ts
 * if (!run) serveLocally(context, streamId, serveSse({ response, events, streamId, ...settings }));
 * ```
 */
export function serveLocally(context: AgentContext, streamId: string, stream: ActiveStream): void {
  context.track(stream);
  context.registerCancel(streamId, () => stream.abort(abortedByClient()), stream.finished);
}

/**
 * `POST /chat`: one generation as SSE (default) or, with `stream:false` or `Accept: application/json`, one JSON
 * body `{text, finishReason, usage, metrics, …}`. With resumable streams the generation runs as a stored run that
 * outlives this reply; otherwise it is cancellable by id while this instance serves it.
 *
 * @example
 * ```ts
 * // curl -N http://localhost:8080/chat -H 'Content-Type: application/json' -d '{"message":"Hello"}'
 * ```
 */
export function chatRoutes(context: AgentContext): Route[] {
  const { config, logger } = context;
  const settings = streamSettings(config);
  // The rate limit and the body (readJsonBody) come before: the route is rateLimited, the body parsed by the router.
  const chat = async (request: FastifyRequest, reply: FastifyReply) => {
    const body = context.parseChatBody(request.body);
    const choice = context.catalog.choose(body);
    const completionRequest = toCompletionRequest(body, choice.model);
    const json = wantsJsonReply(request.headers, body.stream);
    const { streamId, events: generation } = context.newGeneration(choice, completionRequest, {
      objectSchema: body.objectSchema,
      serverTools: true,
      cacheControl: request.headers['cache-control'],
      caller: context.keys.identify(request.headers),
      ...(json ? { denyApprovals: jsonReplyDenial } : {}),
    });
    // Resumable: the run owns the generation and outlives this reply; the reply is one attached client.
    const run = await context.startRun(streamId, generation);
    const events = run ? run.live : generation;
    // From here the transports write the raw response; what they meet (an upstream error too) they answer themselves.
    reply.hijack();
    const response = reply.raw;
    if (json) {
      const jsonReply = serveJsonReply({
        response,
        events,
        headers: { 'X-Stream-Id': streamId },
        render: (completion, metrics, object, loop) => ({
          text: completion.text,
          ...(object === undefined ? {} : { object }),
          ...(completion.reasoning ? { reasoning: completion.reasoning } : {}),
          ...toolFields(completion, loop),
          finishReason: completion.finishReason ?? null,
          usage: completion.usage ?? null,
          metrics,
          provider: completion.provider,
          model: completion.model,
          streamId,
        }),
      });
      if (!run) serveLocally(context, streamId, jsonReply);
      return;
    }
    const session = serveSse({ response, events, streamId, ...settings, logged: run !== undefined });
    if (!run) serveLocally(context, streamId, session);
    void session.finished.then((end) => {
      if (end.status === 'slow-consumer') logger.warn({ streamId, delivered: end.delivered }, 'Dropped a slow client');
    });
  };
  return [{ path: '/chat', rateLimited: true, methods: { POST: chat } }];
}
