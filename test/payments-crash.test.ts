import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.js';
import { startGateway, type RunningGateway } from '../src/gateway/gateway.js';
import { BuiltinProvider } from '../src/modules/payments/providers/builtin.provider.js';
import { reconcilePayments } from '../src/modules/payments/payments.service.js';
import { killAllOrdo, startOrdo, waitForReady, type OrdoProcess } from './helpers/cli.js';
import { createProduct, createUser, type TestUser } from './helpers/factories.js';
import { freePort, waitFor } from './helpers/wait.js';
import { buildTestApp, HttpClient, type TestApp } from './helpers/test-app.js';

// Crash tests of paying: a real `ordo serve` killed with SIGKILL (ORDO_FAILPOINTS, see
// src/shared/failpoints.ts) on either side of its one provider call (create and confirm),
// before the intent's id is recorded. Reconciliation, asking the gateway by the payment id
// in the intent's metadata, must then learn the truth: charged (the order paid once) or never
// charged (the attempt failed, the order payable again). PostgreSQL only: the killed process
// and the test share the database (PGlite has one writer).
const onPostgres = Boolean(process.env.DATABASE_URL);

const shippingAddress = {
  name: 'Cass Crash',
  line1: '3 Power Cut Lane',
  city: 'York',
  postalCode: 'YO1 7HH',
  country: 'GB',
};

describe.skipIf(!onPostgres)('a payment survives a crash around its provider call', () => {
  let t: TestApp;
  let customer: TestUser;
  let env: Record<string, string>;
  let gateway: RunningGateway | undefined;

  beforeAll(async () => {
    t = await buildTestApp();
    customer = await createUser(t);
    env = {
      DATABASE_URL: t.config.databaseUrl!,
      JWT_SECRET: t.ctx.jwtSecret,
      JOB_POLL_INTERVAL: '500ms',
      LOG_LEVEL: 'warn',
    };
  });
  afterEach(async () => {
    await killAllOrdo();
    await gateway?.close();
    gateway = undefined;
  });
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

  /** An order placed through the process, then paid; the process dies at the failpoint. */
  async function payAndCrash(first: { ordo: OrdoProcess; http: HttpClient }) {
    const product = await createProduct(t, { price: 3100, stock: 5 });
    const placed = await first.http.post(
      '/api/v1/orders',
      { items: [{ productId: product.id, quantity: 1 }], shippingAddress },
      { token: customer.token },
    );
    expect(placed.status).toBe(201);
    const answer = await first.http
      .post(
        `/api/v1/orders/${placed.body.id}/payments`,
        { paymentMethod: 'pm_card_visa' },
        { token: customer.token },
      )
      .then(
        (res) => res.status,
        () => 'no answer',
      );
    expect(answer).toBe('no answer');
    expect(await first.ordo.exited).toMatchObject({ signal: 'SIGKILL' });
    return placed.body.id as string;
  }

  const ledger = async (orderId: string) => {
    const [row] = await queryRows<{
      status: string;
      payment_status: string;
      payment_in_progress: boolean;
      payments: string;
      intents: string;
      paid_history: number;
      receipt_jobs: number;
    }>(
      t.ctx.db,
      sql`select o.status, o.payment_status, o.payment_in_progress,
                 (select string_agg(p.status || ':' || coalesce(p.failure_code, '-') || ':' ||
                         (p.provider_payment_id is not null)::text, ',' order by p.created_at)
                    from payments p where p.order_id = o.id) as payments,
                 (select coalesce(string_agg(i.status, ',' order by i.created_at), '')
                    from gateway.payment_intents i where i.metadata->>'order_id' = o.id) as intents,
                 (select count(*)::int from order_history where order_id = o.id and to_status = 'paid') as paid_history,
                 (select count(*)::int from pgboss.job j join payments p on j.data->>'paymentId' = p.id
                   where p.order_id = o.id and j.name = 'payment-receipt-email') as receipt_jobs
            from orders o where o.id = ${orderId}`,
    );
    return row!;
  };

  /** Reconciliation against a gateway on the shared database (the killed process's is gone). */
  async function reconcile() {
    gateway = await startGateway({
      db: t.ctx.db,
      port: 0,
      webhookUrl: 'http://127.0.0.1:9/nowhere',
      webhookSecret: 'whsec_crash_test_0123456789abcdef',
      clock: t.clock,
      logger: t.ctx.logger,
    });
    return reconcilePayments(
      { ...t.ctx, payments: new BuiltinProvider(gateway.url, 'whsec_unused') },
      0,
    );
  }

  it(
    'killed after the provider charged, before the intent was recorded: found by its payment id, the order paid once',
    { timeout: 120_000 },
    async () => {
      const orderId = await payAndCrash(await serve('payment-after-provider'));
      expect(await ledger(orderId)).toMatchObject({
        status: 'pending_payment',
        payment_in_progress: true,
        payments: 'processing:-:false',
        intents: 'succeeded',
      });

      expect(await reconcile()).toBe(1);
      expect(await ledger(orderId)).toEqual({
        status: 'paid',
        payment_status: 'paid',
        payment_in_progress: false,
        payments: 'succeeded:-:true',
        intents: 'succeeded',
        paid_history: 1,
        receipt_jobs: 1,
      });
      await gateway!.close();
      gateway = undefined;

      // The restarted process's gateway delivers the stored webhook: it changes nothing.
      await serve();
      await waitFor(
        async () => {
          const [row] = await queryRows<{ n: number }>(
            t.ctx.db,
            sql`select count(*)::int as n from gateway.events
                 where payload->'data'->'object'->'metadata'->>'order_id' = ${orderId}
                   and delivered_at is not null`,
          );
          return row!.n > 0;
        },
        {
          what: 'the stored webhook delivered after the restart (its claim lasts 30 s)',
          timeoutMs: 60_000,
        },
      );
      expect(await ledger(orderId)).toMatchObject({
        status: 'paid',
        paid_history: 1,
        receipt_jobs: 1,
      });
    },
  );

  it(
    'killed before the provider call: nothing at the provider, the attempt abandoned, the order payable again',
    { timeout: 120_000 },
    async () => {
      const orderId = await payAndCrash(await serve('payment-before-provider'));
      expect(await ledger(orderId)).toMatchObject({
        status: 'pending_payment',
        payment_in_progress: true,
        payments: 'processing:-:false',
        intents: '',
      });

      expect(await reconcile()).toBe(1);
      expect(await ledger(orderId)).toMatchObject({
        status: 'pending_payment',
        payment_in_progress: false,
        payments: 'failed:abandoned:false',
        intents: '',
      });
      await gateway!.close();
      gateway = undefined;

      const again = await serve();
      const paid = await again.http.post(
        `/api/v1/orders/${orderId}/payments`,
        { paymentMethod: 'pm_card_visa' },
        { token: customer.token },
      );
      expect(paid.status).toBe(201);
      expect(await ledger(orderId)).toMatchObject({
        status: 'paid',
        payments: 'failed:abandoned:false,succeeded:-:true',
        intents: 'succeeded',
        paid_history: 1,
      });
    },
  );
});
