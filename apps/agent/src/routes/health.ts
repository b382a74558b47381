import type { AgentContext } from '../app/context.js';
import { sendJson } from '../http/responses.js';
import type { Route } from '../http/router.js';

/**
 * `GET /healthz` (liveness: the process answers) and `GET /readyz` (readiness: 503 as soon as shutdown begins, or
 * while the shared store is unreachable). Both public and served during the drain, for load balancers.
 *
 * @example
 * ```ts
 * // curl http://localhost:8080/readyz → {"status":"ready","provider":"openai"}
 * ```
 */
export function healthRoutes(context: AgentContext): Route[] {
  const { shared, catalog } = context;
  return [
    {
      path: '/healthz',
      public: true,
      servedWhileDraining: true,
      methods: { GET: (_q, response) => sendJson(response, 200, { status: 'ok' }) },
    },
    {
      path: '/readyz',
      public: true,
      servedWhileDraining: true,
      methods: {
        GET: (_q, response) => {
          if (context.isDraining()) return sendJson(response, 503, { status: 'shutting-down' });
          if (!shared.isHealthy()) return sendJson(response, 503, { status: 'store-unreachable', store: shared.kind });
          return sendJson(response, 200, { status: 'ready', provider: catalog.active.name });
        },
      },
    },
  ];
}
