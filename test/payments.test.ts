import { sql } from 'drizzle-orm';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.js';
import { findProduct } from '../src/modules/catalog/product.repository.js';
import { expireOverdueOrders } from '../src/modules/orders/expire-orders.js';
import { beginAttempt, reconcilePayments } from '../src/modules/payments/payments.service.js';
import { signWebhook } from '../src/shared/webhook-signature.js';
import { createProduct, createUser, type TestUser } from './helpers/factories.js';
import { freePort, waitFor } from './helpers/wait.js';
import { buildTestApp, type TestApp } from './helpers/test-app.js';

// Every test runs with the built-in adapter and with the Stripe adapter (the official SDK
// pointed at the built-in gateway), on the database of this run (PGlite or PostgreSQL).

const shippingAddress = {
  name: 'Pat Payer',
  line1: '9 Card St',
  city: 'Austin',
  postalCode: '73301',
  country: 'US',
};

describe.each(['builtin', 'stripe'] as const)('payments through the %s adapter', (provider) => {
  let t: TestApp;
  let staff: TestUser;
  let customer: TestUser;

  const env = async (): Promise<Record<string, string>> =>
    provider === 'stripe'
      ? {
          PAYMENT_PROVIDER: 'stripe',
          STRIPE_SECRET_KEY: 'sk_test_ordo',
          STRIPE_API_BASE: `http://127.0.0.1:${await freePort()}`,
        }
      : {};

  beforeAll(async () => {
    t = await buildTestApp(
      { ...(await env()), ORDER_PAYMENT_TTL: '10m' },
      { worker: true, gateway: true },
    );
    [staff, customer] = await Promise.all([createUser(t, { role: 'staff' }), createUser(t)]);
  });
  afterAll(() => t.close());

  async function placeOrder(
    options: { price?: number; stock?: number; quantity?: number; buyer?: TestUser } = {},
  ) {
    const product = await createProduct(t, {
      price: options.price ?? 2500,
      stock: options.stock ?? 10,
    });
    const res = await t.http.post(
      '/api/v1/orders',
      { items: [{ productId: product.id, quantity: options.quantity ?? 1 }], shippingAddress },
      { token: (options.buyer ?? customer).token },
    );
    expect(res.status).toBe(201);
    return { order: res.body as { id: string; total: number; number: string }, product };
  }

  const pay = (
    orderId: string,
    paymentMethod: string,
    buyer = customer,
    headers?: Record<string, string>,
  ) =>
    t.http.post(
      `/api/v1/orders/${orderId}/payments`,
      { paymentMethod },
      { token: buyer.token, ...(headers ? { headers } : {}) },
    );
  const orderOf = async (id: string) =>
    (await t.http.get(`/api/v1/orders/${id}`, { token: customer.token })).body;
  const jobsFor = (name: string, key: string, value: string) =>
    queryRows<{ id: string }>(
      t.ctx.db,
      sql`select id from pgboss.job where name = ${name} and data->>${key} = ${value}`,
    );

  it('pays with pm_card_visa: the order is paid, its history says so, and a receipt is sent once', async () => {
    const { order } = await placeOrder();
    const res = await pay(order.id, 'pm_card_visa');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'succeeded',
      amount: order.total,
      refundedAmount: 0,
      currency: 'USD',
    });
    const paid = await orderOf(order.id);
    expect(paid).toMatchObject({ status: 'paid', paymentStatus: 'paid' });
    expect(paid.history.filter((h: { to: string }) => h.to === 'paid')).toHaveLength(1);
    // The gateway's webhook arrives too; it must not pay the order twice or send a second receipt.
    await waitFor(
      async () => {
        const rows = await queryRows<{ n: number }>(
          t.ctx.db,
          sql`select count(*)::int as n from webhook_events where type = 'payment_succeeded'`,
        );
        return rows[0]!.n > 0;
      },
      { what: 'webhook delivered' },
    );
    expect(
      (await orderOf(order.id)).history.filter((h: { to: string }) => h.to === 'paid'),
    ).toHaveLength(1);
    expect(await jobsFor('payment-receipt-email', 'paymentId', res.body.id)).toHaveLength(1);
    const listed = await t.http.get(`/api/v1/orders/${order.id}/payments`, {
      token: customer.token,
    });
    expect(listed.body).toEqual([
      expect.objectContaining({ id: res.body.id, status: 'succeeded' }),
    ]);
  });

  it('pays an order a 100 % promo code makes free without asking the provider, and says so', async () => {
    const admin = await createUser(t, { role: 'admin' });
    const code = `FREE${Date.now()}${Math.floor(Math.random() * 1e6)}`;
    const promo = await t.http.post(
      '/api/v1/admin/promo-codes',
      { code, type: 'percentage', percentOff: 100 },
      { token: admin.token },
    );
    expect(promo.status).toBe(201);
    const product = await createProduct(t, { price: 2500, stock: 10 });
    const placed = await t.http.post(
      '/api/v1/orders',
      { items: [{ productId: product.id, quantity: 2 }], shippingAddress, promoCode: code },
      { token: customer.token },
    );
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({ total: 0, discount: 5000 });
    const res = await pay(placed.body.id, 'pm_card_visa');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'succeeded', amount: 0, refundedAmount: 0 });
    const paid = await orderOf(placed.body.id);
    expect(paid).toMatchObject({ status: 'paid', paymentStatus: 'paid' });
    expect(paid.allowedActions).not.toContain('pay');
    const entry = paid.history.find((h: { to: string }) => h.to === 'paid');
    expect(entry).toMatchObject({ from: 'pending_payment', actorRole: 'system' });
    // The order's customer reads history in the shop's words; staff read the reason itself.
    const asStaff = await t.http.get(`/api/v1/orders/${placed.body.id}`, { token: staff.token });
    expect(asStaff.body.history.find((h: { to: string }) => h.to === 'paid').reason).toMatch(
      /paid without a payment: the total was \$0\.00/,
    );
    // Staff may ship or cancel it; a refund, with nothing to give back, is not offered.
    expect(asStaff.body.allowedActions).toEqual(['ship', 'cancel']);
    const intents = await queryRows<{ n: number }>(
      t.ctx.db,
      sql`select count(*)::int as n from gateway.payment_intents
           where metadata->>'order_id' = ${placed.body.id}`,
    );
    expect(intents).toEqual([{ n: 0 }]);
    const receipt = await waitFor(
      async () =>
        (
          await queryRows<{ subject: string; text: string }>(
            t.ctx.db,
            sql`select subject, text from emails
                 where order_id = ${placed.body.id} and kind = 'payment-receipt'`,
          )
        )[0],
      { what: 'the receipt email' },
    );
    expect(receipt.subject).toMatch(/confirmed/);
    expect(receipt.text).toMatch(/nothing to pay/);
    expect(receipt.text).not.toMatch(/received your payment/);
  });

  it.each([
    ['pm_card_chargeDeclined', 'card_declined'],
    ['pm_card_chargeDeclinedInsufficientFunds', 'insufficient_funds'],
  ])(
    'declines %s with PAYMENT_DECLINED (%s); the order stays payable and a retry pays it',
    async (method, failureCode) => {
      const { order } = await placeOrder();
      const res = await pay(order.id, method);
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('PAYMENT_DECLINED');
      expect(res.body.details).toEqual([expect.objectContaining({ failureCode })]);
      expect(await orderOf(order.id)).toMatchObject({
        status: 'pending_payment',
        paymentStatus: 'unpaid',
      });
      const payments = await t.http.get(`/api/v1/orders/${order.id}/payments`, {
        token: customer.token,
      });
      expect(payments.body).toEqual([expect.objectContaining({ status: 'failed', failureCode })]);
      expect((await pay(order.id, 'pm_card_visa')).status).toBe(201);
      expect((await orderOf(order.id)).status).toBe('paid');
    },
  );

  it('refuses an unknown payment method as PAYMENT_DECLINED without leaving a payment stuck', async () => {
    const { order } = await placeOrder();
    const res = await pay(order.id, 'pm_card_doesNotExist');
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('PAYMENT_DECLINED');
    expect(res.body.details).toEqual([
      expect.objectContaining({ failureCode: 'invalid_payment_method' }),
    ]);
    expect((await pay(order.id, 'pm_card_visa')).status).toBe(201);
  });

  it('pays with pm_card_processing: processing first, paid when the webhook says it succeeded', async () => {
    const { order } = await placeOrder();
    const res = await pay(order.id, 'pm_card_processing');
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('processing');
    expect((await orderOf(order.id)).status).toBe('pending_payment');
    const second = await pay(order.id, 'pm_card_visa');
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('PAYMENT_IN_PROGRESS');
    await waitFor(async () => (await orderOf(order.id)).status === 'paid', {
      what: 'paid by webhook',
    });
  });

  it('charges once when 10 pay requests for one order race', async () => {
    const { order } = await placeOrder();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => pay(order.id, 'pm_card_visa')),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 201)) {
      expect(r.status).toBe(409);
      expect(['PAYMENT_IN_PROGRESS', 'INVALID_TRANSITION']).toContain(r.body.code);
    }
    const intents = await queryRows<{ n: number }>(
      t.ctx.db,
      sql`select count(*)::int as n from gateway.payment_intents where metadata->>'order_id' = ${order.id} and status = 'succeeded'`,
    );
    expect(intents[0]!.n).toBe(1);
  });

  it('replays a payment for the same Idempotency-Key instead of paying again', async () => {
    const { order } = await placeOrder();
    const headers = { 'idempotency-key': `pay-${order.id}` };
    const first = await pay(order.id, 'pm_card_visa', customer, headers);
    const again = await pay(order.id, 'pm_card_visa', customer, headers);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    // What is stored is what the route answered, so a replay can say the same.
    const stored = await queryRows<{ status: number }>(
      t.ctx.db,
      sql`select response_status as status from idempotency_keys where key = ${headers['idempotency-key']}`,
    );
    expect(stored).toEqual([{ status: 201 }]);
  });

  it('refuses to pay an expired order, and expires an unpaid order once with its stock returned', async () => {
    const { order, product } = await placeOrder({ stock: 5, quantity: 2 });
    expect((await findProduct(t.ctx.db, product.id))!.stock).toBe(3);
    t.clock.advance(11 * 60_000);
    try {
      const refused = await pay(order.id, 'pm_card_visa');
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('INVALID_TRANSITION');
      await Promise.all([expireOverdueOrders(t.ctx), expireOverdueOrders(t.ctx)]);
      await expireOverdueOrders(t.ctx);
    } finally {
      t.clock.advance(-11 * 60_000);
    }
    const expired = await orderOf(order.id);
    expect(expired.status).toBe('expired');
    expect(expired.history.filter((h: { to: string }) => h.to === 'expired')).toHaveLength(1);
    expect((await findProduct(t.ctx.db, product.id))!.stock).toBe(5);
  });

  it('staff ship, deliver, and refund after shipping: paymentStatus changes, the status stays', async () => {
    const { order } = await placeOrder({ price: 4000 });
    expect((await pay(order.id, 'pm_card_visa')).status).toBe(201);
    const early = await t.http.post(`/api/v1/admin/orders/${order.id}/deliver`, undefined, {
      token: staff.token,
    });
    expect(early.status).toBe(409);
    const shipped = await t.http.post(
      `/api/v1/admin/orders/${order.id}/ship`,
      { carrier: 'UPS', trackingNumber: '1Z999' },
      { token: staff.token },
    );
    expect(shipped.status).toBe(200);
    expect(shipped.body).toMatchObject({
      status: 'shipped',
      carrier: 'UPS',
      trackingNumber: '1Z999',
    });
    const partial = await t.http.post(
      `/api/v1/admin/orders/${order.id}/refund`,
      { amount: 1000 },
      { token: staff.token },
    );
    expect(partial.status).toBe(200);
    expect(partial.body).toMatchObject({ status: 'shipped', paymentStatus: 'partially_refunded' });
    const tooMuch = await t.http.post(
      `/api/v1/admin/orders/${order.id}/refund`,
      { amount: order.total },
      { token: staff.token },
    );
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.code).toBe('REFUND_EXCEEDS_PAYMENT');
    const rest = await t.http.post(
      `/api/v1/admin/orders/${order.id}/refund`,
      {},
      { token: staff.token },
    );
    expect(rest.body).toMatchObject({ status: 'shipped', paymentStatus: 'refunded' });
    expect(
      rest.body.history.filter((h: { reason: string }) => /refunded/.test(h.reason ?? '')),
    ).toHaveLength(2);
    const payments = await t.http.get(`/api/v1/orders/${order.id}/payments`, {
      token: customer.token,
    });
    expect(payments.body[0]).toMatchObject({ status: 'refunded', refundedAmount: order.total });
    const delivered = await t.http.post(`/api/v1/admin/orders/${order.id}/deliver`, undefined, {
      token: staff.token,
    });
    expect(delivered.body.status).toBe('delivered');
  });

  it('never refunds more than was paid when refunds race', async () => {
    const { order } = await placeOrder({ price: 3000 });
    expect((await pay(order.id, 'pm_card_visa')).status).toBe(201);
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        t.http.post(
          `/api/v1/admin/orders/${order.id}/refund`,
          { amount: 1000 },
          { token: staff.token },
        ),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(3);
    for (const r of results.filter((r) => r.status !== 200)) {
      expect(r.status).toBe(422);
      expect(r.body.code).toBe('REFUND_EXCEEDS_PAYMENT');
    }
    const [payment] = (
      await t.http.get(`/api/v1/orders/${order.id}/payments`, { token: customer.token })
    ).body;
    expect(payment).toMatchObject({ status: 'refunded', refundedAmount: 3000 });
    const atGateway = await queryRows<{ refunded: number; refunds: number }>(
      t.ctx.db,
      sql`select amount_refunded::int as refunded,
                 (select count(*)::int from gateway.refunds r where r.payment_intent_id = i.id) as refunds
            from gateway.payment_intents i where metadata->>'order_id' = ${order.id} and status = 'succeeded'`,
    );
    expect(atGateway).toEqual([{ refunded: 3000, refunds: 3 }]);
    expect((await orderOf(order.id)).paymentStatus).toBe('refunded');
  });

  it('staff cancel a paid order: refunded in full, cancelled, stock back; a customer cannot', async () => {
    const { order, product } = await placeOrder({ stock: 4, quantity: 2 });
    expect((await pay(order.id, 'pm_card_visa')).status).toBe(201);
    const byCustomer = await t.http.post(`/api/v1/orders/${order.id}/cancel`, undefined, {
      token: customer.token,
    });
    expect(byCustomer.status).toBe(409);
    expect(byCustomer.body.code).toBe('INVALID_TRANSITION');
    const res = await t.http.post(
      `/api/v1/admin/orders/${order.id}/cancel`,
      { reason: 'out of warehouse' },
      { token: staff.token },
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'cancelled', paymentStatus: 'refunded' });
    expect((await findProduct(t.ctx.db, product.id))!.stock).toBe(4);
    const again = await t.http.post(`/api/v1/admin/orders/${order.id}/cancel`, undefined, {
      token: staff.token,
    });
    expect(again.status).toBe(409);
    expect((await findProduct(t.ctx.db, product.id))!.stock).toBe(4);
  });

  describe('webhooks', () => {
    const post = (body: string, signature?: string) =>
      t.http.post(`/api/v1/webhooks/payments/${provider}`, undefined, {
        raw: body,
        headers: {
          'content-type': 'application/json',
          ...(signature ? { 'stripe-signature': signature } : {}),
        },
      });
    const now = () => Math.floor(Date.now() / 1000);

    async function processingPayment() {
      const { order } = await placeOrder();
      // Intents are created and confirmed through the provider; read the intent to build events.
      const res = await pay(order.id, 'pm_card_processing');
      const [row] = await queryRows<{ provider_payment_id: string }>(
        t.ctx.db,
        sql`select provider_payment_id from payments where id = ${res.body.id}`,
      );
      return { order, paymentId: res.body.id as string, intentId: row!.provider_payment_id };
    }

    const event = (id: string, type: string, intent: Record<string, unknown>) =>
      JSON.stringify({
        id,
        object: 'event',
        type,
        created: now(),
        data: { object: { object: 'payment_intent', metadata: {}, ...intent } },
      });

    it('refuses forged, stale and altered webhooks and changes nothing', async () => {
      const { order, intentId } = await processingPayment();
      const body = event(`evt_forged_${order.id}`, 'payment_intent.succeeded', {
        id: intentId,
        status: 'succeeded',
        amount: order.total,
        currency: 'usd',
      });
      const secret = t.ctx.gateway.webhookSecret;
      const cases = [
        ['no signature', undefined],
        ['wrong secret', signWebhook('whsec_not_ours_0123456789', body, now())],
        ['stale', signWebhook(secret, body, now() - 301)],
        ['altered body', signWebhook(secret, body.replace('succeeded', 'failed'), now())],
      ] as const;
      for (const [, signature] of cases) {
        const res = await post(body, signature);
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('WEBHOOK_SIGNATURE_INVALID');
      }
      const rows = await queryRows<{ n: number }>(
        t.ctx.db,
        sql`select count(*)::int as n from webhook_events where event_id = ${`evt_forged_${order.id}`}`,
      );
      expect(rows[0]!.n).toBe(0);
    });

    it('refuses a webhook that is not JSON with 415 UNSUPPORTED_MEDIA_TYPE, even signed, and records nothing', async () => {
      const body = 'type=payment_intent.succeeded&id=evt_form';
      for (const type of [
        'application/x-www-form-urlencoded',
        'text/plain',
        'multipart/form-data; boundary=x',
      ]) {
        const res = await t.http.post(`/api/v1/webhooks/payments/${provider}`, undefined, {
          raw: body,
          headers: {
            'content-type': type,
            'stripe-signature': signWebhook(t.ctx.gateway.webhookSecret, body, now()),
          },
        });
        expect(res.status).toBe(415);
        expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      }
      const recorded = await queryRows(
        t.ctx.db,
        sql`select 1 from webhook_events where event_id = 'evt_form'`,
      );
      expect(recorded).toEqual([]);
    });

    it('handles a duplicate delivery as a no-op, and the SDK accepts the signatures', async () => {
      const { order, intentId } = await processingPayment();
      const body = event(`evt_dup_${order.id}`, 'payment_intent.succeeded', {
        id: intentId,
        status: 'succeeded',
        amount: order.total,
        currency: 'usd',
      });
      const signature = signWebhook(t.ctx.gateway.webhookSecret, body, now());
      expect(
        new Stripe('sk_test_x').webhooks.constructEvent(
          body,
          signature,
          t.ctx.gateway.webhookSecret,
        ).id,
      ).toBe(`evt_dup_${order.id}`);
      const first = await post(body, signature);
      const second = await post(body, signature);
      expect(first.body.result).toBe('handled');
      expect(second.body.result).toBe('duplicate');
      const paid = await orderOf(order.id);
      expect(paid.status).toBe('paid');
      expect(paid.history.filter((h: { to: string }) => h.to === 'paid')).toHaveLength(1);
    });

    it('moves only forward: a failure after success changes nothing; success after failure pays', async () => {
      const { order } = await placeOrder();
      const declined = await pay(order.id, 'pm_card_chargeDeclined');
      expect(declined.status).toBe(422);
      const [failed] = await queryRows<{ provider_payment_id: string }>(
        t.ctx.db,
        sql`select provider_payment_id from payments where order_id = ${order.id}`,
      );
      const success = event(`evt_late_ok_${order.id}`, 'payment_intent.succeeded', {
        id: failed!.provider_payment_id,
        status: 'succeeded',
        amount: order.total,
        currency: 'usd',
      });
      expect(
        (await post(success, signWebhook(t.ctx.gateway.webhookSecret, success, now()))).body.result,
      ).toBe('handled');
      expect((await orderOf(order.id)).status).toBe('paid');
      const failure = event(`evt_late_fail_${order.id}`, 'payment_intent.payment_failed', {
        id: failed!.provider_payment_id,
        status: 'requires_payment_method',
        amount: order.total,
        currency: 'usd',
        last_payment_error: { code: 'card_declined' },
      });
      await post(failure, signWebhook(t.ctx.gateway.webhookSecret, failure, now()));
      expect((await orderOf(order.id)).status).toBe('paid');
    });

    it('a refund event before the success event settles the payment as paid and refunded', async () => {
      const { order, intentId, paymentId } = await processingPayment();
      const refunded = JSON.stringify({
        id: `evt_refund_first_${order.id}`,
        object: 'event',
        type: 'charge.refunded',
        created: now(),
        data: {
          object: {
            object: 'payment_intent',
            id: intentId,
            status: 'succeeded',
            amount: order.total,
            amount_refunded: order.total,
            currency: 'usd',
            metadata: {},
          },
        },
      });
      expect(
        (await post(refunded, signWebhook(t.ctx.gateway.webhookSecret, refunded, now()))).status,
      ).toBe(200);
      const [row] = await queryRows<{ status: string; refunded_amount: number }>(
        t.ctx.db,
        sql`select status, refunded_amount::int from payments where id = ${paymentId}`,
      );
      expect(row).toMatchObject({ status: 'refunded', refunded_amount: order.total });
    });

    it('refunds a payment that succeeds after its order expired, and the order stays expired', async () => {
      const { order } = await placeOrder();
      // A declined attempt leaves an intent behind and the order unpaid; the order expires.
      expect((await pay(order.id, 'pm_card_chargeDeclined')).status).toBe(422);
      const [attempt] = await queryRows<{ id: string; provider_payment_id: string }>(
        t.ctx.db,
        sql`select id, provider_payment_id from payments where order_id = ${order.id}`,
      );
      t.clock.advance(11 * 60_000);
      try {
        expect(await expireOverdueOrders(t.ctx)).toBeGreaterThanOrEqual(1);
      } finally {
        t.clock.advance(-11 * 60_000);
      }
      expect((await orderOf(order.id)).status).toBe('expired');
      // Then that attempt succeeds at the provider after all (the customer retried in the
      // provider's own flow); the provider's webhook tells Ordo.
      const retried = await fetch(
        `${t.gatewayUrl()}/v1/payment_intents/${attempt!.provider_payment_id}/confirm`,
        {
          method: 'POST',
          headers: {
            authorization: 'Bearer sk_test_late',
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: 'payment_method=pm_card_visa',
        },
      );
      expect(retried.status).toBe(200);
      expect((await orderOf(order.id)).status).toBe('expired');
      await waitFor(
        async () => {
          const [row] = await queryRows<{ status: string }>(
            t.ctx.db,
            sql`select status from payments where id = ${attempt!.id}`,
          );
          return row?.status === 'refunded';
        },
        { what: 'automatic refund', timeoutMs: 20_000 },
      );
    });
  });

  describe('with the gateway’s own webhooks held (they go nowhere, and no worker reconciles)', () => {
    // A processing payment stays processing until the test's event arrives, so an event that
    // settled it wrongly cannot hide behind the gateway's own.
    let held: TestApp;
    let buyer: TestUser;
    beforeAll(async () => {
      held = await buildTestApp(await env(), {
        gateway: true,
        webhookUrl: 'http://127.0.0.1:9/held',
      });
      buyer = await createUser(held);
    });
    afterAll(() => held.close());

    const postEvent = (id: string, intent: Record<string, unknown>) => {
      const body = JSON.stringify({
        id,
        object: 'event',
        type: 'payment_intent.succeeded',
        created: Math.floor(Date.now() / 1000),
        data: {
          object: { object: 'payment_intent', metadata: {}, status: 'succeeded', ...intent },
        },
      });
      return held.http.post(`/api/v1/webhooks/payments/${provider}`, undefined, {
        raw: body,
        headers: {
          'content-type': 'application/json',
          'stripe-signature': signWebhook(
            held.ctx.gateway.webhookSecret,
            body,
            Math.floor(Date.now() / 1000),
          ),
        },
      });
    };
    const stateOf = async (orderId: string, paymentId: string) => {
      const [payment] = await queryRows<{ status: string }>(
        held.ctx.db,
        sql`select status from payments where id = ${paymentId}`,
      );
      const order = await held.http.get(`/api/v1/orders/${orderId}`, { token: buyer.token });
      return { payment: payment!.status, order: order.body.status as string };
    };

    it('ignores an event whose amount does not match the payment', async () => {
      const product = await createProduct(held, { price: 2500, stock: 3 });
      const placed = await held.http.post(
        '/api/v1/orders',
        { items: [{ productId: product.id, quantity: 1 }], shippingAddress },
        { token: buyer.token },
      );
      expect(placed.status).toBe(201);
      const { id: orderId, total } = placed.body as { id: string; total: number };
      const paid = await held.http.post(
        `/api/v1/orders/${orderId}/payments`,
        { paymentMethod: 'pm_card_processing' },
        { token: buyer.token },
      );
      expect(paid.body.status).toBe('processing');
      const paymentId = paid.body.id as string;
      const [row] = await queryRows<{ intent: string }>(
        held.ctx.db,
        sql`select provider_payment_id as intent from payments where id = ${paymentId}`,
      );
      const intent = { id: row!.intent, amount: total, currency: 'usd' };

      for (const [what, wrong] of [
        ['a cent less', { amount: total - 1 }],
        ['a cent more', { amount: total + 1 }],
        ['another currency', { currency: 'eur' }],
      ] as const) {
        const res = await postEvent(`evt_mismatch_${what}_${orderId}`, { ...intent, ...wrong });
        expect([what, res.status]).toEqual([what, 200]);
        expect([what, await stateOf(orderId, paymentId)]).toEqual([
          what,
          { payment: 'processing', order: 'pending_payment' },
        ]);
      }
      // The matching event settles it: the ones above were ignored, not unable to change it.
      expect((await postEvent(`evt_match_${orderId}`, intent)).body.result).toBe('handled');
      expect(await stateOf(orderId, paymentId)).toEqual({ payment: 'succeeded', order: 'paid' });
    });
  });

  describe('a payment whose intent id was never recorded (the process died after the provider answered)', () => {
    let quiet: TestApp;
    let buyer: TestUser;
    beforeAll(async () => {
      quiet = await buildTestApp(await env(), {
        gateway: true,
        webhookUrl: 'http://127.0.0.1:9/nowhere',
      });
      buyer = await createUser(quiet);
    });
    afterAll(() => quiet.close());

    /** What payOrder commits before calling the provider: the order marked, the payment row. */
    async function startedPayment() {
      const product = await createProduct(quiet, { price: 1800, stock: 3 });
      const placed = await quiet.http.post(
        '/api/v1/orders',
        { items: [{ productId: product.id, quantity: 1 }], shippingAddress },
        { token: buyer.token },
      );
      expect(placed.status).toBe(201);
      const actor = { userId: buyer.user.id, role: 'customer' as const, sessionId: 'test' };
      const payment = await beginAttempt(
        quiet.ctx,
        actor,
        placed.body.id,
        `pay_lost_${placed.body.id}`,
      );
      return { orderId: placed.body.id as string, payment };
    }
    const charge = (payment: { id: string; orderId: string; amount: number; currency: string }) =>
      quiet.ctx.payments.createIntent({
        amount: payment.amount,
        currency: payment.currency,
        metadata: { order_id: payment.orderId, payment_id: payment.id },
        idempotencyKey: `${payment.id}:create`,
        paymentMethod: 'pm_card_visa',
      });
    const rowOf = async (id: string) =>
      (
        await queryRows<{
          status: string;
          provider_payment_id: string | null;
          failure_code: string | null;
        }>(
          quiet.ctx.db,
          sql`select status, provider_payment_id, failure_code from payments where id = ${id}`,
        )
      )[0]!;
    /** Reconciliation once the provider's lookups can be trusted (its lag, then 30 s). */
    async function reconcileLater() {
      const skip = quiet.ctx.payments.lookupLagMs + 31_000;
      quiet.clock.advance(skip);
      try {
        return await reconcilePayments(quiet.ctx);
      } finally {
        quiet.clock.advance(-skip);
      }
    }

    it('reconciliation finds the charge by the payment id and pays the order once', async () => {
      const { orderId, payment } = await startedPayment();
      const intent = await charge(payment);
      expect(intent.status).toBe('succeeded');
      // Within the provider's lookup lag nothing is concluded.
      if (quiet.ctx.payments.lookupLagMs > 0) {
        expect(await reconcilePayments(quiet.ctx, 0)).toBe(0);
        expect((await rowOf(payment.id)).status).toBe('processing');
      }
      expect(await reconcileLater()).toBeGreaterThanOrEqual(1);
      expect(await rowOf(payment.id)).toEqual({
        status: 'succeeded',
        provider_payment_id: intent.providerPaymentId,
        failure_code: null,
      });
      const order = await quiet.http.get(`/api/v1/orders/${orderId}`, { token: buyer.token });
      expect(order.body).toMatchObject({ status: 'paid', paymentStatus: 'paid' });
      expect(order.body.history.filter((h: { to: string }) => h.to === 'paid')).toHaveLength(1);
    });

    it('reconciliation fails it as abandoned when the provider has no intent for it', async () => {
      const { orderId, payment } = await startedPayment();
      await reconcileLater();
      expect(await rowOf(payment.id)).toMatchObject({
        status: 'failed',
        failure_code: 'abandoned',
      });
      const retry = await quiet.http.post(
        `/api/v1/orders/${orderId}/payments`,
        { paymentMethod: 'pm_card_visa' },
        { token: buyer.token },
      );
      expect(retry.status).toBe(201);
    });

    it("the provider's webhook finds it by the payment id in the intent's metadata and records the id", async () => {
      const { orderId, payment } = await startedPayment();
      const intent = await charge(payment);
      const body = JSON.stringify({
        id: `evt_unrecorded_${orderId}`,
        object: 'event',
        type: 'payment_intent.succeeded',
        created: Math.floor(Date.now() / 1000),
        data: {
          object: {
            object: 'payment_intent',
            id: intent.providerPaymentId,
            status: 'succeeded',
            amount: payment.amount,
            currency: payment.currency.toLowerCase(),
            metadata: { order_id: orderId, payment_id: payment.id },
          },
        },
      });
      const res = await quiet.http.post(`/api/v1/webhooks/payments/${provider}`, undefined, {
        raw: body,
        headers: {
          'content-type': 'application/json',
          'stripe-signature': signWebhook(
            quiet.ctx.gateway.webhookSecret,
            body,
            Math.floor(Date.now() / 1000),
          ),
        },
      });
      expect(res.body.result).toBe('handled');
      expect(await rowOf(payment.id)).toMatchObject({
        status: 'succeeded',
        provider_payment_id: intent.providerPaymentId,
      });
      const order = await quiet.http.get(`/api/v1/orders/${orderId}`, { token: buyer.token });
      expect(order.body.status).toBe('paid');
    });
  });

  it('reconciles a processing payment by polling the provider when no webhook comes', async () => {
    const quiet = await buildTestApp(await env(), {
      gateway: true,
      webhookUrl: 'http://127.0.0.1:9/nowhere',
    });
    try {
      const buyer = await createUser(quiet);
      const product = await createProduct(quiet, { stock: 3 });
      const placed = await quiet.http.post(
        '/api/v1/orders',
        { items: [{ productId: product.id, quantity: 1 }], shippingAddress },
        { token: buyer.token },
      );
      const res = await quiet.http.post(
        `/api/v1/orders/${placed.body.id}/payments`,
        { paymentMethod: 'pm_card_processing' },
        { token: buyer.token },
      );
      expect(res.body.status).toBe('processing');
      await waitFor(async () => (await reconcilePayments(quiet.ctx, 0)) > 0, {
        what: 'reconciled',
        timeoutMs: 15_000,
      });
      const order = await quiet.http.get(`/api/v1/orders/${placed.body.id}`, {
        token: buyer.token,
      });
      expect(order.body.status).toBe('paid');
    } finally {
      await quiet.close();
    }
  });
});
