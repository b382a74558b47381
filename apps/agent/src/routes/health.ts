import type { AgentContext } from '../app/context.js';
import { replyJson } from '../http/responses.js';
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
      methods: { GET: (_request, reply) => replyJson(reply, 200, { status: 'ok' }) },
    },
    {
      path: '/readyz',
      public: true,
      servedWhileDraining: true,
      methods: {
        GET: (_request, reply) => {
          if (context.isDraining()) return replyJson(reply, 503, { status: 'shutting-down' });
          if (!shared.isHealthy()) return replyJson(reply, 503, { status: 'store-unreachable', store: shared.kind });
          return replyJson(reply, 200, { status: 'ready', provider: catalog.active.name });
        },
      },
    },
  ];
}
