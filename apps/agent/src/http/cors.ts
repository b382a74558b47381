import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Origins listed in `ALLOWED_ORIGINS` get CORS headers; the agent's own page needs none (same origin). */
export interface CorsOptions {
  allowedOrigins: readonly string[];
}

/**
 * Adds the CORS response headers when the request's `Origin` is listed; returns whether it was.
 *
 * @example
 * ```ts
 * applyCors(request, response, { allowedOrigins: ['https://app.example'] });
 * ```
 */
export function applyCors(request: IncomingMessage, response: ServerResponse, options: CorsOptions): boolean {
  const origin = request.headers.origin;
  if (typeof origin !== 'string' || !options.allowedOrigins.includes(origin.replace(/\/+$/, ''))) return false;
  response.setHeader('Access-Control-Allow-Origin', origin);
  response.setHeader('Vary', 'Origin');
  response.setHeader('Access-Control-Expose-Headers', 'X-Stream-Id, X-Cache, Retry-After');
  return true;
}

/**
 * Answers a CORS preflight (`OPTIONS`) with 204 and `Allow`; the `Access-Control-Allow-*` headers only for a listed
 * origin, so a browser refuses the real request from any other.
 *
 * @example
 * ```ts
 * app.options('/chat', (request, reply) => answerPreflight(request, reply, ['POST'], { allowedOrigins: [] }));
 * ```
 */
export function answerPreflight(
  request: FastifyRequest,
  reply: FastifyReply,
  methods: readonly string[],
  options: CorsOptions,
): FastifyReply {
  const allowed = [...methods, 'OPTIONS'].join(', ');
  const cors = applyCors(request.raw, reply.raw, options);
  return reply
    .code(204)
    .headers({
      Allow: allowed,
      ...(cors
        ? {
            'Access-Control-Allow-Methods': allowed,
            'Access-Control-Allow-Headers': 'Authorization, Content-Type, Accept, Last-Event-ID, Cache-Control',
            'Access-Control-Max-Age': '600',
          }
        : {}),
    })
    .send();
}
