import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { z } from 'zod';

/**
 * Prometheus metrics at GET /metrics: the process's defaults (event loop lag, memory, GC) and
 * request durations by method, route pattern and status. Each app has its own registry, so
 * several apps in one process (tests) do not collide.
 */
export function registerMetrics(app: FastifyInstance): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'ordo_' });
  const duration = new Histogram({
    name: 'ordo_http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    duration.observe(
      {
        method: request.method,
        // The route pattern, never the raw URL: ids would make every path its own series.
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['ops'],
        summary: 'Prometheus metrics (text exposition format)',
        description:
          'With `METRICS_TOKEN` set, send it as `Authorization: Bearer <token>` (401 without it, 403 with a wrong one). Without `METRICS_TOKEN`, only callers on the same machine are answered, and not through a proxy (a request with `Forwarded`, `X-Forwarded-For` or `X-Real-IP` is 403).',
        security: [{ bearerAuth: [] }],
        response: {
          200: {
            description: 'Metrics in the Prometheus text format',
            content: { 'text/plain': { schema: z.string() } },
          },
        },
      },
    },
    async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()),
  );
  return registry;
}
