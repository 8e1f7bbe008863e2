import cluster from 'node:cluster';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import {
  AggregatorRegistry,
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
} from 'prom-client';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import {
  createDatabaseMetrics,
  type BusinessReads,
  type DatabaseMetrics,
} from './business-metrics.js';
import { AppError } from './errors.js';

/**
 * Prometheus metrics at GET /metrics, in two parts:
 *
 * - this process's own: the defaults (event loop lag, memory, GC), request durations by
 *   method, route pattern and status, and stock-outs. Under `ordo api --processes N` a scrape
 *   lands on one process, which asks the primary for the sum over all N (prom-client's
 *   cluster aggregator), so every scrape answers for the whole group whichever process takes it.
 * - the business metrics, read from the database by the process that answers
 *   (business-metrics.ts): the same whichever process changed the data.
 *
 * Each context has its own registry, so several apps in one process (tests) do not collide.
 */
export interface Metrics {
  /** This process's metrics (summed over the processes of `ordo api --processes N`). */
  readonly registry: Registry;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  /** Requests refused with OUT_OF_STOCK, by route. */
  readonly stockOuts: Counter<'route'>;
  readonly database: DatabaseMetrics;
}

export function createMetrics(db: Db, reads: BusinessReads, logger: FastifyBaseLogger): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'ordo_' });
  const httpDuration = new Histogram({
    name: 'ordo_http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const stockOuts = new Counter({
    name: 'ordo_stock_outs_total',
    help: 'Requests refused with OUT_OF_STOCK (an order or quote for more than is in stock), by route',
    labelNames: ['route'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'ordo_processes',
    help: 'Processes whose metrics this answer holds: N under ordo api --processes N, else 1',
    registers: [registry],
  }).set(1);
  if (cluster.isWorker) answerPrimaryWith(registry);
  return { registry, httpDuration, stockOuts, database: createDatabaseMetrics(db, reads, logger) };
}

/** Adds the request hooks and GET /metrics to an app (its guard is in http-security.ts). */
export function registerMetrics(app: FastifyInstance, metrics: Metrics): void {
  // The route pattern, never the raw URL: ids would make every path its own series.
  const routeOf = (url: string | undefined) => url ?? 'unmatched';
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      {
        method: request.method,
        route: routeOf(request.routeOptions.url),
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });
  // Runs before the problem handler renders a thrown error: the code is still at hand here.
  app.addHook('onError', async (request, _reply, error) => {
    if (error instanceof AppError && error.code === 'OUT_OF_STOCK') {
      metrics.stockOuts.inc({ route: routeOf(request.routeOptions.url) });
    }
  });
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['ops'],
        summary: 'Prometheus metrics (text exposition format)',
        description:
          'With `METRICS_TOKEN` set, send it as `Authorization: Bearer <token>` (401 without it, 403 with a wrong one). Without `METRICS_TOKEN`, only callers on the same machine are answered, and not through a proxy (a request with `Forwarded`, `X-Forwarded-For` or `X-Real-IP` is 403). Under `ordo api --processes N` the process metrics are summed over the N processes.',
        security: [{ bearerAuth: [] }],
        response: {
          200: {
            description: 'Metrics in the Prometheus text format',
            content: { 'text/plain': { schema: z.string() } },
          },
        },
      },
    },
    async (_request, reply) => {
      const [own, business] = await Promise.all([
        cluster.isWorker ? askPrimary() : metrics.registry.metrics(),
        metrics.database.render(),
      ]);
      return reply
        .type(metrics.registry.contentType)
        .send(`${own}${own.endsWith('\n') ? '' : '\n'}${business}`);
    },
  );
}

// --- the cluster of `ordo api --processes N` ---------------------------------------------------
// A worker asks the primary over the cluster's IPC channel; the primary asks every worker for
// its registry (prom-client's AggregatorRegistry), sums, and answers the one that asked.

const REQUEST = 'ordo:cluster-metrics-request';
const RESPONSE = 'ordo:cluster-metrics-response';
const ANSWER_WITHIN_MS = 7_000;

interface MetricsRequest {
  type: typeof REQUEST;
  id: number;
}
interface MetricsResponse {
  type: typeof RESPONSE;
  id: number;
  text?: string;
  error?: string;
}

/** In the primary of `ordo api --processes N`: answers the workers' requests for the sum. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: Partial<MetricsRequest>) => {
    if (message?.type !== REQUEST || typeof message.id !== 'number') return;
    const id = message.id;
    const reply = (answer: Omit<MetricsResponse, 'type' | 'id'>) => {
      if (worker.isConnected()) worker.send({ type: RESPONSE, id, ...answer });
    };
    aggregator.clusterMetrics().then(
      (text) => reply({ text }),
      (error: unknown) => reply({ error: error instanceof Error ? error.message : String(error) }),
    );
  });
}

/** In a worker: prom-client answers the primary's aggregation requests from this registry. */
function answerPrimaryWith(registry: Registry): void {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one adds prom-client's listener for the primary's requests (once per process).
  new AggregatorRegistry();
}

const waiting = new Map<number, (response: MetricsResponse) => void>();
let nextRequest = 0;
let listening = false;

function askPrimary(): Promise<string> {
  if (!listening) {
    listening = true;
    process.on('message', (message: Partial<MetricsResponse>) => {
      if (message?.type === RESPONSE && typeof message.id === 'number') {
        waiting.get(message.id)?.(message as MetricsResponse);
      }
    });
  }
  const id = nextRequest++;
  return new Promise((resolve, reject) => {
    const unavailable = (why: string) =>
      new AppError('UNAVAILABLE', `The cluster's metrics could not be gathered (${why})`);
    const timer = setTimeout(() => {
      waiting.delete(id);
      reject(unavailable('no answer in time'));
    }, ANSWER_WITHIN_MS);
    waiting.set(id, (response) => {
      clearTimeout(timer);
      waiting.delete(id);
      if (response.text === undefined) reject(unavailable(response.error ?? 'no metrics'));
      else resolve(response.text);
    });
    process.send?.({ type: REQUEST, id } satisfies MetricsRequest);
  });
}
