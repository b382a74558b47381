import type { AgentContext } from '../app/context.js';
import type { Route } from '../http/router.js';

/**
 * `GET /metrics`: the Prometheus text format (request counts, stream outcomes, TTFT and chunk histograms). Behind
 * `AGENT_API_KEY` like every non-health route; still served during the drain so the last numbers can be scraped.
 *
 * @example
 * ```ts
 * // curl http://localhost:8080/metrics
 * ```
 */
export function metricsRoutes(context: AgentContext): Route[] {
  const { registry } = context.prometheus;
  return [
    {
      path: '/metrics',
      servedWhileDraining: true,
      methods: {
        GET: async (_request, reply) => {
          const text = await registry.metrics();
          return reply.code(200).header('Content-Type', registry.contentType).send(text);
        },
      },
    },
  ];
}
