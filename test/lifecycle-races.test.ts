import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.js';
import { expireOverdueOrders } from '../src/modules/orders/expire-orders.js';
import { refundOrder } from '../src/modules/payments/refunds.js';
import { signWebhook } from '../src/shared/webhook-signature.js';
import { createProduct, createUser, type TestUser } from './helpers/factories.js';
import { waitFor } from './helpers/wait.js';
import { buildTestApp, type TestApp } from './helpers/test-app.js';

// The lifecycle's races, for real: concurrent HTTP requests (and the expiry sweep) against the
// database of this run. After each race, every order must be in one of the two states a shop
// can stand behind: paid and charged once, or cancelled/expired with every charge refunded
// in full (or never charged) — checked in Ordo's tables and at the gateway itself.

const shippingAddress = {
  name: 'Rae Cer',
  line1: '1 Race Track',
  city: 'Leeds',
  postalCode: 'LS1 1AA',
  country: 'GB',
};

/** Receives the gateway's webhooks and holds them, so a test decides when Ordo gets them. */
class WebhookCatcher {
  readonly events: { type: string; intentId: string; body: string }[] = [];
  #server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const event = JSON.parse(body) as { type: string; data: { object: { id: string } } };
      this.events.push({ type: event.type, intentId: event.data.object.id, body });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/hook`;
  }

  succeeded(intentId: string) {
    return this.events.find(
      (e) => e.type === 'payment_intent.succeeded' && e.intentId === intentId,
    );
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/** Runs `send` after `ms`: spreads the two sides of a race so each wins some of the time. */
const after = async <T>(ms: number, send: () => Promise<T>): Promise<T> => {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return send();
};

interface Placed {
  id: string;
  total: number;
}

async function raceFixture(t: TestApp) {
  const [staff, customer] = await Promise.all([createUser(t, { role: 'staff' }), createUser(t)]);
  const product = await createProduct(t, { price: 1500, stock: 1000 });

  const place = async (): Promise<Placed> => {
    const res = await t.http.post(
      '/api/v1/orders',
      { items: [{ productId: product.id, quantity: 1 }], shippingAddress },
      { token: customer.token },
    );
    expect(res.status).toBe(201);
    return res.body;
  };
  const pay = (orderId: string, paymentMethod: string) =>
    t.http.post(`/api/v1/orders/${orderId}/payments`, { paymentMethod }, { token: customer.token });
  const cancel = (orderId: string) =>
    t.http.post(`/api/v1/admin/orders/${orderId}/cancel`, undefined, { token: staff.token });

  /** Until no refund is pending and no refund job is waiting, running or retrying. */
  const settled = () =>
    waitFor(
      async () => {
        const [row] = await queryRows<{ pending: number; jobs: number; processing: number }>(
          t.ctx.db,
          sql`select (select count(*)::int from refunds where status = 'pending') as pending,
                     (select count(*)::int from payments where status = 'processing') as processing,
                     (select count(*)::int from pgboss.job
                       where name in ('refund-cancelled-order', 'refund-late-payment')
                         and state in ('created', 'retry', 'active')) as jobs`,
        );
        return row!.pending === 0 && row!.jobs === 0 && row!.processing === 0;
      },
      { what: 'refunds settled', timeoutMs: 90_000, intervalMs: 200 },
    );

  /** Every order paid and charged once, or ended with every charge given back. */
  async function expectMoneyRight(orders: Placed[], ended: 'cancelled' | 'expired') {
    const rows = await queryRows<{
      id: string;
      status: string;
      payment_status: string;
      total: number;
      charged: number;
      refunded: number;
      gateway_charged: number;
      gateway_refunded: number;
    }>(
      t.ctx.db,
      sql`select o.id, o.status, o.payment_status, o.total::int,
                 coalesce((select sum(p.amount) from payments p where p.order_id = o.id
                             and p.status in ('succeeded', 'partially_refunded', 'refunded')), 0)::int as charged,
                 coalesce((select sum(r.amount) from refunds r where r.order_id = o.id
                             and r.status = 'succeeded'), 0)::int as refunded,
                 coalesce((select sum(i.amount) from gateway.payment_intents i
                             where i.metadata->>'order_id' = o.id and i.status = 'succeeded'), 0)::int as gateway_charged,
                 coalesce((select sum(i.amount_refunded) from gateway.payment_intents i
                             where i.metadata->>'order_id' = o.id), 0)::int as gateway_refunded
            from orders o where o.id = any(string_to_array(${orders.map((o) => o.id).join(',')}, ','))`,
    );
    expect(rows).toHaveLength(orders.length);
    const outcomes = { kept: 0, ended: 0, refunded: 0 };
    for (const row of rows) {
      if (row.status === 'paid') {
        outcomes.kept++;
        expect(row).toMatchObject({
          payment_status: 'paid',
          charged: row.total,
          refunded: 0,
          gateway_charged: row.total,
          gateway_refunded: 0,
        });
      } else {
        outcomes.ended++;
        expect(row.status).toBe(ended);
        // Whatever was charged came back, exactly once, at the gateway and in Ordo's books.
        expect(row.gateway_refunded).toBe(row.gateway_charged);
        expect(row.refunded).toBe(row.charged);
        expect(row.gateway_charged).toBe(row.charged);
        if (row.charged > 0) {
          outcomes.refunded++;
          expect(row.payment_status).toBe('refunded');
        }
      }
    }
    // Stock: what the kept orders hold is out, everything else came back; equal to the ledger.
    const [stock] = await queryRows<{ stock: number; ledger: number }>(
      t.ctx.db,
      sql`select v.stock::int, (select sum(delta)::int from stock_movements m where m.variant_id = v.id) as ledger
            from product_variants v where v.product_id = ${product.id}`,
    );
    expect(stock!.stock).toBe(stock!.ledger);
    const [late] = await queryRows<{ n: number }>(
      t.ctx.db,
      sql`select count(*)::int as n from refunds where request_key = 'late'
            and order_id = any(string_to_array(${orders.map((o) => o.id).join(',')}, ','))`,
    );
    // Which way each race went (a refund of a late payment, or of a paid order cancelled).
    if (process.env.RACE_REPORT) console.log({ ...outcomes, late: late!.n });
    return outcomes;
  }

  return { staff, customer, product, place, pay, cancel, settled, expectMoneyRight };
}

describe('staff cancel racing the card payment (confirm response)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({}, { worker: true, gateway: true });
  });
  afterAll(() => t.close());

  it(
    '60 times: every order ends cancelled, and whatever was charged is refunded exactly once',
    { timeout: 120_000 },
    async () => {
      const f = await raceFixture(t);
      const orders = await Promise.all(Array.from({ length: 60 }, () => f.place()));
      const stockBefore = 1000 - orders.length;
      const results = await Promise.all(
        orders.map((o, i) =>
          Promise.all([f.pay(o.id, 'pm_card_visa'), after((i % 15) * 6, () => f.cancel(o.id))]),
        ),
      );
      for (const [paid, cancelled] of results) {
        // Each request wins, loses cleanly (409/422), and never fails with a 5xx.
        expect([201, 409]).toContain(paid.status);
        expect([200, 409]).toContain(cancelled.status);
      }
      await f.settled();
      const outcomes = await f.expectMoneyRight(orders, 'cancelled');
      // Every order ends cancelled: staff may cancel a paid order, so none stays paid.
      expect(outcomes).toMatchObject({ kept: 0, ended: 60 });
      // Every payment the gateway charged was refunded in full, by one succeeded refund of
      // its own, and the payment says so.
      const charged = await queryRows<{
        id: string;
        status: string;
        amount: number;
        refunded_amount: number;
        refunds: number;
        refunded: number;
      }>(
        t.ctx.db,
        sql`select p.id, p.status, p.amount::int, p.refunded_amount::int,
                   (select count(*)::int from refunds r where r.payment_id = p.id and r.status = 'succeeded') as refunds,
                   coalesce((select sum(r.amount) from refunds r where r.payment_id = p.id and r.status = 'succeeded'), 0)::int as refunded
              from payments p
              join gateway.payment_intents i on i.id = p.provider_payment_id and i.status = 'succeeded'
             where p.order_id = any(string_to_array(${orders.map((o) => o.id).join(',')}, ','))`,
      );
      // The race went both ways: some payments were charged before the cancel.
      expect(charged.length).toBeGreaterThan(0);
      expect(charged.length).toBe(outcomes.refunded);
      for (const payment of charged) {
        expect(payment).toEqual({
          ...payment,
          status: 'refunded',
          refunded_amount: payment.amount,
          refunds: 1,
          refunded: payment.amount,
        });
      }
      const [stock] = await queryRows<{ stock: number }>(
        t.ctx.db,
        sql`select stock::int from product_variants where product_id = ${f.product.id}`,
      );
      expect(stock!.stock).toBe(stockBefore + 60);
    },
  );
});

describe('staff cancel and the expiry sweep racing the payment webhook', () => {
  let t: TestApp;
  let catcher: WebhookCatcher;
  let f: Awaited<ReturnType<typeof raceFixture>>;

  beforeAll(async () => {
    catcher = new WebhookCatcher();
    const webhookUrl = await catcher.start();
    t = await buildTestApp(
      { ORDER_PAYMENT_TTL: '10m' },
      { worker: true, gateway: true, webhookUrl },
    );
    f = await raceFixture(t);
  });
  afterAll(async () => {
    await t.close();
    await catcher.stop();
  });

  /** Orders with a `processing` payment whose success webhook the catcher holds. */
  async function processingOrders(n: number) {
    const orders = await Promise.all(Array.from({ length: n }, () => f.place()));
    const intents = await Promise.all(
      orders.map(async (o) => {
        const res = await f.pay(o.id, 'pm_card_processing');
        expect(res.body.status).toBe('processing');
        const [row] = await queryRows<{ intent: string }>(
          t.ctx.db,
          sql`select provider_payment_id as intent from payments where id = ${res.body.id}`,
        );
        return row!.intent;
      }),
    );
    const held = await waitFor(
      () => {
        const events = intents.map((intent) => catcher.succeeded(intent));
        return events.every(Boolean) && (events as NonNullable<(typeof events)[number]>[]);
      },
      { what: 'the gateway to settle every payment' },
    );
    return { orders, held };
  }

  /** Delivers a held webhook, signed now (the clock may have moved). */
  const deliver = (body: string) =>
    t.http.post('/api/v1/webhooks/payments/builtin', undefined, {
      raw: body,
      headers: {
        'content-type': 'application/json',
        'stripe-signature': signWebhook(
          t.ctx.gateway.webhookSecret,
          body,
          Math.floor(t.clock.now().getTime() / 1000),
        ),
      },
    });

  it(
    'staff cancel vs the success webhook, 50 times: paid and kept, or cancelled and refunded',
    { timeout: 120_000 },
    async () => {
      const { orders, held } = await processingOrders(50);
      const results = await Promise.all(
        orders.map((o, i) =>
          // Even orders: the webhook a little late; odd ones: the cancel.
          Promise.all([
            after(i % 2 ? 0 : (i % 10) * 2, () => deliver(held[i]!.body)),
            after(i % 2 ? (i % 10) * 2 : 0, () => f.cancel(o.id)),
          ]),
        ),
      );
      for (const [webhook, cancelled] of results) {
        expect(webhook.status).toBe(200);
        expect([200, 409]).toContain(cancelled.status);
      }
      await f.settled();
      const outcomes = await f.expectMoneyRight(orders, 'cancelled');
      expect(outcomes.kept + outcomes.ended).toBe(50);
    },
  );

  it(
    'the expiry sweep vs the success webhook, 50 times: a processing payment is never expired from under',
    { timeout: 120_000 },
    async () => {
      const { orders, held } = await processingOrders(50);
      t.clock.advance(11 * 60_000);
      try {
        const [expired] = await Promise.all([
          expireOverdueOrders(t.ctx),
          expireOverdueOrders(t.ctx),
          ...held.map((event) => deliver(event.body)),
        ]);
        // An order whose payment is still processing waits for it; these all settle as paid.
        expect(expired).toBe(0);
        await f.settled();
        const outcomes = await f.expectMoneyRight(orders, 'expired');
        expect(outcomes.kept).toBe(50);
      } finally {
        t.clock.advance(-11 * 60_000);
      }
    },
  );
});

describe('two refunds with one Idempotency-Key racing', () => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof raceFixture>>;
  let staff: TestUser;

  beforeAll(async () => {
    t = await buildTestApp({}, { gateway: true });
    f = await raceFixture(t);
    staff = f.staff;
  });
  afterAll(() => t.close());

  async function paidOrders(n: number) {
    const orders = await Promise.all(Array.from({ length: n }, () => f.place()));
    for (const o of orders) expect((await f.pay(o.id, 'pm_card_visa')).status).toBe(201);
    return orders;
  }

  const refundsOf = (orderId: string) =>
    queryRows<{ refunds: number; refunded: number; gateway_refunds: number }>(
      t.ctx.db,
      sql`select (select count(*)::int from refunds where order_id = ${orderId}) as refunds,
                 (select refunded_amount::int from payments where order_id = ${orderId} and status <> 'failed') as refunded,
                 (select count(*)::int from gateway.refunds r join gateway.payment_intents i on i.id = r.payment_intent_id
                   where i.metadata->>'order_id' = ${orderId}) as gateway_refunds`,
    );

  it(
    'over HTTP, 20 times: one refund reserved and made; the other request replays or waits',
    { timeout: 120_000 },
    async () => {
      const orders = await paidOrders(20);
      await Promise.all(
        orders.map(async (o, i) => {
          const send = () =>
            t.http.post(
              `/api/v1/admin/orders/${o.id}/refund`,
              { amount: 500 },
              { token: staff.token, headers: { 'idempotency-key': `race-${i}` } },
            );
          const results = await Promise.all([send(), send()]);
          expect(results.some((r) => r.status === 200)).toBe(true);
          for (const r of results) expect([200, 409]).toContain(r.status);
          expect(await refundsOf(o.id)).toEqual([
            { refunds: 1, refunded: 500, gateway_refunds: 1 },
          ]);
        }),
      );
    },
  );

  it(
    'below the HTTP claim (a claim taken over after its lease), 20 times: still one reservation',
    { timeout: 120_000 },
    async () => {
      const orders = await paidOrders(20);
      const actor = { userId: staff.user.id, role: 'staff' as const, sessionId: 'test' };
      await Promise.all(
        orders.map(async (o) => {
          const results = await Promise.allSettled([
            refundOrder(t.ctx, actor, o.id, { amount: 700, idempotencyKey: 'same' }),
            refundOrder(t.ctx, actor, o.id, { amount: 700, idempotencyKey: 'same' }),
          ]);
          // One makes the refund; the other finds it (done, or still in flight: 409).
          expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
          for (const r of results) {
            if (r.status === 'rejected')
              expect(r.reason).toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_FLIGHT' });
          }
          expect(await refundsOf(o.id)).toEqual([
            { refunds: 1, refunded: 700, gateway_refunds: 1 },
          ]);
        }),
      );
    },
  );
});
