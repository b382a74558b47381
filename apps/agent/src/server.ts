import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  applyChunk,
  type Completion,
  type CompletionRequest,
  emptyCompletion,
  type ProviderRegistry,
} from '@rxllm/core';
import { prometheusSink } from '@rxllm/metrics/prometheus';
import type { Logger } from 'pino';
import type { Observable, Subscription } from 'rxjs';
import { isAuthorized } from './auth.js';
import { clientLeft, readJsonBody } from './body.js';
import { lastUserText, parseChatBody, toCompletionRequest } from './chat-request.js';
import { handleCancel, handleResume } from './chat-resume.js';
import type { AgentConfig } from './config.js';
import { DashboardStats } from './dashboard-stats.js';
import { toJsonLine } from './events.js';
import { type GenerationEvent, generate, type StreamObserver } from './generation.js';
import { HttpError, toHttpError } from './http-error.js';
import { sendError, sendJson } from './http-response.js';
import { combineObservers, logObserver } from './log-observer.js';
import { flushLogs, truncateForLog } from './logger.js';
import { handleChatCompletions, handleModels, openAIErrorBody } from './openai-compatible.js';
import { providerPipeline } from './pipeline.js';
import { AgentPrometheus } from './prometheus-metrics.js';
import { createProviderCatalog, type ProviderCatalog, type ProviderChoice } from './provider-catalog.js';
import { enforceRateLimit } from './rate-limit.js';
import { ResumableGenerations, type ResumableRun } from './resumable-generations.js';
import { createSharedState, type SharedState, watcherTtlMs } from './shared-state.js';
import { serveSse } from './sse-transport.js';
import { contentSecurityPolicy, loadWebAssets, type WebAssets } from './web-assets.js';
import { attachWebSocket, type WebSocketEndpoint } from './websocket-transport.js';

/** A stream in flight: shutdown waits for it, then ends it with `kind: "shutdown"`. */
export interface ActiveStream {
  abort(error: HttpError): void;
  readonly finished: Promise<unknown>;
}

/** What route handlers share. */
export interface AgentContext {
  config: AgentConfig;
  logger: Logger;
  catalog: ProviderCatalog;
  stats: DashboardStats;
  prometheus: AgentPrometheus;
  observer: StreamObserver;
  /**
   * A new generation of `request` on the chosen provider, whatever the transport: a fresh stream id, the seed's
   * `Received message: …` log line (with `logFields`), and the cold provider pipeline (retry, timeouts, metrics with
   * the seed log lines and Prometheus) numbered by {@link generate}.
   */
  newGeneration(
    choice: ProviderChoice,
    request: CompletionRequest,
    logFields?: Record<string, string>,
  ): { streamId: string; events: Observable<GenerationEvent> };
  /** Registers a stream until it finishes. */
  track(stream: ActiveStream): void;
  isDraining(): boolean;
  /** Store and rate limiter: this process's memory, or Redis when `REDIS_URL` is set. */
  shared: SharedState;
  /** Present when `RESUMABLE_STREAMS=true`: generations outlive their client and can be resumed and followed. */
  generations: ResumableGenerations | undefined;
  /** Throws a 429 {@link HttpError} when the request's client is over `RATE_LIMIT_PER_MINUTE`. */
  rateLimit(request: IncomingMessage): Promise<void>;
  /** Starts the resumable run of a new generation (`undefined` when resumability is off). */
  startRun(streamId: string, events: Observable<GenerationEvent>): Promise<ResumableRun | undefined>;
  /** Makes a generation of this instance cancellable by id until it finishes (resumability off). */
  registerCancel(streamId: string, cancel: () => void, finished: Promise<unknown>): void;
  /** Cancels a generation for everyone; resolves false if no such generation is running. */
  cancel(streamId: string): Promise<boolean>;
}

export interface AgentServerOptions {
  config: AgentConfig;
  registry: ProviderRegistry;
  logger: Logger;
  web?: WebAssets;
}

/** The agent's HTTP server before it listens. */
export interface AgentServer {
  readonly server: Server;
  readonly context: AgentContext;
  /**
   * Readiness fails at once (503) while the listener stays open; new work gets 503 `shutdown`; streams drain until
   * `drainMs` or the last one ends, the rest end with `shutdown`; then the listener and every socket close.
   */
  shutdown(drainMs?: number): Promise<void>;
}

type Handler = (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<void> | void;

interface Route {
  pattern: string;
  methods: Record<string, Handler>;
  /** Health routes and the static page are reachable without `AGENT_API_KEY`. */
  public?: boolean;
}

function wantsJsonReply(request: IncomingMessage, stream: boolean | undefined): boolean {
  if (stream !== undefined) return !stream;
  const accept = request.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/event-stream');
}

/**
 * Builds the agent's HTTP server (routes, WebSocket, metrics, shutdown) without listening.
 *
 * @example
 * ```ts
 * const agent = await createAgentServer({ config: loadConfig(env), registry, logger });
 * agent.server.listen(8080);
 * ```
 */
export async function createAgentServer(options: AgentServerOptions): Promise<AgentServer> {
  const { config, logger, registry } = options;
  const web = options.web ?? (await loadWebAssets());
  const catalog = createProviderCatalog(registry, config.env, (name, reason) =>
    logger.warn({ provider: name }, `Provider ${name} skipped: ${reason}`),
  );
  const stats = new DashboardStats();
  const prometheus = new AgentPrometheus();
  const streams = new Set<ActiveStream>();
  const feeds = new Set<ServerResponse>();
  const localCancels = new Map<string, () => void>();
  const shared = await createSharedState(config, logger);
  const generations = config.resumableStreams
    ? new ResumableGenerations({ store: shared.store, graceMs: config.resumeGraceMs, watcherTtlMs, logger })
    : undefined;
  if (generations && 'ready' in shared.store) {
    // Cancel requests from other instances must reach us from the first request on.
    await (shared.store as { ready(): Promise<void> }).ready().catch(() => undefined);
  }
  if (config.resumableStreams) {
    logger.info(
      { store: shared.kind, graceMs: config.resumeGraceMs },
      `Resumable streams on (${shared.kind} store): a disconnect detaches, nobody attached for ${config.resumeGraceMs} ms cancels`,
    );
  }
  if (shared.limiter) {
    logger.info(
      { perMinute: config.rateLimitPerMinute, burst: config.rateLimitBurst, store: shared.kind },
      `Rate limit: ${config.rateLimitPerMinute} requests per minute per client (burst ${config.rateLimitBurst})`,
    );
  }
  let draining = false;
  let shutdownPromise: Promise<void> | undefined;

  const context: AgentContext = {
    config,
    logger,
    catalog,
    stats,
    prometheus,
    observer: combineObservers(logObserver(logger), stats.observer, prometheus.observer),
    newGeneration(choice, request, logFields = {}) {
      const streamId = randomUUID();
      logger.info(
        { streamId, provider: choice.name, model: choice.model, ...logFields },
        `Received message: ${truncateForLog(lastUserText(request.messages))}`,
      );
      const source = providerPipeline(choice.provider, request, config, logger.child({ streamId }), [
        prometheusSink({ registry: prometheus.registry }),
      ]);
      return { streamId, events: generate({ source, streamId, observer: context.observer }) };
    },
    track(stream) {
      streams.add(stream);
      void stream.finished.finally(() => streams.delete(stream));
    },
    isDraining: () => draining,
    shared,
    generations,
    rateLimit: (request) => enforceRateLimit(shared.limiter, request, logger, config.agentApiKey !== undefined),
    async startRun(streamId, events) {
      if (!generations) return undefined;
      const run = await generations.start(streamId, events);
      context.track({ finished: run.finished, abort: (error) => run.stop(error) });
      return run;
    },
    registerCancel(streamId, cancel, finished) {
      localCancels.set(streamId, cancel);
      void finished.finally(() => localCancels.delete(streamId));
    },
    async cancel(streamId) {
      if (generations) return generations.cancel(streamId);
      const cancel = localCancels.get(streamId);
      if (!cancel) return false;
      cancel();
      return true;
    },
  };
  const abortedByClient = () => new HttpError({ kind: 'aborted', message: 'cancelled by a client' });

  const chat: Handler = async (request, response) => {
    await context.rateLimit(request);
    const body = parseChatBody(await readJsonBody(request, config.maxBodyBytes), config);
    const choice = catalog.choose(body);
    const { streamId, events: generation } = context.newGeneration(choice, toCompletionRequest(body, choice.model));
    // Resumable: the run owns the generation and outlives this reply; the reply is one attached client.
    const run = await context.startRun(streamId, generation);
    const events = run ? run.live : generation;
    if (wantsJsonReply(request, body.stream)) {
      const reply = serveJsonCompletion(response, events, streamId);
      if (!run) {
        context.track(reply);
        context.registerCancel(streamId, () => reply.abort(abortedByClient()), reply.finished);
      }
      return;
    }
    const session = serveSse({
      response,
      events,
      streamId,
      pingIntervalMs: config.pingIntervalMs,
      maxBufferedBytes: config.maxBufferedBytes,
      slowConsumerGraceMs: config.slowConsumerGraceMs,
      logged: run !== undefined,
    });
    if (!run) {
      context.track(session);
      context.registerCancel(streamId, () => session.abort(abortedByClient()), session.finished);
    }
    void session.finished.then((end) => {
      if (end.status === 'slow-consumer') logger.warn({ streamId, delivered: end.delivered }, 'Dropped a slow client');
    });
  };

  const statsFeed: Handler = (_request, response) => {
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      'X-Accel-Buffering': 'no',
    });
    const send = () => {
      // A dashboard that cannot keep up simply misses samples: never queue them.
      if (response.writableLength > 64 * 1024) return;
      response.write(`data: ${toJsonLine(stats.sample())}\n\n`);
    };
    send();
    const timer = setInterval(send, config.statsIntervalMs);
    feeds.add(response);
    response.on('close', () => {
      clearInterval(timer);
      feeds.delete(response);
    });
  };

  const staticHeaders = {
    'Content-Security-Policy': contentSecurityPolicy,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-cache',
  };

  const routes: Route[] = [
    {
      pattern: '/healthz',
      public: true,
      methods: { GET: (_q, response) => sendJson(response, 200, { status: 'ok' }) },
    },
    {
      pattern: '/readyz',
      public: true,
      methods: {
        GET: (_q, response) => {
          if (draining) return sendJson(response, 503, { status: 'shutting-down' });
          if (!shared.isHealthy()) return sendJson(response, 503, { status: 'store-unreachable', store: shared.kind });
          return sendJson(response, 200, { status: 'ready', provider: catalog.active.name });
        },
      },
    },
    {
      pattern: '/',
      public: true,
      methods: {
        GET: (_q, response) => {
          response.writeHead(200, { 'Content-Type': web.index.contentType, ...staticHeaders });
          response.end(web.index.body);
        },
      },
    },
    { pattern: '/chat', methods: { POST: chat } },
    {
      pattern: '/v1/chat/completions',
      methods: {
        POST: async (q, r) => {
          await context.rateLimit(q);
          await handleChatCompletions(context, q, r);
        },
      },
    },
    { pattern: '/v1/models', methods: { GET: (_q, response) => handleModels(context, response) } },
    { pattern: '/stats', methods: { GET: (_q, response) => sendJson(response, 200, stats.snapshot()) } },
    { pattern: '/stats/stream', methods: { GET: statsFeed } },
    {
      pattern: '/metrics',
      methods: {
        GET: async (_q, response) => {
          const text = await prometheus.registry.metrics();
          response.writeHead(200, { 'Content-Type': prometheus.registry.contentType });
          response.end(text);
        },
      },
    },
    {
      pattern: '/ws',
      methods: {
        GET: () => {
          throw new HttpError({ kind: 'invalid-request', status: 426, message: 'GET /ws needs a WebSocket upgrade' });
        },
      },
    },
  ];

  const resumeRoute: Route = {
    pattern: '/chat/:streamId',
    methods: { GET: (q, r, url) => handleResume(context, q, r, url) },
  };
  const cancelRoute: Route = {
    pattern: '/chat/:streamId/cancel',
    methods: { POST: (_q, r, url) => handleCancel(context, r, url) },
  };

  const findRoute = (path: string): Route | undefined => {
    const exact = routes.find((route) => route.pattern === path);
    if (exact) return exact;
    if (/^\/chat\/[^/]+$/.test(path)) return resumeRoute;
    if (/^\/chat\/[^/]+\/cancel$/.test(path)) return cancelRoute;
    const name = path.startsWith('/assets/') ? decodeURIComponent(path.slice('/assets/'.length)) : undefined;
    const file = name === undefined ? undefined : web.assets.get(name);
    if (!file) return undefined;
    return {
      pattern: '/assets/:name',
      public: true,
      methods: {
        GET: (_q, response) => {
          response.writeHead(200, { 'Content-Type': file.contentType, ...staticHeaders });
          response.end(file.body);
        },
      },
    };
  };

  const applyCors = (request: IncomingMessage, response: ServerResponse): boolean => {
    const origin = request.headers.origin;
    if (typeof origin !== 'string' || !config.allowedOrigins.includes(origin.replace(/\/+$/, ''))) return false;
    response.setHeader('Access-Control-Allow-Origin', origin);
    response.setHeader('Vary', 'Origin');
    response.setHeader('Access-Control-Expose-Headers', 'X-Stream-Id, Retry-After');
    return true;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const started = performance.now();
    let pattern = 'unmatched';
    if (draining) {
      // The listener stays open for probes during the drain, but no connection may outlive its answer.
      response.setHeader('Connection', 'close');
    }
    response.on('finish', () => {
      // A stream that ends during the drain leaves a kept-alive socket behind: close it once it is idle.
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
    response.on('close', () => {
      const status = response.headersSent ? response.statusCode : 499;
      prometheus.countRequest(request.method ?? 'GET', pattern, status);
      logger.debug(
        { method: request.method, route: pattern, status, ms: Math.round(performance.now() - started) },
        'request',
      );
    });
    try {
      let url: URL;
      try {
        url = new URL(request.url ?? '/', 'http://agent.invalid');
      } catch {
        throw new HttpError({ kind: 'invalid-request', message: 'malformed request URL' });
      }
      let route: Route | undefined;
      try {
        route = findRoute(url.pathname);
      } catch {
        route = undefined;
      }
      if (!route) throw new HttpError({ kind: 'not-found', status: 404, message: `no route ${url.pathname}` });
      pattern = route.pattern;
      const method = request.method ?? 'GET';
      const allowed = Object.keys(route.methods);
      if (method === 'OPTIONS') {
        const cors = applyCors(request, response);
        response.writeHead(204, {
          Allow: [...allowed, 'OPTIONS'].join(', '),
          ...(cors
            ? {
                'Access-Control-Allow-Methods': [...allowed, 'OPTIONS'].join(', '),
                'Access-Control-Allow-Headers': 'Authorization, Content-Type, Accept, Last-Event-ID',
                'Access-Control-Max-Age': '600',
              }
            : {}),
        });
        response.end();
        return;
      }
      applyCors(request, response);
      if (!route.public && !isAuthorized(request.headers, config.agentApiKey)) {
        throw new HttpError({
          kind: 'auth',
          status: 401,
          message: 'missing or wrong bearer token (Authorization: Bearer …)',
        });
      }
      const handler = route.methods[method] ?? (method === 'HEAD' ? route.methods.GET : undefined);
      if (!handler) {
        throw new HttpError({
          kind: 'invalid-request',
          status: 405,
          message: `method ${method} is not allowed on ${route.pattern}; allowed: ${allowed.join(', ')}`,
          headers: { Allow: allowed.join(', ') },
        });
      }
      if (draining && !route.public && route.pattern !== '/metrics') {
        throw new HttpError({ kind: 'shutdown', message: 'the server is shutting down' });
      }
      await handler(request, response, url);
    } catch (error) {
      // Nobody to answer: the client left before its request was read (see readJsonBody).
      if (clientLeft(request) && !response.headersSent) {
        response.destroy();
        return;
      }
      const failure = toHttpError(error);
      if (failure.kind === 'unknown') logger.error({ err: error }, 'request failed');
      if (request.url?.startsWith('/v1/')) {
        sendError(response, failure, openAIErrorBody(failure));
      } else {
        sendError(response, failure);
      }
    }
  };

  const server = createServer(
    // Header timeouts are checked every second (Node's default is every 30 s), so a slow-loris socket goes at 30 s.
    { requestTimeout: 0, headersTimeout: 30_000, connectionsCheckingInterval: 1_000 },
    (request, response) => {
      void handle(request, response);
    },
  );
  const websocket: WebSocketEndpoint = attachWebSocket(server, context);

  const shutdown = (drainMs = config.shutdownDrainMs): Promise<void> => {
    shutdownPromise ??= (async () => {
      draining = true;
      // Timers here stay referenced: an emptied event loop must not end the process before the last log line.
      logger.info({ activeStreams: streams.size, drainMs }, 'Shutting down: readiness now fails, draining streams');
      for (const feed of feeds) feed.end();
      websocket.stopAccepting();
      // The listener stays open while streams drain, so a load balancer's probe gets a 503 rather than a refused
      // connection (endpoint updates lag the probe); idle keep-alive sockets go now, busy ones when they finish.
      server.closeIdleConnections();
      if (streams.size > 0 && drainMs > 0) {
        await Promise.race([
          Promise.allSettled([...streams].map((stream) => stream.finished)),
          new Promise((resolve) => setTimeout(resolve, drainMs)),
        ]);
      }
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Resumable runs end with a `shutdown` event in their log, so followers elsewhere learn it too.
      if (generations)
        await generations.close(new HttpError({ kind: 'shutdown', message: 'the server is shutting down' }));
      const remaining = [...streams];
      if (remaining.length > 0) logger.warn({ remaining: remaining.length }, 'Drain deadline passed: ending streams');
      const stopping = new HttpError({ kind: 'shutdown', message: 'the server is shutting down' });
      for (const stream of remaining) stream.abort(stopping);
      // One budget after the drain for the last events and the WebSocket closes, so the exit stays within drain + 1 s.
      await Promise.race([
        Promise.allSettled([...remaining.map((stream) => stream.finished), websocket.closeAll()]),
        new Promise((resolve) => setTimeout(resolve, 500)),
      ]);
      // Give final events a moment to flush, then cut whatever is left.
      await new Promise((resolve) => setTimeout(resolve, 50));
      server.closeAllConnections();
      await closed;
      await shared.close();
      logger.info('Shutdown complete');
      flushLogs(logger);
    })();
    return shutdownPromise;
  };

  return { server, context, shutdown };
}

/** The `stream:false` reply: the whole completion as one JSON body, errors as HTTP statuses. */
function serveJsonCompletion(
  response: ServerResponse,
  events: ReturnType<typeof generate>,
  streamId: string,
): ActiveStream {
  const completion: Completion = emptyCompletion();
  let subscription: Subscription | undefined;
  let done = false;
  let resolveFinished: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    resolveFinished = resolve;
  });
  const finish = () => {
    done = true;
    subscription?.unsubscribe();
    resolveFinished();
  };
  response.on('close', () => {
    if (!done) finish();
  });
  subscription = events.subscribe(({ event, failure }) => {
    if (done) return;
    if (event.type === 'error') {
      finish();
      sendError(response, failure ?? toHttpError(undefined), { error: event.error });
      return;
    }
    if (event.type === 'done') {
      finish();
      sendJson(
        response,
        200,
        {
          text: completion.text,
          ...(completion.reasoning ? { reasoning: completion.reasoning } : {}),
          ...(completion.toolCalls.length > 0 ? { toolCalls: completion.toolCalls } : {}),
          finishReason: completion.finishReason ?? null,
          usage: completion.usage ?? null,
          metrics: event.metrics,
          provider: completion.provider,
          model: completion.model,
          streamId,
        },
        { 'X-Stream-Id': streamId },
      );
      return;
    }
    applyChunk(completion, event);
  });
  if (done) subscription.unsubscribe();
  return {
    finished,
    abort(error) {
      if (done) return;
      finish();
      sendError(response, error);
    },
  };
}
