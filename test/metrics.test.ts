import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createContext } from '../src/context.js';
import { openDatabase, queryRows } from '../src/db/client.js';
import { expireOverdueOrders } from '../src/modules/orders/expire-orders.js';
import { createProduct, createUser, type TestUser } from './helpers/factories.js';
import { sample } from './helpers/metrics.js';
import { buildTestApp, type TestApp } from './helpers/test-app.js';
import { freePort, waitFor } from './helpers/wait.js';

// The business metrics at GET /metrics, read from the database at scrape time, on the
// database of this run (PGlite or PostgreSQL). This file's database is its own, so the counts
// are exact. No job worker runs until the last test, so the jobs wait in their queues.

const shippingAddress = {
  name: 'Mia Metrics',
  line1: '1 Gauge Road',
  city: 'Leeds',
  postalCode: 'LS1 1AA',
  country: 'GB',
};

describe('business metrics at /metrics', () => {
  let t: TestApp;
  let customer: TestUser;
  let staff: TestUser;
  let workerStarted = false;

  beforeAll(async () => {
    t = await buildTestApp(
      {
        // Nothing listens there: every email fails, and with no retries it is dead at once.
        SMTP_URL: `smtp://127.0.0.1:${await freePort()}`,
        JOB_RETRY_LIMIT: '0',
        JOB_POLL_INTERVAL: '500ms',
      },
      { gateway: true },
    );
    [customer, staff] = await Promise.all([createUser(t), createUser(t, { role: 'staff' })]);
  });
  afterAll(async () => {
    if (workerStarted) await t.ctx.jobs.stop(5_000);
    await t.close();
  });

  const scrape = async () => {
    const res = await t.http.get('/metrics');
    expect(res.status).toBe(200);
    return res.body as string;
  };
  const order = (productId: string, quantity: number) =>
    t.http.post(
      '/api/v1/orders',
      { items: [{ productId, quantity }], shippingAddress },
      { token: customer.token },
    );

  it('counts orders placed, paid, cancelled and expired, payment outcomes, refunds and stock-outs', async () => {
    const before = await scrape();
    expect(sample(before, 'ordo_database_metrics_up')).toBe(1);
    expect(sample(before, 'ordo_orders_placed_total')).toBe(0);

    const product = await createProduct(t, { stock: 3, price: 2000 });
    const placed = [];
    for (let i = 0; i < 3; i++) {
      const res = await order(product.id, 1);
      expect(res.status).toBe(201);
      placed.push(res.body.id as string);
    }
    const [paidId, cancelledId] = placed;
    const tooMany = await order(product.id, 5);
    expect(tooMany.status).toBe(409);
    expect(tooMany.body.code).toBe('OUT_OF_STOCK');

    const pay = (paymentMethod: string) =>
      t.http.post(
        `/api/v1/orders/${paidId}/payments`,
        { paymentMethod },
        { token: customer.token },
      );
    const declined = await pay('pm_card_chargeDeclined');
    expect(declined.status).toBe(422);
    expect((await pay('pm_card_visa')).status).toBe(201);
    expect(
      (await t.http.post(`/api/v1/orders/${cancelledId}/cancel`, {}, { token: customer.token }))
        .status,
    ).toBe(200);
    const refund = await t.http.post(
      `/api/v1/admin/orders/${paidId}/refund`,
      { amount: 500 },
      { token: staff.token },
    );
    expect(refund.status).toBe(200);
    t.clock.advance(31 * 60_000);
    try {
      expect(await expireOverdueOrders(t.ctx)).toBe(1);
    } finally {
      t.clock.advance(-31 * 60_000);
    }

    const text = await scrape();
    expect(sample(text, 'ordo_orders_placed_total')).toBe(3);
    expect(sample(text, 'ordo_orders_paid_total')).toBe(1);
    expect(sample(text, 'ordo_orders_cancelled_total')).toBe(1);
    expect(sample(text, 'ordo_orders_expired_total')).toBe(1);
    expect(sample(text, 'ordo_orders', { status: 'paid' })).toBe(1);
    expect(sample(text, 'ordo_orders', { status: 'pending_payment' })).toBe(0);
    expect(sample(text, 'ordo_payments_total', { outcome: 'succeeded' })).toBe(1);
    expect(
      sample(text, 'ordo_payments_total', { outcome: 'declined', reason: 'card_declined' }),
    ).toBe(1);
    expect(sample(text, 'ordo_payments_processing')).toBe(0);
    expect(sample(text, 'ordo_refunds_total', { status: 'succeeded' })).toBe(1);
    expect(sample(text, 'ordo_refunded_amount_minor_units_total')).toBe(500);
    // Stock-outs are this process's count of refusals (a refused order leaves no row).
    expect(sample(text, 'ordo_stock_outs_total', { route: '/api/v1/orders' })).toBe(1);
    expect(
      sample(text, 'ordo_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/api/v1/orders',
        status: '201',
      }),
    ).toBe(3);
  });

  it('reports each queue: jobs waiting and the age of the oldest due one', async () => {
    const text = await scrape();
    // No worker has run: three confirmations wait, and no job was ever enqueued for shipping.
    expect(sample(text, 'ordo_job_queue_depth', { queue: 'order-confirmation-email' })).toBe(3);
    expect(
      sample(text, 'ordo_job_queue_oldest_age_seconds', { queue: 'order-confirmation-email' }),
    ).toBeGreaterThan(0);
    expect(sample(text, 'ordo_job_queue_depth', { queue: 'order-shipped-email' })).toBe(0);
    expect(
      sample(text, 'ordo_job_queue_oldest_age_seconds', { queue: 'order-shipped-email' }),
    ).toBe(0);
    const [waiting] = await queryRows<{ n: number }>(
      t.ctx.db,
      sql`select count(*)::int as n from pgboss.job where state in ('created', 'retry')`,
    );
    expect(sample(text, 'ordo_job_queue_depth')).toBe(waiting!.n);
  });

  it('counts emails that failed every attempt, per queue and in all', async () => {
    await t.ctx.jobs.startWorker(t.ctx);
    workerStarted = true;
    const text = await waitFor(
      async () => {
        const text = await scrape();
        return sample(text, 'ordo_jobs_dead', { queue: 'order-confirmation-email' }) === 3 &&
          sample(text, 'ordo_job_queue_depth', { queue: 'order-confirmation-email' }) === 0
          ? text
          : undefined;
      },
      { what: 'three dead confirmations', timeoutMs: 30_000, intervalMs: 200 },
    );
    const [dead] = await queryRows<{ emails: number; all: number }>(
      t.ctx.db,
      sql`select count(*) filter (where name like '%-email')::int as emails, count(*)::int as all
        from pgboss.job where state = 'failed'`,
    );
    // The three confirmations, and at least the receipt, the cancellation, the refund and the
    // accounts' verification emails.
    expect(dead!.emails).toBeGreaterThanOrEqual(6);
    expect(sample(text, 'ordo_email_failures', { state: 'dead' })).toBe(dead!.emails);
    expect(sample(text, 'ordo_jobs_dead')).toBe(dead!.all);
  });
});

// PostgreSQL only: a pool whose server is gone (PGlite is in-process and cannot go away).
describe.skipIf(!process.env.DATABASE_URL)('/metrics while the database is down', () => {
  it('still answers 200 with the process metrics, and ordo_database_metrics_up 0', async () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/gone`,
      JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-0123456789',
    });
    const database = await openDatabase({ databaseUrl: config.databaseUrl });
    const ctx = await createContext(config, {
      database,
      migrate: false,
      logger: pino({ level: 'silent' }),
    });
    const app = await buildApp(ctx);
    try {
      const res = await app.inject({ url: '/metrics' });
      expect(res.statusCode).toBe(200);
      expect(sample(res.body, 'ordo_database_metrics_up')).toBe(0);
      expect(sample(res.body, 'ordo_processes')).toBe(1);
      expect(sample(res.body, 'ordo_orders_placed_total')).toBeUndefined();
    } finally {
      await app.close();
      await ctx.close();
      await database.close();
    }
  });
});
