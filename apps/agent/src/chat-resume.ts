import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './http-error.js';
import { sendJson } from './http-response.js';
import type { AgentContext } from './server.js';
import { serveSse } from './sse-transport.js';

const streamIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A stream id as the agent issues them (a UUID); anything else is a 400.
 *
 * @example
 * ```ts
 * parseStreamId('9a241c23-33d9-4fda-9072-22e97ee8f075'); // the same id
 * ```
 */
export function parseStreamId(raw: string): string {
  if (!streamIdPattern.test(raw)) {
    throw new HttpError({ kind: 'invalid-request', message: 'malformed stream id (expected the X-Stream-Id value)' });
  }
  return raw.toLowerCase();
}

/**
 * The id after which to resume: the `Last-Event-ID` header, else `?after=`, else 0. Not a non-negative integer: 400.
 *
 * @example
 * ```ts
 * resumeAfter(request, new URL('http://agent/chat/id?after=12')); // 12 unless Last-Event-ID says otherwise
 * ```
 */
export function resumeAfter(request: IncomingMessage, url: URL): number {
  const header = request.headers['last-event-id'];
  const raw = typeof header === 'string' && header.trim() !== '' ? header.trim() : url.searchParams.get('after');
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
 * `GET /chat/:streamId`: replays the events after `Last-Event-ID` (or `?after=`) from the store, then follows live
 * until `done`/`error`, as SSE with the same framing, heartbeats and slow-consumer bounds as `POST /chat`.
 * Unknown or expired id: 404; events no longer kept: 410 (both kind `not-found`).
 *
 * @example
 * ```ts
 * // curl -N http://localhost:8080/chat/$STREAM_ID -H 'Last-Event-ID: 12'
 * ```
 */
export function handleResume(context: AgentContext, request: IncomingMessage, response: ServerResponse, url: URL) {
  const streamId = parseStreamId(url.pathname.slice('/chat/'.length));
  const after = resumeAfter(request, url);
  const { generations, config, logger } = context;
  if (!generations) throw disabled();
  logger.info({ streamId, after }, 'Client resumes a stream');
  const follower = generations.follow(streamId, after);
  const session = serveSse({
    response,
    events: follower.events,
    streamId,
    pingIntervalMs: config.pingIntervalMs,
    maxBufferedBytes: config.maxBufferedBytes,
    slowConsumerGraceMs: config.slowConsumerGraceMs,
    replay: true,
    logged: true,
  });
  context.track({ finished: session.finished, abort: (error) => follower.stop(error) });
}

/**
 * `POST /chat/:streamId/cancel`: stops the generation for everyone, wherever it runs. 202 `{"cancelled":true}` if it
 * was running, else 404. Without resumable streams only generations of this instance can be cancelled.
 *
 * @example
 * ```ts
 * // curl -X POST http://localhost:8080/chat/$STREAM_ID/cancel   → 202 {"cancelled":true}
 * ```
 */
export async function handleCancel(context: AgentContext, response: ServerResponse, url: URL) {
  const streamId = parseStreamId(url.pathname.slice('/chat/'.length, -'/cancel'.length));
  const cancelled = await context.cancel(streamId);
  if (!cancelled) {
    throw new HttpError({ kind: 'not-found', status: 404, message: `no running generation ${streamId}` });
  }
  context.logger.info({ streamId }, 'Generation cancelled by a client');
  sendJson(response, 202, { cancelled: true });
}
