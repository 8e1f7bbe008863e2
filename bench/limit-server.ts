/**
 * The "fastify + pg" limit: the least an HTTP service must do to place an order or answer the
 * catalog, run as a child process by `npm run bench` on loopback. No auth, no schema library,
 * no plugins: fastify parses the JSON body, the route runs the limit transaction
 * (limit-order.ts) on a pool the size of Ordo's, and answers 201 with the order as JSON.
 * `GET /catalog` answers the bytes Ordo returned for the cached catalog page (read once from
 * LIMIT_CATALOG_FILE), with Ordo's content type.
 *
 * Environment: LIMIT_DATABASE_URL (none: the catalog route only), LIMIT_PORT, LIMIT_POOL_SIZE (10), LIMIT_SETTINGS (JSON
 * LimitSettings), LIMIT_CATALOG_FILE (optional).
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import pg from 'pg';
import { placeLimitOrder, type LimitOrderInput, type LimitSettings } from './limit-order.js';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const settings = JSON.parse(env('LIMIT_SETTINGS')) as LimitSettings;
// Without a database it serves the catalog bytes only (the bare route).
const pool = process.env.LIMIT_DATABASE_URL
  ? new pg.Pool({
      connectionString: process.env.LIMIT_DATABASE_URL,
      max: Number(process.env.LIMIT_POOL_SIZE ?? 10),
    })
  : undefined;
pool?.on('error', (error) => console.error(`idle connection failed: ${error.message}`));
const catalogFile = process.env.LIMIT_CATALOG_FILE;
const catalog = catalogFile ? readFileSync(catalogFile) : undefined;

const app = Fastify({ logger: false });

app.post<{ Body: LimitOrderInput }>('/orders', async (request, reply) => {
  if (!pool) return reply.code(404).send({ code: 'NOT_FOUND' });
  const client = await pool.connect();
  try {
    const outcome = await placeLimitOrder(client, settings, request.body);
    if (!outcome.ok) return reply.code(outcome.status).send({ code: outcome.code });
    return reply.code(201).send(outcome.order);
  } finally {
    client.release();
  }
});

app.get('/catalog', (_request, reply) => {
  if (!catalog) return reply.code(404).send({ code: 'NOT_FOUND' });
  return reply.header('content-type', 'application/json; charset=utf-8').send(catalog);
});

app.get('/healthz', () => ({ ok: true }));

const stop = () => {
  void app
    .close()
    .then(() => pool?.end())
    .finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

await app.listen({ port: Number(env('LIMIT_PORT')), host: '127.0.0.1' });
