import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.js';
import { killAllOrdo, startOrdo, waitForReady, type OrdoProcess } from './helpers/cli.js';
import { createProduct, createUser, type TestUser } from './helpers/factories.js';
import { freePort, waitFor } from './helpers/wait.js';
import { buildTestApp, HttpClient, type TestApp } from './helpers/test-app.js';

// Crash tests: a real `ordo serve` process killed with SIGKILL at a named point of a paid
// order's cancel (ORDO_FAILPOINTS, see src/shared/failpoints.ts), then started again. After
// the restart the money must be refunded exactly once — one refund at the gateway, recorded
// in Ordo — with its history entry and one refund email. PostgreSQL only: the killed process
// and the test share the database (PGlite has one writer).
const onPostgres = Boolean(process.env.DATABASE_URL);

const shippingAddress = {
  name: 'Cass Crash',
  line1: '3 Power Cut Lane',
  city: 'York',
  postalCode: 'YO1 7HH',
  country: 'GB',
};

describe.skipIf(!onPostgres)('a paid order cancelled by staff survives a crash', () => {
  let t: TestApp;
  let staff: TestUser;
  let customer: TestUser;
  let env: Record<string, string>;

  beforeAll(async () => {
    t = await buildTestApp();
    [staff, customer] = await Promise.all([createUser(t, { role: 'staff' }), createUser(t)]);
    env = {
      DATABASE_URL: t.config.databaseUrl!,
      JWT_SECRET: t.ctx.jwtSecret,
      // A killed worker's job is retried this soon after its lease runs out.
      JOB_TIMEOUT: '4s',
      JOB_RETRY_DELAY: '1s',
      JOB_POLL_INTERVAL: '500ms',
      LOG_LEVEL: 'warn',
    };
  });
  afterEach(() => killAllOrdo());
  afterAll(() => t.close());

  async function serve(failpoints = ''): Promise<{ ordo: OrdoProcess; http: HttpClient }> {
    const port = await freePort();
    const ordo = startOrdo(['serve'], {
      ...env,
      PORT: String(port),
      GATEWAY_PORT: String(await freePort()),
      ...(failpoints ? { ORDO_FAILPOINTS: failpoints } : {}),
    });
    const baseUrl = `http://127.0.0.1:${port}`;
    await waitForReady(ordo, baseUrl);
    return { ordo, http: new HttpClient(baseUrl) };
  }

  /** A paid order, placed and paid through the process under test. */
  async function paidOrder(http: HttpClient) {
    const product = await createProduct(t, { price: 4200, stock: 5 });
    const placed = await http.post(
      '/api/v1/orders',
      { items: [{ productId: product.id, quantity: 2 }], shippingAddress },
      { token: customer.token },
    );
    expect(placed.status).toBe(201);
    const paid = await http.post(
      `/api/v1/orders/${placed.body.id}/payments`,
      { paymentMethod: 'pm_card_visa' },
      { token: customer.token },
    );
    expect(paid.status).toBe(201);
    return { order: placed.body as { id: string; total: number }, product };
  }

  /** Staff cancel; the process dies at the failpoint, so the request never gets an answer. */
  async function cancelAndCrash(http: HttpClient, ordo: OrdoProcess, orderId: string) {
    const answer = await http
      .post(`/api/v1/admin/orders/${orderId}/cancel`, undefined, { token: staff.token })
      .then(
        (res) => res.status,
        () => 'no answer',
      );
    expect(answer).toBe('no answer');
    expect(await ordo.exited).toMatchObject({ signal: 'SIGKILL' });
  }

  const ledger = async (orderId: string) => {
    const [row] = await queryRows<{
      status: string;
      payment_status: string;
      refunds: number;
      refunded: number;
      pending: number;
      gateway_refunds: number;
      gateway_refunded: number;
      refund_history: number;
      refund_emails: number;
      cancel_emails: number;
    }>(
      t.ctx.db,
      sql`select o.status, o.payment_status,
                 (select count(*)::int from refunds where order_id = o.id and status = 'succeeded') as refunds,
                 (select coalesce(sum(amount), 0)::int from refunds where order_id = o.id and status = 'succeeded') as refunded,
                 (select count(*)::int from refunds where order_id = o.id and status = 'pending') as pending,
                 (select count(*)::int from gateway.refunds r join gateway.payment_intents i
                    on i.id = r.payment_intent_id where i.metadata->>'order_id' = o.id) as gateway_refunds,
                 (select coalesce(sum(amount_refunded), 0)::int from gateway.payment_intents
                   where metadata->>'order_id' = o.id) as gateway_refunded,
                 (select count(*)::int from order_history where order_id = o.id
                   and reason like 'order cancelled: refunded %') as refund_history,
                 (select count(*)::int from emails where order_id = o.id and kind = 'order-refunded') as refund_emails,
                 (select count(*)::int from emails where order_id = o.id and kind = 'order-cancelled') as cancel_emails
            from orders o where o.id = ${orderId}`,
    );
    return row!;
  };

  async function expectRefundedOnce(orderId: string, total: number, productId: string) {
    const done = await waitFor(
      async () => {
        const row = await ledger(orderId);
        return row.refunds === 1 && row.refund_emails === 1 && row.cancel_emails === 1 && row;
      },
      { what: 'the refund and its email after the restart', timeoutMs: 45_000, intervalMs: 250 },
    );
    expect(done).toEqual({
      status: 'cancelled',
      payment_status: 'refunded',
      refunds: 1,
      refunded: total,
      pending: 0,
      gateway_refunds: 1,
      gateway_refunded: total,
      refund_history: 1,
      refund_emails: 1,
      cancel_emails: 1,
    });
    const [stock] = await queryRows<{ stock: number }>(
      t.ctx.db,
      sql`select stock::int from product_variants where product_id = ${productId}`,
    );
    expect(stock!.stock).toBe(5);
  }

  it(
    'killed between the cancel and the refund: the restarted process refunds it once',
    { timeout: 120_000 },
    async () => {
      const first = await serve('after-cancel-commit');
      const { order, product } = await paidOrder(first.http);
      await cancelAndCrash(first.http, first.ordo, order.id);
      // The cancel committed (with its refund job); no money has moved yet.
      expect(await ledger(order.id)).toMatchObject({
        status: 'cancelled',
        payment_status: 'paid',
        refunds: 0,
        gateway_refunds: 0,
      });

      await serve();
      await expectRefundedOnce(order.id, order.total, product.id);
    },
  );

  it(
    "killed between the provider's refund and its record: found at the provider and recorded once",
    { timeout: 120_000 },
    async () => {
      const first = await serve('refund-after-provider');
      const { order, product } = await paidOrder(first.http);
      await cancelAndCrash(first.http, first.ordo, order.id);
      // The gateway refunded; Ordo's refund is still pending, its amount reserved.
      expect(await ledger(order.id)).toMatchObject({
        status: 'cancelled',
        refunds: 0,
        pending: 1,
        gateway_refunds: 1,
      });

      await serve();
      await expectRefundedOnce(order.id, order.total, product.id);
    },
  );
});
