import { type IncomingMessage, METHODS } from 'node:http';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerFactory,
  LogController,
} from 'fastify';
import type { Logger } from 'pino';
import type { ServerOptions, WebSocket } from 'ws';
import { readJsonBody } from './body.js';
import { answerPreflight } from './cors.js';
import { isUpgrade, methodNotAllowed, type RequestHookOptions, type RouteRules, requestHooks } from './hooks.js';

/** A route handler: Fastify's request and reply. A streaming route calls `reply.hijack()` and writes `reply.raw`. */
export type RouteHandler = (request: FastifyRequest, reply: FastifyReply) => unknown;

/** Serves one accepted WebSocket (the upgrade has passed every guard and the rate limit). */
export type WebSocketHandler = (socket: WebSocket, request: FastifyRequest) => void;

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
  /** Its POST has no body (`cancel`): a request without `Content-Type` is accepted too and no body is ever read. */
  bodyless?: boolean;
  /** Still served while the agent drains (probes, metrics); every other route answers 503 `shutdown` then. */
  servedWhileDraining?: boolean;
  /** Takes a rate-limit token after the guards and before the body is read (429 `rate-limit`). */
  rateLimited?: boolean;
  /** A smaller body cap than `MAX_BODY_BYTES` for a route whose body is small (413 above it). */
  maxBodyBytes?: number;
  /**
   * A WebSocket endpoint: an upgrade of its `GET` (bearer token in the header or the `rxllm.bearer.<token>`
   * subprotocol) is handed to this once accepted; its plain `GET` handler answers requests without an upgrade.
   */
  websocket?: WebSocketHandler;
}

export interface HttpLayerOptions extends RequestHookOptions {
  logger: Logger;
  /** Builds the `node:http` server (its timeouts, the drain's `Connection: close`). */
  serverFactory: FastifyServerFactory;
  maxBodyBytes: number;
  /** Takes a token for the request's client or throws a 429 `HttpError`. */
  rateLimit(request: IncomingMessage): Promise<void>;
  /** The `ws` server of the WebSocket routes: frame size cap, compression, subprotocol choice. */
  websocket: Pick<ServerOptions, 'maxPayload' | 'perMessageDeflate' | 'handleProtocols'>;
}

/** The Fastify instance with the agent's HTTP rules, and the plugin that adds routes under them. */
export interface HttpLayer {
  app: FastifyInstance;
  /** A plugin of routes: their handlers, the CORS preflight, and 405 with `Allow` for every other method. */
  plugin(routes: readonly Route[]): FastifyPluginAsync;
}

/**
 * The agent's HTTP layer on Fastify: one `onRequest` hook runs the guards (see {@link requestHooks}) before any
 * body is read; `readJsonBody` is the content-type parser (Fastify's `bodyLimit`, its 413 and 30 s deadline); one
 * error handler maps every failure, Fastify's included; WebSocket upgrades (`@fastify/websocket`) take the same
 * routes through the same guards. Routes come as plugins ({@link HttpLayer.plugin}) of a route table.
 *
 * @example
 * ```ts
 * const http = await createHttpLayer({ ...config, logger, serverFactory, rateLimit, websocket: {}, isDraining });
 * await http.app.register(http.plugin([{ path: '/healthz', public: true, methods: { GET: (_q, reply) => reply.send('ok') } }]));
 * ```
 */
export async function createHttpLayer(options: HttpLayerOptions): Promise<HttpLayer> {
  const hooks = requestHooks(options);
  const app: FastifyInstance = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    // One debug line per request comes from onResponseDone; Fastify's two info lines per request would be extra.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.maxBodyBytes,
    return503OnClosing: false,
    serverFactory: options.serverFactory,
    // A param is cut only by Node's 16 KiB header limit, so a long stream id is a 400 of its route, not a 414.
    routerOptions: { maxParamLength: 16 * 1024 },
    // A URL the router cannot decode skips Fastify's hooks: the same observation, Host guard and 404 here.
    frameworkErrors: (error, request, reply) => {
      hooks.observe(request, reply);
      let failure: unknown = error;
      try {
        hooks.guard.host(request.raw);
      } catch (refused) {
        failure = refused;
      }
      hooks.handleError(failure, request, reply);
    },
  });
  // The guards answer before any body is read, so Node's whole method list gets 405 (not Fastify's 404) and a
  // preflight has no body to read. CONNECT never reaches a request handler.
  for (const method of METHODS) {
    if (method !== 'CONNECT' && !app.supportedMethods.includes(method)) app.addHttpMethod(method);
  }
  app.addHttpMethod('OPTIONS', { overrideExisting: true });
  installBodyParser(app);
  await app.register(fastifyWebsocket, {
    options: { ...options.websocket },
    // ws closes the socket itself after a protocol error (1009, 1007…): nothing to log or terminate here.
    errorHandler: () => undefined,
  });
  app.decorateRequest('startedAt', 0);
  app.addHook('onRequest', (request, reply, done) => {
    hooks.observe(request, reply);
    try {
      hooks.check(request, reply);
      done();
    } catch (error) {
      done(error as FastifyError);
    }
  });
  app.setErrorHandler(hooks.handleError);
  const parts: RouteParts = {
    cors: { allowedOrigins: options.allowedOrigins },
    rateLimit: options.rateLimit,
    upgraded: hooks.upgraded,
  };
  return {
    app,
    plugin: (routes) => async (scope) => {
      for (const route of routes) addRoute(scope, route, parts);
    },
  };
}

/**
 * `readJsonBody` as the content-type parser of the JSON types (the guards have answered 415 to any other type
 * before a body is read), within the route's `bodyLimit`; a bodyless route (`cancel`) never reads its body.
 */
function installBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  // Fastify closes the connection after a parser error, for the body it may have left unread; readJsonBody reads
  // or discards the whole body (its 413 asks for the close itself), so a 400 keeps the connection: its error is
  // raised right after parsing instead.
  const parse = (request: FastifyRequest, _payload: unknown, done: (error: Error | null, body?: unknown) => void) => {
    if (request.routeOptions.config.agent?.bodyless) return done(null, undefined);
    readJsonBody(request.raw, request.routeOptions.bodyLimit).then(
      (body) => done(null, body),
      (error: unknown) => done(null, new BodyError(error)),
    );
  };
  app.addContentTypeParser('application/json', parse);
  app.addContentTypeParser(/^application\/[a-z0-9.!#$&^_-]+\+json(;|$)/, parse);
  // Past the guards, any other type is a bodyless route's body sent without a Content-Type: not read either.
  app.addContentTypeParser('*', parse);
  app.addHook('preValidation', (request, _reply, done) => {
    if (request.body instanceof BodyError) return done(request.body.error as FastifyError);
    done();
  });
}

/** The failure of readJsonBody, carried past Fastify's parser step as the body (see installBodyParser). */
class BodyError {
  constructor(readonly error: unknown) {}
}

interface RouteParts {
  cors: { allowedOrigins: readonly string[] };
  rateLimit(request: IncomingMessage): Promise<void>;
  upgraded(request: FastifyRequest, path: string): void;
}

/** Registers one path: its handlers, its `OPTIONS` preflight, and one route of every method it does not serve. */
function addRoute(app: FastifyInstance, route: Route, parts: RouteParts): void {
  const allowed = Object.keys(route.methods);
  const rules: RouteRules = {
    path: route.path,
    allowed,
    public: route.public === true,
    bodyless: route.bodyless === true,
    servedWhileDraining: route.servedWhileDraining === true,
    websocket: route.websocket !== undefined,
    methodNotAllowed: false,
  };
  const rateLimit = async (request: FastifyRequest, _reply: FastifyReply, payload: unknown) => {
    // A WebSocket route's plain GET answers 426 and starts nothing: only its upgrade takes a token.
    if (!rules.websocket || isUpgrade(request.raw)) await parts.rateLimit(request.raw);
    return payload;
  };
  const { websocket } = route;
  for (const [method, handler] of Object.entries(route.methods)) {
    app.route({
      method,
      url: route.path,
      config: { agent: rules },
      ...(route.rateLimited ? { preParsing: rateLimit } : {}),
      ...(route.maxBodyBytes === undefined ? {} : { bodyLimit: route.maxBodyBytes }),
      handler,
      ...(method === 'GET' && websocket
        ? {
            wsHandler: (socket: WebSocket, request: FastifyRequest) => {
              parts.upgraded(request, route.path);
              websocket(socket, request);
            },
          }
        : {}),
    });
  }
  app.route({
    method: 'OPTIONS',
    url: route.path,
    config: { agent: rules },
    handler: (request, reply) => answerPreflight(request, reply, allowed, parts.cors),
  });
  const unserved = app.supportedMethods.filter(
    (method) => !allowed.includes(method) && method !== 'OPTIONS' && !(method === 'HEAD' && route.methods.GET),
  );
  const refusal: RouteRules = { ...rules, methodNotAllowed: true };
  app.route({
    method: unserved,
    url: route.path,
    config: { agent: refusal },
    // The guard answers first (before a body is read); this is the same answer.
    handler: (request) => {
      throw methodNotAllowed(request.method, refusal);
    },
  });
}
