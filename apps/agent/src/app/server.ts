import { createServer, type Server } from 'node:http';
import type { ProviderRegistry } from '@rxllm/core';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { AgentConfig } from '../config.js';
import { createHttpLayer } from '../http/router.js';
import { anthropicErrorBody } from '../routes/anthropic/errors.js';
import { anthropicRoutes } from '../routes/anthropic/messages.js';
import { chatRoutes } from '../routes/chat.js';
import { chatResumeRoutes } from '../routes/chat-resume.js';
import { healthRoutes } from '../routes/health.js';
import { metricsRoutes } from '../routes/metrics.js';
import { openAIRoutes } from '../routes/openai/chat-completions.js';
import { openAIErrorBody } from '../routes/openai/errors.js';
import { responsesRoutes } from '../routes/responses/responses.js';
import { loadWebAssets, staticRoutes, type WebAssets } from '../routes/static.js';
import { statsRoutes } from '../routes/stats.js';
import { uiChatRoutes } from '../routes/ui/ui-chat.js';
import { websocketEndpoint } from '../routes/websocket.js';
import { type AgentContext, createAgentContext } from './context.js';
import { closeAfterDrain, createShutdown } from './shutdown.js';

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
  /** A request in process, without a socket (Fastify's `inject`, light-my-request), for tests. */
  readonly inject: FastifyInstance['inject'];
  /** See {@link createShutdown}. */
  shutdown(drainMs?: number): Promise<void>;
}

/**
 * Builds the agent's HTTP server (routes on the Fastify layer, WebSocket, metrics, shutdown) without listening.
 *
 * @example
 * ```ts
 * const agent = await createAgentServer({ config: loadConfig(env), registry, logger });
 * agent.server.listen(8080);
 * ```
 */
export async function createAgentServer(options: AgentServerOptions): Promise<AgentServer> {
  const { config, logger } = options;
  const web = options.web ?? (await loadWebAssets());
  const context = await createAgentContext(options);
  const stats = statsRoutes(context);
  const websocket = websocketEndpoint(context);
  const http = await createHttpLayer({
    logger,
    // Node's own server settings (Fastify would set its own timeouts and a 72 s keep-alive): header timeouts are
    // checked every second (Node's default is every 30 s), so a slow-loris socket goes at 30 s; Keep-Alive stays 5 s.
    serverFactory: (handler) => {
      const created = createServer(
        { requestTimeout: 0, headersTimeout: 30_000, connectionsCheckingInterval: 1_000 },
        (request, response) => {
          closeAfterDrain(created, context, response);
          handler(request, response);
        },
      );
      return created;
    },
    maxBodyBytes: config.maxBodyBytes,
    authorize: (headers, allowSubprotocol) => context.keys.authorized(headers, allowSubprotocol),
    host: config.host,
    allowedHosts: config.allowedHosts,
    allowedOrigins: config.allowedOrigins,
    isDraining: context.isDraining,
    rateLimit: context.rateLimit,
    websocket: websocket.serverOptions,
    // Each vendor route family answers a refusal (auth, Origin, body, shutdown) in its own vendor's error shape.
    errorBodyFor: (path, error) =>
      path.startsWith('/v1/messages')
        ? anthropicErrorBody(error)
        : path.startsWith('/v1/')
          ? openAIErrorBody(error)
          : undefined,
    onUnexpectedError: (error) => logger.error({ err: error }, 'request failed'),
    onResponseDone: (request, route, status, durationMs) => {
      context.prometheus.countRequest(request.method ?? 'GET', route, status);
      logger.debug({ method: request.method, route, status, ms: Math.round(durationMs) }, 'request');
    },
  });
  const { app } = http;
  for (const routes of [
    healthRoutes(context),
    staticRoutes(web),
    chatRoutes(context),
    chatResumeRoutes(context),
    openAIRoutes(context),
    anthropicRoutes(context),
    responsesRoutes(context),
    uiChatRoutes(context),
    stats.routes,
    metricsRoutes(context),
    websocket.routes,
  ]) {
    app.register(http.plugin(routes));
  }
  await app.ready();
  const server = app.server;
  const shutdown = createShutdown({
    server,
    context,
    endFeeds: stats.endFeeds,
    closeWebSockets: websocket.closeAll,
  });
  return { server, context, inject: app.inject.bind(app), shutdown };
}
