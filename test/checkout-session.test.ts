import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.js';
import { signWebhook } from '../src/shared/webhook-signature.js';
import { createProduct, createUser, type TestUser } from './helpers/factories.js';
import { freePort, waitFor } from './helpers/wait.js';
import { buildTestApp, type TestApp } from './helpers/test-app.js';

// Paying on the provider's hosted page: POST /api/v1/orders/{id}/checkout-session, the page
// served by the built-in gateway (typed into over HTTP as a browser posts it), and the webhook
// that settles the payment. Every test runs with the built-in adapter and with the Stripe
// adapter (the official SDK's Checkout Session calls answered by the built-in gateway).

const shippingAddress = {
  name: 'Pat Payer',
  line1: '9 Card St',
  city: 'Austin',
  postalCode: '73301',
  country: 'US',
};

const providerEnv = async (provider: 'builtin' | 'stripe'): Promise<Record<string, string>> =>
  provider === 'stripe'
    ? {
        PAYMENT_PROVIDER: 'stripe',
        STRIPE_SECRET_KEY: 'sk_test_ordo',
        STRIPE_API_BASE: `http://127.0.0.1:${await freePort()}`,
      }
    : {};

const card = (cardNumber: string) => ({ cardNumber, expiry: '12 / 34', cvc: '123', name: 'Pat' });

/** Types a card into the hosted page and submits it, as the browser does. */
async function payOnPage(url: string, cardNumber: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin: new URL(url).origin,
    },
    body: new URLSearchParams(card(cardNumber)).toString(),
    redirect: 'manual',
  });
  return {
    status: response.status,
    location: response.headers.get('location'),
    html: await response.text(),
  };
}

describe.each(['builtin', 'stripe'] as const)(
  'checkout sessions through the %s adapter',
  (provider) => {
    let t: TestApp;
    let customer: TestUser;
    let other: TestUser;
    let staff: TestUser;

    beforeAll(async () => {
      t = await buildTestApp(
        { ...(await providerEnv(provider)), ORDER_PAYMENT_TTL: '10m' },
        { worker: true, gateway: true },
      );
      [customer, other, staff] = await Promise.all([
        createUser(t),
        createUser(t),
        createUser(t, { role: 'staff' }),
      ]);
    });
    afterAll(() => t.close());

    async function placeOrder(price = 2500) {
      const product = await createProduct(t, { price, stock: 10 });
      const res = await t.http.post(
        '/api/v1/orders',
        { items: [{ productId: product.id, quantity: 1 }], shippingAddress },
        { token: customer.token },
      );
      expect(res.status).toBe(201);
      return res.body as { id: string; total: number; number: number; expiresAt: string };
    }

    const openSession = (orderId: string, user = customer, headers?: Record<string, string>) =>
      t.http.post(`/api/v1/orders/${orderId}/checkout-session`, undefined, {
        token: user.token,
        ...(headers ? { headers } : {}),
      });
    const orderOf = async (id: string) =>
      (await t.http.get(`/api/v1/orders/${id}`, { token: customer.token })).body;
    const paymentsOf = async (id: string) =>
      (await t.http.get(`/api/v1/orders/${id}/payments`, { token: customer.token })).body as {
        id: string;
        status: string;
        amount: number;
        failureCode?: string;
      }[];
    const receipts = async (paymentId: string) =>
      queryRows<{ id: string }>(
        t.ctx.db,
        sql`select id from pgboss.job where name = 'payment-receipt-email' and data->>'paymentId' = ${paymentId}`,
      );

    it('answers 201 with the provider’s page on its own origin, and marks nothing on the order', async () => {
      const order = await placeOrder();
      const res = await openSession(order.id);
      expect(res.status).toBe(201);
      expect(Object.keys(res.body).sort()).toEqual(['expiresAt', 'url']);
      const url = new URL(res.body.url);
      expect(url.origin).toBe(new URL(t.gatewayUrl()).origin);
      expect(url.origin).not.toBe(new URL(t.baseUrl).origin);
      expect(url.pathname).toMatch(/^\/pay\/cs_test_\w+$/);
      const expiresAt = new Date(res.body.expiresAt).getTime();
      if (provider === 'builtin') {
        // The page closes with the order's deadline.
        expect(expiresAt).toBe(Math.floor(new Date(order.expiresAt).getTime() / 1000) * 1000);
      } else {
        // Stripe keeps a session open 30 minutes at least.
        expect(expiresAt).toBeGreaterThanOrEqual(t.clock.now().getTime() + 30 * 60_000);
      }
      const page = await fetch(res.body.url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('$25.00');
      // Nothing is recorded until the customer pays: no payment, the order still payable.
      expect(await paymentsOf(order.id)).toEqual([]);
      expect((await orderOf(order.id)).allowedActions).toContain('pay');
    });

    it('settles a payment made on the page through the webhook: a decline first, then paid once', async () => {
      const order = await placeOrder();
      const { body: session } = await openSession(order.id);

      const declined = await payOnPage(session.url, '4000 0000 0000 0002');
      expect(declined.status).toBe(402);
      expect(declined.html).toContain('Your card was declined.');
      // The decline's webhook records a failed payment; the order stays payable.
      const [failed] = await waitFor(
        async () => {
          const payments = await paymentsOf(order.id);
          return payments.length > 0 && payments;
        },
        { what: 'the declined payment recorded' },
      );
      expect(failed).toMatchObject({
        status: 'failed',
        failureCode: 'card_declined',
        amount: 2500,
      });
      expect((await orderOf(order.id)).allowedActions).toContain('pay');

      const paid = await payOnPage(session.url, '4242 4242 4242 4242');
      expect(paid.status).toBe(303);
      expect(paid.location).toBe(`${t.config.publicUrl}/orders/${order.id}?payment=returned`);
      await waitFor(async () => (await orderOf(order.id)).status === 'paid', {
        what: 'paid by webhook',
      });
      const payments = await paymentsOf(order.id);
      expect(payments).toEqual([
        expect.objectContaining({ id: failed!.id, status: 'succeeded', amount: order.total }),
      ]);
      const paidOrder = await orderOf(order.id);
      expect(paidOrder.paymentStatus).toBe('paid');
      expect(paidOrder.history.filter((h: { to: string }) => h.to === 'paid')).toHaveLength(1);
      // Every event of the session (the intent's and the session's) arrives; still one receipt.
      await waitFor(
        async () => {
          const rows = await queryRows<{ n: number }>(
            t.ctx.db,
            sql`select count(*)::int as n from webhook_events where type = 'checkout_completed'`,
          );
          return rows[0]!.n > 0;
        },
        { what: 'checkout.session.completed delivered' },
      );
      expect(await receipts(failed!.id)).toHaveLength(1);
    });

    it('declines 4000 0000 0000 9995 for insufficient funds, and the order stays payable', async () => {
      const order = await placeOrder();
      const { body: session } = await openSession(order.id);
      const res = await payOnPage(session.url, '4000000000009995');
      expect(res.status).toBe(402);
      expect(res.html).toContain('insufficient funds');
      const [payment] = await waitFor(async () => {
        const payments = await paymentsOf(order.id);
        return payments.length > 0 && payments;
      });
      expect(payment).toMatchObject({ status: 'failed', failureCode: 'insufficient_funds' });
      expect((await orderOf(order.id)).allowedActions).toContain('pay');
    });

    it('keeps the order waiting while the processing card settles, then paid', async () => {
      const order = await placeOrder();
      const { body: session } = await openSession(order.id);
      const res = await payOnPage(session.url, '4000 0000 0000 7775');
      expect(res.status).toBe(303);
      // Processing, then succeeded: seen in between at least once, unless it settled first.
      const seen = await waitFor(async () => {
        const [payment] = await paymentsOf(order.id);
        return payment && payment.status;
      });
      if (seen === 'processing') {
        const waiting = await orderOf(order.id);
        expect(waiting.status).toBe('pending_payment');
        expect(waiting.allowedActions).not.toContain('pay');
        const again = await openSession(order.id);
        expect([again.status, again.body.code]).toEqual([409, 'PAYMENT_IN_PROGRESS']);
      }
      await waitFor(async () => (await orderOf(order.id)).status === 'paid', {
        what: 'the processing payment settling',
      });
    });

    it('replays the same page for the same Idempotency-Key, and opens another without one', async () => {
      const order = await placeOrder();
      const headers = { 'idempotency-key': `session-${order.id}` };
      const first = await openSession(order.id, customer, headers);
      const again = await openSession(order.id, customer, headers);
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.body).toEqual(first.body);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      const other = await openSession(order.id);
      expect(other.status).toBe(201);
      expect(other.body.url).not.toBe(first.body.url);
      const sessions = await queryRows<{ n: number }>(
        t.ctx.db,
        sql`select count(*)::int as n from gateway.checkout_sessions where metadata->>'order_id' = ${order.id}`,
      );
      expect(sessions[0]!.n).toBe(2);
    });

    it('refuses an order that cannot be paid as paying it would: paid, cancelled, expired', async () => {
      const paid = await placeOrder();
      expect(
        (
          await t.http.post(
            `/api/v1/orders/${paid.id}/payments`,
            { paymentMethod: 'pm_card_visa' },
            { token: customer.token },
          )
        ).status,
      ).toBe(201);
      const cancelled = await placeOrder();
      expect(
        (await t.http.post(`/api/v1/orders/${cancelled.id}/cancel`, {}, { token: customer.token }))
          .status,
      ).toBe(200);
      for (const id of [paid.id, cancelled.id]) {
        const res = await openSession(id);
        expect([res.status, res.body.code]).toEqual([409, 'INVALID_TRANSITION']);
        expect((await orderOf(id)).allowedActions).not.toContain('pay');
      }
      const expiring = await placeOrder();
      t.clock.advance(11 * 60_000);
      try {
        const res = await openSession(expiring.id);
        expect([res.status, res.body.code]).toEqual([409, 'INVALID_TRANSITION']);
      } finally {
        t.clock.advance(-11 * 60_000);
      }
      const sessions = await queryRows<{ n: number }>(
        t.ctx.db,
        sql`select count(*)::int as n from gateway.checkout_sessions
           where metadata->>'order_id' in (${paid.id}, ${cancelled.id}, ${expiring.id})`,
      );
      expect(sessions[0]!.n).toBe(0);
    });

    it('hides another customer’s order with 404, refuses staff with 403, and anybody without a session or the order’s token', async () => {
      const order = await placeOrder();
      const theirs = await openSession(order.id, other);
      expect([theirs.status, theirs.body.code]).toEqual([404, 'NOT_FOUND']);
      const staffs = await openSession(order.id, staff);
      expect([staffs.status, staffs.body.code]).toEqual([403, 'FORBIDDEN']);
      // Without a session, only a guest order's token opens an order (test/guest-checkout.test.ts).
      const anonymous = await t.http.post(`/api/v1/orders/${order.id}/checkout-session`);
      expect([anonymous.status, anonymous.body.code]).toEqual([404, 'NOT_FOUND']);
      const missing = await openSession('ord_does_not_exist');
      expect([missing.status, missing.body.code]).toEqual([404, 'NOT_FOUND']);
    });

    it('closes the page when the order’s deadline passes (built-in), and a late payment is refunded', async () => {
      const order = await placeOrder();
      const { body: session } = await openSession(order.id);
      if (provider === 'builtin') {
        t.clock.advance(11 * 60_000);
        try {
          const page = await fetch(session.url);
          expect(page.status).toBe(410);
          expect(await page.text()).toContain('This payment page has expired');
          expect((await payOnPage(session.url, '4242 4242 4242 4242')).status).toBe(410);
        } finally {
          t.clock.advance(-11 * 60_000);
        }
        return;
      }
      // Stripe holds the page open 30 minutes: a payment made after the order was cancelled is
      // given back, as any late payment is.
      expect(
        (await t.http.post(`/api/v1/orders/${order.id}/cancel`, {}, { token: customer.token }))
          .status,
      ).toBe(200);
      expect((await payOnPage(session.url, '4242 4242 4242 4242')).status).toBe(303);
      await waitFor(async () => (await paymentsOf(order.id))[0]?.status === 'refunded', {
        what: 'the late payment refunded',
      });
      expect((await orderOf(order.id)).status).toBe('cancelled');
    });

    it('pays an order that owes nothing at once, and sends the browser to its own page', async () => {
      const admin = await createUser(t, { role: 'admin' });
      const code = `FREE${Date.now()}${Math.floor(Math.random() * 1e6)}`;
      await t.http.post(
        '/api/v1/admin/promo-codes',
        { code, type: 'percentage', percentOff: 100 },
        { token: admin.token },
      );
      const product = await createProduct(t, { price: 900, stock: 5 });
      const placed = await t.http.post(
        '/api/v1/orders',
        { items: [{ productId: product.id, quantity: 1 }], shippingAddress, promoCode: code },
        { token: customer.token },
      );
      expect(placed.body.total).toBe(0);
      const res = await openSession(placed.body.id);
      expect(res.status).toBe(201);
      expect(res.body.url).toBe(`${t.config.publicUrl}/orders/${placed.body.id}`);
      expect(await orderOf(placed.body.id)).toMatchObject({
        status: 'paid',
        paymentStatus: 'paid',
      });
    });
  },
);

describe.each(['builtin', 'stripe'] as const)(
  'checkout.session.completed alone, through the %s adapter',
  (provider) => {
    let t: TestApp;
    let customer: TestUser;

    beforeAll(async () => {
      // The gateway's own webhooks go nowhere: this test delivers the one event it means to.
      t = await buildTestApp(await providerEnv(provider), {
        gateway: true,
        webhookUrl: `http://127.0.0.1:${await freePort()}/nobody`,
      });
      customer = await createUser(t);
    });
    afterAll(() => t.close());

    it('settles the payment by asking the provider for the session’s intent', async () => {
      const product = await createProduct(t, { price: 1234, stock: 5 });
      const placed = await t.http.post(
        '/api/v1/orders',
        { items: [{ productId: product.id, quantity: 1 }], shippingAddress },
        { token: customer.token },
      );
      const orderId = placed.body.id as string;
      const { body: session } = await t.http.post(
        `/api/v1/orders/${orderId}/checkout-session`,
        undefined,
        { token: customer.token },
      );
      expect((await payOnPage(session.url, '4242 4242 4242 4242')).status).toBe(303);
      const [row] = await queryRows<{ id: string; payment_intent_id: string }>(
        t.ctx.db,
        sql`select id, payment_intent_id from gateway.checkout_sessions where metadata->>'order_id' = ${orderId}`,
      );
      const body = JSON.stringify({
        id: `evt_session_${orderId}`,
        object: 'event',
        type: 'checkout.session.completed',
        data: {
          object: {
            id: row!.id,
            object: 'checkout.session',
            payment_intent: row!.payment_intent_id,
            payment_status: 'paid',
          },
        },
      });
      const post = () =>
        t.http.post(`/api/v1/webhooks/payments/${provider}`, undefined, {
          raw: body,
          headers: {
            'stripe-signature': signWebhook(
              t.ctx.gateway.webhookSecret,
              body,
              Math.floor(t.clock.now().getTime() / 1000),
            ),
          },
        });
      const res = await post();
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ received: true, result: 'handled' });
      const order = (await t.http.get(`/api/v1/orders/${orderId}`, { token: customer.token })).body;
      expect(order).toMatchObject({ status: 'paid', paymentStatus: 'paid' });
      expect((await post()).body.result).toBe('duplicate');
    });
  },
);
