import type { FastifyRequest } from 'fastify';
import type { AgentContext } from '../app/context.js';
import { parseStreamId } from '../generation/stream-id.js';
import { MAX_APPROVAL_BODY_BYTES, parseApprovalBody } from '../generation/tool-approvals.js';
import { HttpError } from '../http/errors.js';
import { replyJson } from '../http/responses.js';
import type { Route } from '../http/router.js';
import { serveSse, streamSettings } from '../transports/sse.js';

/**
 * The id after which to resume: the `Last-Event-ID` header, else `?after=`, else 0. Not a non-negative integer: 400.
 *
 * @example
 * ```ts
 * resumeAfter(request); // GET /chat/:id?after=12 → 12, unless Last-Event-ID says otherwise
 * ```
 */
export function resumeAfter(request: FastifyRequest): number {
  const header = request.headers['last-event-id'];
  const raw =
    typeof header === 'string' && header.trim() !== ''
      ? header.trim()
      : new URL(request.url, 'http://agent.invalid').searchParams.get('after');
  if (raw === null || raw === '') return 0;
  if (!/^\d{1,15}$/.test(raw)) {
    throw new HttpError({ kind: 'invalid-request', message: 'Last-Event-ID / after must be a non-negative integer' });
  }
  return Number(raw);
}

const disabled = () =>
  new HttpError({
    kind: 'not-found',
    status: 404,
    message: 'resumable streams are disabled on this agent (RESUMABLE_STREAMS=true turns them on)',
  });

/**
 * `GET /chat/:streamId` replays the events after `Last-Event-ID` (or `?after=`) from the store, then follows live
 * until `done`/`error`, as SSE with the same framing, heartbeats and slow-consumer bounds as `POST /chat`.
 * Unknown or expired id: 404; events no longer kept: 410 (both kind `not-found`).
 * `POST /chat/:streamId/cancel` stops the generation for everyone, wherever it runs: 202 `{"cancelled":true}` if it
 * was running, else 404. Without resumable streams only generations of this instance can be cancelled.
 * `POST /chat/:streamId/approve` `{toolCallId, approved, reason?}` decides on a tool call waiting for approval:
 * 202 `{"decided":true}`, or `{"forwarded":true}` when another instance runs the generation (resumable streams);
 * 404 for no running generation, 409 when that call is not waiting for a decision.
 *
 * @example
 * ```ts
 * // curl -N http://localhost:8080/chat/$STREAM_ID -H 'Last-Event-ID: 12'
 * // curl -X POST http://localhost:8080/chat/$STREAM_ID/cancel   → 202 {"cancelled":true}
 * // curl http://localhost:8080/chat/$STREAM_ID/approve -H 'Content-Type: application/json' \
 * //   -d '{"toolCallId":"call_1","approved":true}'                  → 202 {"decided":true}
 * ```
 */
export function chatResumeRoutes(context: AgentContext): Route[] {
  const { config, logger } = context;
  const settings = streamSettings(config);
  return [
    {
      path: '/chat/:streamId',
      methods: {
        GET: (request, reply) => {
          const streamId = parseStreamId((request.params as { streamId: string }).streamId);
          const after = resumeAfter(request);
          const { generations } = context;
          if (!generations) throw disabled();
          logger.info({ streamId, after }, 'Client resumes a stream');
          const follower = generations.follow(streamId, after);
          reply.hijack();
          const session = serveSse({
            response: reply.raw,
            events: follower.events,
            streamId,
            ...settings,
            replay: true,
            logged: true,
          });
          context.track({ finished: session.finished, abort: (error) => follower.stop(error) });
        },
      },
    },
    {
      path: '/chat/:streamId/cancel',
      bodyless: true,
      methods: {
        POST: async (request, reply) => {
          const streamId = parseStreamId((request.params as { streamId: string }).streamId);
          const cancelled = await context.cancel(streamId);
          if (!cancelled) {
            throw new HttpError({ kind: 'not-found', status: 404, message: `no running generation ${streamId}` });
          }
          logger.info({ streamId }, 'Generation cancelled by a client');
          return replyJson(reply, 202, { cancelled: true });
        },
      },
    },
    {
      path: '/chat/:streamId/approve',
      maxBodyBytes: MAX_APPROVAL_BODY_BYTES,
      methods: {
        POST: async (request, reply) => {
          const streamId = parseStreamId((request.params as { streamId: string }).streamId);
          const decision = parseApprovalBody(request.body);
          const outcome = await context.decide(streamId, decision);
          if (outcome === 'not-found') {
            throw new HttpError({ kind: 'not-found', status: 404, message: `no running generation ${streamId}` });
          }
          if (outcome === 'not-waiting') {
            throw new HttpError({
              kind: 'invalid-request',
              status: 409,
              message: `the tool call ${decision.toolCallId} is not waiting for a decision`,
            });
          }
          logger.info(
            { streamId, toolCallId: decision.toolCallId, approved: decision.approved, outcome },
            `Tool call ${decision.approved ? 'approved' : 'denied'} by a client`,
          );
          return replyJson(reply, 202, outcome === 'decided' ? { decided: true } : { forwarded: true });
        },
      },
    },
  ];
}
