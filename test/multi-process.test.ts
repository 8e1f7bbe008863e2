import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.js';
import { killAllOrdo, startOrdo, waitForReady, type OrdoProcess } from './helpers/cli.js';
import { createAdmin, createProduct, createUser, type TestUser } from './helpers/factories.js';
import { placeOrdersUntilStopped, sigterm, unacknowledgedWrites } from './helpers/load.js';
import { TestSmtpServer } from './helpers/smtp.js';
import { buildTestApp, HttpClient, type TestApp } from './helpers/test-app.js';
import { freePort, waitFor } from './helpers/wait.js';

// The scale-out shape for real: two `ordo api` processes and two `ordo worker` processes on
// one PostgreSQL and one Redis. Nothing correct may depend on which process a request
// reaches. PostgreSQL only (PGlite has one writer by design).
const onPostgres = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);

const shippingAddress = {
  name: 'Multi Process',
  line1: '2 Cluster Way',
  city: 'Derby',
  postalCode: 'DE1 1AA',
  country: 'GB',
};

describe.skipIf(!onPostgres)(
  'two API processes and two workers on one PostgreSQL and Redis',
  () => {
    let t: TestApp;
    let smtp: TestSmtpServer;
    let env: Record<string, string>;
    let apis: { ordo: OrdoProcess; http: HttpClient }[];
    let workers: OrdoProcess[];
    let admin: TestUser;
    let customers: TestUser[];

    beforeAll(async () => {
      smtp = await new TestSmtpServer().start();
      t = await buildTestApp();
      env = {
        DATABASE_URL: t.config.databaseUrl!,
        // A Redis database of this file's own, so its shared counters start at zero.
        REDIS_URL: `${process.env.REDIS_URL!.replace(/\/\d*$/, '')}/12`,
        JWT_SECRET: t.ctx.jwtSecret,
        SMTP_URL: smtp.url,
        RATE_LIMIT_AUTH: '10',
        MAX_UNPAID_ORDERS: '0',
        MAX_UNITS_PER_PRODUCT: '0',
        RATE_LIMIT_PROMO: '100000',
        JOB_POLL_INTERVAL: '500ms',
        LOG_LEVEL: 'info',
      };
      const redis = new Redis(env.REDIS_URL!);
      await redis.flushdb();
      redis.disconnect();
      const startApi = async () => {
        const port = await freePort();
        const ordo = startOrdo(['api'], { ...env, PORT: String(port) });
        const http = new HttpClient(`http://127.0.0.1:${port}`);
        await waitForReady(ordo, http.baseUrl);
        return { ordo, http };
      };
      const startWorker = async () => {
        const worker = startOrdo(['worker'], env);
        await waitFor(() => worker.stdout.includes('worker started'), {
          what: 'worker start',
          timeoutMs: 60_000,
        });
        return worker;
      };
      [apis, workers] = await Promise.all([
        Promise.all([startApi(), startApi()]),
        Promise.all([startWorker(), startWorker()]),
      ]);
      [admin, ...customers] = await Promise.all([
        createAdmin(t),
        ...Array.from({ length: 8 }, () => createUser(t)),
      ]);
    }, 180_000);
    afterAll(async () => {
      await killAllOrdo();
      await t?.close();
      await smtp?.stop();
    });

    const api = (i: number) => apis[i % 2]!.http;

    it(
      'racing orders through both API processes never oversell: 120 orders for 30 units',
      { timeout: 120_000 },
      async () => {
        const product = await createProduct(t, { stock: 30 });
        const results = await Promise.all(
          Array.from({ length: 120 }, (_, i) =>
            api(i).post(
              '/api/v1/orders',
              { items: [{ productId: product.id, quantity: 1 }], shippingAddress },
              { token: customers[i % customers.length]!.token },
            ),
          ),
        );
        expect(results.filter((r) => r.status === 201)).toHaveLength(30);
        expect(
          results.filter((r) => r.status === 409).every((r) => r.body.code === 'OUT_OF_STOCK'),
        ).toBe(true);
        expect(results.filter((r) => r.status !== 201 && r.status !== 409)).toEqual([]);
        const [row] = await queryRows<{ stock: number; ledger: number }>(
          t.ctx.db,
          sql`select stock::int, (select sum(delta)::int from stock_movements where variant_id = v.id) as ledger
            from product_variants v where product_id = ${product.id}`,
        );
        expect(row).toEqual({ stock: 0, ledger: 0 });

        // Every confirmation is sent once, by one of the two workers.
        const placed = results.filter((r) => r.status === 201).map((r) => r.body.id as string);
        const confirmations = () =>
          smtp.received.filter((m) =>
            placed.some((id) => m.messageId === `<order-confirmation.${id}@ordo.localhost>`),
          );
        await waitFor(() => confirmations().length >= 30, {
          what: '30 confirmations',
          timeoutMs: 60_000,
        });
        await new Promise((resolve) => setTimeout(resolve, 1_000)); // a duplicate would show by now
        expect(confirmations()).toHaveLength(30);
        expect(new Set(confirmations().map((m) => m.messageId)).size).toBe(30);
      },
    );

    it('a price change through one process is what the other serves on its next read', async () => {
      const product = await createProduct(t, { price: 1000, stock: 5 });
      expect((await api(1).get(`/api/v1/products/${product.id}`)).body.price).toBe(1000);
      expect((await api(1).get('/api/v1/products?pageSize=100')).status).toBe(200);
      const changed = await api(0).patch(
        `/api/v1/admin/products/${product.id}`,
        { price: 1234, name: 'Renamed in process one' },
        { token: admin.token },
      );
      expect(changed.status).toBe(200);
      const read = await api(1).get(`/api/v1/products/${product.id}`);
      expect(read.body).toMatchObject({ price: 1234, name: 'Renamed in process one' });
      const listed = (await api(1).get('/api/v1/products?pageSize=100&sort=-createdAt')).body.items;
      expect(listed.find((p: { id: string }) => p.id === product.id)).toMatchObject({
        price: 1234,
      });
    });

    it('rate limits are shared: 10 logins a minute per address, counted across both processes', async () => {
      const { email, password } = customers[0]!;
      const statuses = [];
      for (let i = 0; i < 16; i++)
        statuses.push((await api(i).post('/api/v1/auth/login', { email, password })).status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(10);
      expect(statuses.filter((s) => s === 429)).toHaveLength(6);
    });

    it(
      'SIGTERM under load: the process stops taking work, finishes what it took, exits 0, and loses no acknowledged order',
      { timeout: 120_000 },
      async () => {
        const product = await createProduct(t, { stock: 100_000 });
        const load = placeOrdersUntilStopped(apis[0]!.http, {
          tokens: customers.map((c) => c.token),
          productIds: [product.id],
        });
        await waitFor(() => load.acknowledged.length >= 20, { what: 'orders before SIGTERM' });
        const exit = await sigterm(apis[0]!.ordo);
        const stoppedMs = exit.ms;
        await load.stop();
        const acknowledged = load.acknowledged.map((o) => o.id);
        const failures = load.failures;
        expect(exit.code).toBe(0);
        expect(stoppedMs).toBeLessThan(20_000);
        // A request that arrives while it closes is 503; after it stopped listening,
        // connecting fails (0). Nothing else: no 500.
        expect(failures.filter((s) => s !== 0 && s !== 503)).toEqual([]);
        const found = await queryRows<{ n: number }>(
          t.ctx.db,
          sql`select count(*)::int as n from orders where id = any(string_to_array(${acknowledged.join(',')}, ','))`,
        );
        expect(found[0]!.n).toBe(acknowledged.length);
        // Each request is tagged with its shipping name: the acknowledged ones wrote their
        // order, and none answered 503 or left unanswered wrote one (it never ran).
        const written = await queryRows<{ tag: string }>(
          t.ctx.db,
          sql`select shipping_address->>'name' as tag from orders
               where shipping_address->>'name' like ${`${load.tagPrefix} %`}`,
        );
        expect(
          unacknowledgedWrites(
            load,
            written.map((row) => row.tag),
          ),
        ).toEqual({ acknowledgedMissing: [], writtenUnacknowledged: [], writtenNeverSent: [] });
        // The other process kept serving throughout.
        expect((await api(1).get('/readyz')).status).toBe(200);
        for (const worker of workers) worker.child.kill('SIGTERM');
        for (const worker of workers) expect((await worker.exited).code).toBe(0);
      },
    );
  },
);
