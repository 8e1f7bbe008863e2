import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAllOrdo, startOrdo, waitForReady, type OrdoProcess } from './helpers/cli.js';
import { createProduct, createUser } from './helpers/factories.js';
import { sample } from './helpers/metrics.js';
import { buildTestApp, type TestApp } from './helpers/test-app.js';
import { freePort } from './helpers/wait.js';

// `ordo api --processes 2`: a scrape lands on one of the two processes, and whichever it is,
// /metrics answers for both: the request counts are summed over the processes, and the
// business metrics (read from the database) are counted once, not once per process.
// PostgreSQL only (ordo api refuses the embedded database).
const onPostgres = Boolean(process.env.DATABASE_URL);

describe.skipIf(!onPostgres)('/metrics under ordo api --processes 2', () => {
  let t: TestApp;
  let ordo: OrdoProcess;
  let baseUrl: string;

  beforeAll(async () => {
    t = await buildTestApp();
    const port = await freePort();
    ordo = startOrdo(['api', '--processes', '2'], {
      DATABASE_URL: t.config.databaseUrl!,
      JWT_SECRET: t.ctx.jwtSecret,
      PORT: String(port),
    });
    baseUrl = `http://127.0.0.1:${port}`;
    await waitForReady(ordo, baseUrl);
  }, 120_000);
  afterAll(async () => {
    await killAllOrdo();
    await t?.close();
  });

  // A new connection per request, so the primary hands them out to both processes in turn.
  const get = (path: string) =>
    fetch(`${baseUrl}${path}`, { headers: { connection: 'close' } }).then(async (res) => ({
      status: res.status,
      text: await res.text(),
    }));

  it(
    'sums the request counts of both processes, whichever answers the scrape',
    { timeout: 60_000 },
    async () => {
      // Two orders through the in-process app on the same database: business metrics read 2.
      const [customer, product] = await Promise.all([createUser(t), createProduct(t)]);
      for (let i = 0; i < 2; i++) {
        const placed = await t.http.post(
          '/api/v1/orders',
          {
            items: [{ productId: product.id, quantity: 1 }],
            shippingAddress: {
              name: 'C',
              line1: '1 Fork St',
              city: 'Hull',
              postalCode: 'HU1',
              country: 'GB',
            },
          },
          { token: customer.token },
        );
        expect(placed.status).toBe(201);
      }

      const requests = 40;
      for (let i = 0; i < requests; i++) expect((await get('/healthz')).status).toBe(200);

      for (let scrape = 0; scrape < 6; scrape++) {
        const { status, text } = await get('/metrics');
        expect(status).toBe(200);
        expect(
          sample(text, 'ordo_http_request_duration_seconds_count', {
            method: 'GET',
            route: '/healthz',
            status: '200',
          }),
        ).toBe(requests);
        expect(sample(text, 'ordo_orders_placed_total')).toBe(2);
        expect(sample(text, 'ordo_orders', { status: 'pending_payment' })).toBe(2);
        expect(sample(text, 'ordo_processes')).toBe(2);
      }
    },
  );
});
