import { createServer, type Server } from 'node:http';
import type { ProviderRegistry } from '@rxllm/core';
import type { Logger } from 'pino';
import type { AgentConfig } from '../config.js';
import { createRouter, type RequestHandler } from '../http/router.js';
import { chatRoutes } from '../routes/chat.js';
import { chatResumeRoutes } from '../routes/chat-resume.js';
import { healthRoutes } from '../routes/health.js';
import { metricsRoutes } from '../routes/metrics.js';
import { openAIRoutes } from '../routes/openai/chat-completions.js';
import { openAIErrorBody } from '../routes/openai/errors.js';
import { loadWebAssets, staticRoutes, type WebAssets } from '../routes/static.js';
import { statsRoutes } from '../routes/stats.js';
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
  /** The request handler alone, for in-process tests (`inject(agent.handle, …)` from light-my-request). */
  readonly handle: RequestHandler;
  /** See {@link createShutdown}. */
  shutdown(drainMs?: number): Promise<void>;
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
  const { config, logger } = options;
  const web = options.web ?? (await loadWebAssets());
  const context = await createAgentContext(options);
  const stats = statsRoutes(context);
  const websocket = websocketEndpoint(context);
  const handle = createRouter(
    [
      ...healthRoutes(context),
      ...staticRoutes(web),
      ...chatRoutes(context),
      ...chatResumeRoutes(context),
      ...openAIRoutes(context),
      ...stats.routes,
      ...metricsRoutes(context),
      ...websocket.routes,
    ],
    {
      agentApiKey: config.agentApiKey,
      host: config.host,
      allowedHosts: config.allowedHosts,
      allowedOrigins: config.allowedOrigins,
      isDraining: context.isDraining,
      errorBodyFor: (path, error) => (path.startsWith('/v1/') ? openAIErrorBody(error) : undefined),
      onUnexpectedError: (error) => logger.error({ err: error }, 'request failed'),
      onResponseClosed: (request, route, status, durationMs) => {
        context.prometheus.countRequest(request.method ?? 'GET', route, status);
        logger.debug({ method: request.method, route, status, ms: Math.round(durationMs) }, 'request');
      },
    },
  );
  const server = createServer(
    // Header timeouts are checked every second (Node's default is every 30 s), so a slow-loris socket goes at 30 s.
    { requestTimeout: 0, headersTimeout: 30_000, connectionsCheckingInterval: 1_000 },
    (request, response) => {
      closeAfterDrain(server, context, response);
      void handle(request, response);
    },
  );
  server.on('upgrade', websocket.handleUpgrade);
  const shutdown = createShutdown({
    server,
    context,
    endFeeds: stats.endFeeds,
    stopAccepting: websocket.stopAccepting,
    closeWebSockets: websocket.closeAll,
  });
  return { server, context, handle, shutdown };
}
