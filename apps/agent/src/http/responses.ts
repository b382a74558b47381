import type { ServerResponse } from 'node:http';
import { toJsonLine } from '@rxllm/protocol';
import type { FastifyReply } from 'fastify';
import { errorBody, type HttpError } from './errors.js';

/**
 * Sends `{error:{kind,message}}` (or a custom body) with the error's status and headers; a 401 adds
 * `WWW-Authenticate: Bearer`. If headers already went out, the connection is cut instead.
 *
 * @example
 * ```ts
 * sendError(response, new HttpError({ kind: 'not-found', message: 'no route /x' }));
 * ```
 */
export function sendError(response: ServerResponse, error: HttpError, body: unknown = errorBody(error)): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const headers: Record<string, string> = { ...error.headers };
  if (error.status === 401) headers['WWW-Authenticate'] = 'Bearer';
  sendJson(response, error.status, body, headers);
}

/**
 * Sends one JSON body with its length on a raw response (the transports, after `reply.hijack()`).
 *
 * @example
 * ```ts
 * sendJson(response, 200, { status: 'ok' });
 * ```
 */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = toJsonLine(body);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  response.end(text);
}

/**
 * Sends one JSON body through Fastify's reply, with the same headers as {@link sendJson} (Fastify adds the length).
 *
 * @example
 * ```ts
 * return replyJson(reply, 200, { status: 'ok' });
 * ```
 */
export function replyJson(
  reply: FastifyReply,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): FastifyReply {
  return reply
    .code(status)
    .headers({ 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers })
    .send(toJsonLine(body));
}
