import type { IncomingMessage, ServerResponse } from 'node:http';
import { isAuthorized } from './auth.js';
import { clientLeft } from './body.js';
import { answerPreflight, applyCors } from './cors.js';
import { errorBody, HttpError, toHttpError } from './errors.js';
import { assertJsonBody, type GuardOptions, requestGuard } from './guards.js';
import { sendError } from './responses.js';

/** What a route handler gets besides the request and the response. */
export interface RouteMatch {
  url: URL;
  /** The `:name` segments of the route's path, decoded. */
  params: Readonly<Record<string, string>>;
}

export type RouteHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  match: RouteMatch,
) => Promise<void> | void;

/** One path and the handlers of its methods. `HEAD` is served by `GET`; `OPTIONS` is the CORS preflight. */
export interface Route {
  /** `/chat`, `/chat/:streamId/cancel`: a `:name` segment matches one non-empty path segment. */
  path: string;
  methods: Partial<Record<'GET' | 'POST', RouteHandler>>;
  /**
   * Reachable without `AGENT_API_KEY` and from any `Origin` (health probes and the page, which a browser opens
   * without a header); every other route is refused (403 `forbidden`) to a page on a foreign origin.
   */
  public?: boolean;
  /** Its POST has no body (`cancel`): a request without `Content-Type` is accepted too; any other must be JSON. */
  bodyless?: boolean;
  /** Still served while the agent drains (probes, metrics); every other route answers 503 `shutdown` then. */
  servedWhileDraining?: boolean;
}

export interface RouterOptions extends GuardOptions {
  agentApiKey: string | undefined;
  isDraining(): boolean;
  /** The error body of a path (the `/v1/` routes speak OpenAI's error shape); default `{error:{kind,message}}`. */
  errorBodyFor?(path: string, error: HttpError): unknown;
  /** An error that is not an `HttpError` or an `LLMError` (a bug): logged with its stack. */
  onUnexpectedError?(error: unknown): void;
  /** Every request once its response is closed: `route` is the matched path pattern or `unmatched`. */
  onResponseClosed?(request: IncomingMessage, route: string, status: number, durationMs: number): void;
}

interface CompiledRoute {
  route: Route;
  pattern: RegExp;
  names: string[];
}

function compile(route: Route): CompiledRoute {
  const names: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(segment.slice(1));
      return '([^/]+)';
    })
    .join('/');
  return { route, pattern: new RegExp(`^${source}$`), names };
}

function match(routes: readonly CompiledRoute[], path: string): { route: Route; params: Record<string, string> } {
  for (const compiled of routes) {
    const found = compiled.pattern.exec(path);
    if (!found) continue;
    const params: Record<string, string> = {};
    try {
      compiled.names.forEach((name, index) => {
        params[name] = decodeURIComponent(found[index + 1] ?? '');
      });
    } catch {
      break;
    }
    return { route: compiled.route, params };
  }
  throw new HttpError({ kind: 'not-found', status: 404, message: `no route ${path}` });
}

function parseUrl(request: IncomingMessage): URL {
  try {
    return new URL(request.url ?? '/', 'http://agent.invalid');
  } catch {
    throw new HttpError({ kind: 'invalid-request', message: 'malformed request URL' });
  }
}

/**
 * The agent's one request handler: the `Host` allow list (421), URL parsing, route matching (404), the `Origin`
 * check (403 `forbidden`), CORS and its preflight, bearer auth (401), methods (405 with `Allow`), JSON-only POST
 * bodies (415), the drain guard (503 `shutdown`), and one error mapping for everything a handler throws. It takes a
 * plain `(request, response)`, so routes can be tested in process (light-my-request's `inject`).
 *
 * @example
 * ```ts
 * const handle = createRouter([{ path: '/healthz', public: true, methods: { GET: (_q, r) => sendJson(r, 200, {}) } }],
 *   { agentApiKey: undefined, allowedOrigins: [], isDraining: () => false });
 * createServer((request, response) => void handle(request, response));
 * ```
 */
export function createRouter(routes: readonly Route[], options: RouterOptions) {
  const compiled = routes.map(compile);
  const cors = { allowedOrigins: options.allowedOrigins };
  const guard = requestGuard(options);

  const dispatch = async (request: IncomingMessage, response: ServerResponse, found: { route: Route }) => {
    guard.host(request);
    const url = parseUrl(request);
    const { route, params } = match(compiled, url.pathname);
    found.route = route;
    const method = request.method ?? 'GET';
    const allowed = Object.keys(route.methods);
    if (!route.public || method === 'OPTIONS') guard.origin(request);
    if (method === 'OPTIONS') return answerPreflight(request, response, allowed, cors);
    applyCors(request, response, cors);
    if (!route.public && !isAuthorized(request.headers, options.agentApiKey)) {
      throw new HttpError({
        kind: 'auth',
        status: 401,
        message: 'missing or wrong bearer token (Authorization: Bearer …)',
      });
    }
    const handler = route.methods[method as 'GET'] ?? (method === 'HEAD' ? route.methods.GET : undefined);
    if (!handler) {
      throw new HttpError({
        kind: 'invalid-request',
        status: 405,
        message: `method ${method} is not allowed on ${route.path}; allowed: ${allowed.join(', ')}`,
        headers: { Allow: allowed.join(', ') },
      });
    }
    if (method === 'POST') assertJsonBody(request, { bodyless: route.bodyless === true });
    if (options.isDraining() && !route.servedWhileDraining) {
      throw new HttpError({ kind: 'shutdown', message: 'the server is shutting down' });
    }
    await handler(request, response, { url, params });
  };

  return async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = performance.now();
    const found: { route: Route | undefined } = { route: undefined };
    // No reply of the agent is meant to be sniffed into another type (a JSON error rendered as HTML, say).
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.on('close', () => {
      const status = response.headersSent ? response.statusCode : 499;
      options.onResponseClosed?.(request, found.route?.path ?? 'unmatched', status, performance.now() - started);
    });
    try {
      await dispatch(request, response, found as { route: Route });
    } catch (error) {
      // Nobody to answer: the client left before its request was read (see readJsonBody).
      if (clientLeft(request) && !response.headersSent) {
        response.destroy();
        return;
      }
      const failure = toHttpError(error);
      if (failure.kind === 'unknown') options.onUnexpectedError?.(error);
      const path = request.url ?? '/';
      sendError(response, failure, options.errorBodyFor?.(path, failure) ?? errorBody(failure));
    }
  };
}

/** The request handler {@link createRouter} returns. */
export type RequestHandler = ReturnType<typeof createRouter>;
