import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { clientLeft } from './body.js';
import { applyCors } from './cors.js';
import { errorBody, HttpError, toHttpError } from './errors.js';
import { assertJsonBody, type GuardOptions, requestGuard } from './guards.js';
import { replyJson } from './responses.js';

/** What the guards read from a route's Fastify `config` (the router writes it from the route table). */
export interface RouteRules {
  path: string;
  allowed: readonly string[];
  public: boolean;
  bodyless: boolean;
  servedWhileDraining: boolean;
  websocket: boolean;
  /** The route of the methods the path does not serve: 405 with `Allow`. */
  methodNotAllowed: boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    agent?: RouteRules;
  }
  interface FastifyRequest {
    /** `performance.now()` when the request arrived. */
    startedAt: number;
  }
}

export interface RequestHookOptions extends GuardOptions {
  /** Whether a request presents a key the agent takes (true for all when none is configured). */
  authorize(headers: IncomingHttpHeaders, allowSubprotocol: boolean): boolean;
  isDraining(): boolean;
  /** The error body of a path (the `/v1/` routes speak OpenAI's error shape); default `{error:{kind,message}}`. */
  errorBodyFor?(path: string, error: HttpError): unknown;
  /** An error that is not an `HttpError` or an `LLMError` (a bug): logged with its stack. */
  onUnexpectedError?(error: unknown): void;
  /** Every request once answered (closed, or upgraded: 101); `route` is the path pattern or `unmatched`. */
  onResponseDone?(request: IncomingMessage, route: string, status: number, durationMs: number): void;
}

/** Node's parser marks a request that asks to switch protocols (`Connection: upgrade` and `Upgrade`). */
export const isUpgrade = (request: IncomingMessage) =>
  (request as IncomingMessage & { upgrade?: boolean }).upgrade === true;

const pathOf = (url: string) => url.split('?', 1)[0] || '/';

/** The 404 of a URL no route serves. */
export const notFound = (url: string) =>
  new HttpError({ kind: 'not-found', status: 404, message: `no route ${pathOf(url)}` });

/** The 405 of a method the route's path does not serve, with `Allow`. */
export const methodNotAllowed = (method: string, rules: RouteRules) =>
  new HttpError({
    kind: 'invalid-request',
    status: 405,
    message: `method ${method} is not allowed on ${rules.path}; allowed: ${rules.allowed.join(', ')}`,
    headers: { Allow: rules.allowed.join(', ') },
  });

/** Fastify's own client errors (a URL it cannot decode matches no route; others keep their 4xx) in agent terms. */
function fromFastifyError(error: FastifyError, url: string): HttpError | undefined {
  if (error instanceof HttpError || typeof error.code !== 'string' || !error.code.startsWith('FST_')) return undefined;
  if (error.code === 'FST_ERR_BAD_URL' || error.code === 'FST_ERR_MAX_PARAM_LENGTH') return notFound(url);
  const status = error.statusCode ?? 500;
  return status < 500 ? new HttpError({ kind: 'invalid-request', status, message: error.message }) : undefined;
}

/**
 * No route after all: a `:name` matched an empty segment (find-my-way matches `/chat/`, the agent's routes never
 * did), or an upgrade asks for a route that is no WebSocket (not a 101 that closes at once).
 */
function isUnmatched(request: FastifyRequest, rules: RouteRules): boolean {
  if (request.is404 || (isUpgrade(request.raw) && !rules.websocket)) return true;
  return Object.values(request.params as Record<string, string>).includes('');
}

/** The route pattern for metrics and logs, or `unmatched`. */
function routeName(request: FastifyRequest): string {
  const rules = request.routeOptions.config.agent;
  return !rules || isUnmatched(request, rules) ? 'unmatched' : rules.path;
}

/**
 * The request lifecycle every route shares. `observe` (first): `nosniff`, and the request's metrics once its raw
 * response closes, hijacked (streaming) replies included. `check` (the `onRequest` guards, before any body is read),
 * in this order: the `Host` allow list (421), route matching (404), the `Origin` check (403 `forbidden`), CORS,
 * bearer auth (401; for an upgrade also the subprotocol), methods (405 with `Allow`), JSON-only POST bodies (415),
 * the drain guard (503 `shutdown`). `handleError`: the one mapping of every failure to the agent's error body.
 *
 * @example
 * ```ts
 * const hooks = requestHooks(options);
 * app.addHook('onRequest', (request, reply, done) => { hooks.observe(request, reply); hooks.check(request, reply); done(); });
 * app.setErrorHandler(hooks.handleError);
 * ```
 */
export function requestHooks(options: RequestHookOptions) {
  const guard = requestGuard(options);
  const cors = { allowedOrigins: options.allowedOrigins };
  return {
    guard,
    observe(request: FastifyRequest, reply: FastifyReply): void {
      request.startedAt = performance.now();
      const response = reply.raw;
      // No reply of the agent is meant to be sniffed into another type (a JSON error rendered as HTML, say).
      response.setHeader('X-Content-Type-Options', 'nosniff');
      response.on('close', () => {
        // ws answered this handshake itself: a 101 (counted when it was accepted) or its 400 for a malformed one.
        if (isUpgrade(request.raw) && !response.headersSent) return;
        const status = response.headersSent ? response.statusCode : 499;
        options.onResponseDone?.(request.raw, routeName(request), status, performance.now() - request.startedAt);
      });
    },
    check(request: FastifyRequest, reply: FastifyReply): void {
      const { raw, method } = request;
      guard.host(raw);
      const rules = request.routeOptions.config.agent;
      if (!rules || isUnmatched(request, rules)) throw notFound(request.url);
      if (!rules.public || method === 'OPTIONS') guard.origin(raw);
      if (method === 'OPTIONS') return;
      const upgrade = isUpgrade(raw);
      // CORS does not apply to a WebSocket handshake (a browser sends its Origin: see guard.origin).
      if (!upgrade) applyCors(raw, reply.raw, cors);
      if (!rules.public && !options.authorize(raw.headers, upgrade)) {
        const hint = upgrade ? '' : ' (Authorization: Bearer …)';
        throw new HttpError({ kind: 'auth', status: 401, message: `missing or wrong bearer token${hint}` });
      }
      if (rules.methodNotAllowed) throw methodNotAllowed(method, rules);
      if (method === 'POST') assertJsonBody(raw, { bodyless: rules.bodyless });
      if (options.isDraining() && !rules.servedWhileDraining) {
        throw new HttpError({ kind: 'shutdown', message: 'the server is shutting down' });
      }
    },
    handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined {
      // Nobody to answer: the client left before its request was read (see readJsonBody).
      if (clientLeft(request.raw) && !reply.raw.headersSent) {
        reply.hijack();
        reply.raw.destroy();
        return undefined;
      }
      const failure = fromFastifyError(error as FastifyError, request.url) ?? toHttpError(error);
      if (failure.kind === 'unknown') options.onUnexpectedError?.(error);
      const headers = { ...failure.headers };
      if (failure.status === 401) headers['WWW-Authenticate'] = 'Bearer';
      // A refused upgrade ends its socket once the answer is out (no HTTP parser watches that socket any more).
      if (isUpgrade(request.raw)) {
        headers.Connection = 'close';
        reply.raw.once('finish', () => request.raw.socket.destroy());
      }
      const body = options.errorBodyFor?.(request.url, failure) ?? errorBody(failure);
      return replyJson(reply, failure.status, body, headers);
    },
    /** An accepted upgrade: counted (101) now, not when its socket closes. */
    upgraded(request: FastifyRequest, path: string): void {
      options.onResponseDone?.(request.raw, path, 101, performance.now() - request.startedAt);
    },
  };
}
