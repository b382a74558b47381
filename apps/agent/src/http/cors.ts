import type { IncomingMessage, ServerResponse } from 'node:http';

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
  response.setHeader('Access-Control-Expose-Headers', 'X-Stream-Id, Retry-After');
  return true;
}

/**
 * Answers a CORS preflight (`OPTIONS`) with 204 and `Allow`; the `Access-Control-Allow-*` headers only for a listed
 * origin, so a browser refuses the real request from any other.
 *
 * @example
 * ```ts
 * answerPreflight(request, response, ['GET', 'POST'], { allowedOrigins: [] });
 * ```
 */
export function answerPreflight(
  request: IncomingMessage,
  response: ServerResponse,
  methods: readonly string[],
  options: CorsOptions,
): void {
  const allowed = [...methods, 'OPTIONS'].join(', ');
  const cors = applyCors(request, response, options);
  response.writeHead(204, {
    Allow: allowed,
    ...(cors
      ? {
          'Access-Control-Allow-Methods': allowed,
          'Access-Control-Allow-Headers': 'Authorization, Content-Type, Accept, Last-Event-ID',
          'Access-Control-Max-Age': '600',
        }
      : {}),
  });
  response.end();
}
