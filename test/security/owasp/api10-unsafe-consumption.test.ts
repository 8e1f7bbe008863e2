import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../../src/db/client.js';
import { payments } from '../../../src/modules/payments/payment.table.js';
import { signWebhook } from '../../../src/shared/webhook-signature.js';
import { createProduct, createUser, type TestUser } from '../../helpers/factories.js';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { countChecks, shippingAddress, type Json } from './owasp.js';

countChecks('API10:2023 Unsafe Consumption of APIs');

// What Ordo consumes from elsewhere: the payment provider's webhooks (inbound, signed) and its
// API answers (outbound). Both are attacked here; the webhook flows themselves (duplicates,
// out-of-order events, amounts) are in test/payments.test.ts for both adapters.

let t: TestApp;
let customer: TestUser;
beforeAll(async () => {
  // The gateway's own webhooks go nowhere (nothing listens on port 9) and no worker
  // reconciles: a processing payment stays processing until an event of the test's settles it,
  // so a bad event that settled it cannot hide behind the gateway's good one.
  t = await buildTestApp(
    { ORDER_PAYMENT_TTL: '10m' },
    { gateway: true, webhookUrl: 'http://127.0.0.1:9/held' },
  );
  customer = await createUser(t);
});
afterAll(() => t.close());

const secret = () => t.ctx.gateway.webhookSecret;
const now = () => Math.floor(t.clock.now().getTime() / 1000);
const post = (body: string, headers: Record<string, string> = {}, provider = 'builtin') =>
  t.http.post(`/api/v1/webhooks/payments/${provider}`, undefined, {
    raw: body,
    headers: { 'content-type': 'application/json', ...headers },
  });
const signed = (body: string, at = now(), key = secret()) => ({
  'stripe-signature': signWebhook(key, body, at),
});

async function processingPayment() {
  const product = await createProduct(t, { price: 2500, stock: 10 });
  const order = await t.http.post(
    '/api/v1/orders',
    { items: [{ productId: product.id, quantity: 1 }], shippingAddress },
    { token: customer.token },
  );
  expect(order.status).toBe(201);
  const pay = await t.http.post(
    `/api/v1/orders/${order.body.id}/payments`,
    { paymentMethod: 'pm_card_processing' },
    { token: customer.token },
  );
  expect(pay.status).toBe(201);
  const [row] = await t.ctx.db.select().from(payments).where(eq(payments.id, pay.body.id));
  return {
    orderId: order.body.id as string,
    total: order.body.total as number,
    intentId: row!.providerPaymentId!,
  };
}

const successEvent = (id: string, intentId: string, amount: number) =>
  JSON.stringify({
    id,
    object: 'event',
    type: 'payment_intent.succeeded',
    created: now(),
    data: {
      object: {
        object: 'payment_intent',
        id: intentId,
        status: 'succeeded',
        amount,
        currency: 'usd',
        metadata: {},
      },
    },
  });

const eventsNamed = async (id: string) =>
  (
    await queryRows<{ n: number }>(
      t.ctx.db,
      sql`select count(*)::int as n from webhook_events where event_id = ${id}`,
    )
  )[0]!.n;
const orderStatus = async (id: string) =>
  (await t.http.get(`/api/v1/orders/${id}`, { token: customer.token })).body.status as string;

describe('API10:2023 Unsafe Consumption of APIs', () => {
  describe('payment webhooks', () => {
    it('refuses unsigned, wrongly signed, stale, future, altered and malformed signatures with 400 WEBHOOK_SIGNATURE_INVALID, changing nothing', async () => {
      // Each forged event names an intent of no payment: even a forgery that got through would
      // find nothing to settle, so only the record of the event says whether it was accepted.
      const id = `evt_forged_${Date.now()}`;
      const body = successEvent(id, 'pi_forged', 2500);
      const cases: [string, Record<string, string>][] = [
        ['no signature', {}],
        ['an empty signature', { 'stripe-signature': '' }],
        ['another secret', signed(body, now(), 'whsec_not_ours_0123456789abcdef')],
        ['stale (360 s old)', signed(body, now() - 360)],
        ['from the future (360 s ahead)', signed(body, now() + 360)],
        ['another body', signed(body.replace('2500', '1'))],
        [
          'a v0 scheme only',
          { 'stripe-signature': signWebhook(secret(), body, now()).replace('v1=', 'v0=') },
        ],
        [
          'no timestamp',
          { 'stripe-signature': signWebhook(secret(), body, now()).replace(/^t=\d+,/, '') },
        ],
        [
          'a non-numeric timestamp',
          { 'stripe-signature': signWebhook(secret(), body, now()).replace(/^t=\d+/, 't=soon') },
        ],
        ['garbage', { 'stripe-signature': 'x'.repeat(2000) }],
      ];
      for (const [what, headers] of cases) {
        const res = await post(body, headers);
        expect([what, res.status, res.body.code]).toEqual([what, 400, 'WEBHOOK_SIGNATURE_INVALID']);
      }
      expect(await eventsNamed(id)).toBe(0);
    });

    it('a replayed event is a no-op, re-signed later or not, and a stale replay is refused', async () => {
      const { orderId, total, intentId } = await processingPayment();
      const id = `evt_replay_${orderId}`;
      const body = successEvent(id, intentId, total);
      const first = await post(body, signed(body));
      expect(first.status).toBe(200);
      expect(first.body.result).toBe('handled');
      const history = (await t.http.get(`/api/v1/orders/${orderId}`, { token: customer.token }))
        .body.history;
      for (const headers of [signed(body), signed(body, now() - 200)]) {
        const again = await post(body, headers);
        expect(again.body.result).toBe('duplicate');
      }
      // Captured and replayed after the tolerance: refused before anything is read.
      t.clock.advance(301_000);
      const late = await post(body, {
        'stripe-signature': signWebhook(secret(), body, now() - 301),
      });
      expect(late.status).toBe(400);
      expect(await eventsNamed(id)).toBe(1);
      expect(
        (await t.http.get(`/api/v1/orders/${orderId}`, { token: customer.token })).body.history,
      ).toEqual(history);
    });

    it('refuses other content types with 415, an oversized body with 413, an unknown provider with 404; nothing recorded', async () => {
      const id = `evt_shape_${Date.now()}`;
      const body = successEvent(id, 'pi_none', 100);
      for (const type of [
        'application/x-www-form-urlencoded',
        'text/plain',
        'multipart/form-data; boundary=x',
        'application/xml',
      ]) {
        const res = await post(body, { ...signed(body), 'content-type': type });
        expect([type, res.status, res.body.code]).toEqual([type, 415, 'UNSUPPORTED_MEDIA_TYPE']);
      }
      const big = JSON.stringify({ id, type: 'x', padding: 'x'.repeat(600 * 1024) });
      const oversize = await post(big, signed(big));
      expect(oversize.status).toBe(413);
      expect(oversize.body.code).toBe('PAYLOAD_TOO_LARGE');
      const elsewhere = await post(body, signed(body), 'paypal');
      expect(elsewhere.status).toBe(404);
      expect(await eventsNamed(id)).toBe(0);
    });

    it('a correctly signed event of the wrong shape is a 4xx or a no-op, never a 5xx, and changes no payment', async () => {
      const { orderId, total, intentId } = await processingPayment();
      const intent = {
        object: 'payment_intent',
        id: intentId,
        status: 'succeeded',
        amount: total,
        currency: 'usd',
      };
      const shapes: [string, unknown][] = [
        ['not JSON', 'not json at all'],
        ['JSON null', null],
        ['an array', [1, 2]],
        ['a string', 'evt'],
        ['no id', { type: 'payment_intent.succeeded', data: { object: intent } }],
        ['a numeric id', { id: 42, type: 'payment_intent.succeeded', data: { object: intent } }],
        [
          'an object id',
          { id: { $ne: null }, type: 'payment_intent.succeeded', data: { object: intent } },
        ],
        [
          'a huge id',
          { id: 'e'.repeat(10_000), type: 'payment_intent.succeeded', data: { object: intent } },
        ],
        ['no type', { id: `evt_notype_${orderId}`, data: { object: intent } }],
        ['a numeric type', { id: `evt_numtype_${orderId}`, type: 7, data: { object: intent } }],
        [
          'data not an object',
          { id: `evt_data_${orderId}`, type: 'payment_intent.succeeded', data: 'x' },
        ],
        [
          'an amount as text',
          {
            id: `evt_amt_${orderId}`,
            type: 'payment_intent.succeeded',
            data: { object: { ...intent, amount: String(total) } },
          },
        ],
        [
          'a negative amount',
          {
            id: `evt_neg_${orderId}`,
            type: 'payment_intent.succeeded',
            data: { object: { ...intent, amount: -total } },
          },
        ],
        [
          'no intent id',
          {
            id: `evt_noint_${orderId}`,
            type: 'payment_intent.succeeded',
            data: { object: { ...intent, id: undefined } },
          },
        ],
        [
          'a numeric intent id',
          {
            id: `evt_numint_${orderId}`,
            type: 'payment_intent.succeeded',
            data: { object: { ...intent, id: 5 } },
          },
        ],
        [
          'another currency',
          {
            id: `evt_cur_${orderId}`,
            type: 'payment_intent.succeeded',
            data: { object: { ...intent, currency: 'eur' } },
          },
        ],
        [
          'refunded more than paid',
          {
            id: `evt_over_${orderId}`,
            type: 'charge.refunded',
            data: { object: { ...intent, amount_refunded: total * 10 } },
          },
        ],
        [
          'a refund as text',
          {
            id: `evt_reftext_${orderId}`,
            type: 'charge.refunded',
            data: { object: { ...intent, amount_refunded: 'all' } },
          },
        ],
        [
          'a failure with an odd error',
          {
            id: `evt_err_${orderId}`,
            type: 'payment_intent.payment_failed',
            data: {
              object: { ...intent, status: 'requires_payment_method', last_payment_error: 'boom' },
            },
          },
        ],
      ];
      const [before] = await t.ctx.db
        .select()
        .from(payments)
        .where(eq(payments.providerPaymentId, intentId));
      for (const [what, value] of shapes) {
        const body =
          typeof value === 'string' && what === 'not JSON' ? value : JSON.stringify(value);
        const res = await post(body, signed(body));
        expect([what, res.status < 500, res.body.code]).toEqual([what, true, res.body.code]);
        if (res.status === 200)
          expect([what, res.body.result]).toEqual([
            what,
            // A mismatched amount or currency is read, logged and not applied ('handled').
            expect.toBeOneOf(['ignored', 'duplicate', 'handled']),
          ]);
        else expect([what, res.status]).toEqual([what, 400]);
      }
      const paymentNow = async () =>
        (
          await t.ctx.db.select().from(payments).where(eq(payments.providerPaymentId, intentId))
        )[0]!;
      const after = await paymentNow();
      expect(before!.status).toBe('processing');
      expect(after).toMatchObject({ status: 'processing', refundedAmount: before!.refundedAmount });
      expect(await orderStatus(orderId)).toBe('pending_payment');
      // The same payment is settled by a well-formed event: the shapes above were refused, not
      // aimed at something that could not change.
      const good = successEvent(`evt_good_${orderId}`, intentId, total);
      expect((await post(good, signed(good))).body.result).toBe('handled');
      expect((await paymentNow()).status).toBe('succeeded');
      expect(await orderStatus(orderId)).toBe('paid');
    });
  });

  describe('the payment provider’s answers', () => {
    let fake: Server;
    let answer: (path: string) => { status: number; body: string; type?: string };
    let shop: TestApp;
    let buyer: TestUser;
    beforeAll(async () => {
      fake = createServer((req, res) => {
        const { status, body, type } = answer(req.url ?? '');
        res.writeHead(status, { 'content-type': type ?? 'application/json' }).end(body);
      });
      await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
      shop = await buildTestApp({
        GATEWAY_URL: `http://127.0.0.1:${(fake.address() as AddressInfo).port}`,
      });
      buyer = await createUser(shop);
    });
    afterAll(async () => {
      await shop.close();
      await new Promise((resolve) => fake.close(resolve));
    });

    let intents = 0;
    /** A payment intent as the fake provider answers it, a new id each time. */
    const intent = (over: Json = {}) =>
      JSON.stringify({
        id: `pi_fake_${++intents}`,
        object: 'payment_intent',
        status: 'succeeded',
        amount: 1000,
        currency: 'usd',
        metadata: {},
        ...over,
      });

    it.each<[string, (path: string) => { status: number; body: string; type?: string }]>([
      [
        'HTML instead of JSON',
        () => ({ status: 200, body: '<html>oops</html>', type: 'text/html' }),
      ],
      ['an empty body', () => ({ status: 200, body: '' })],
      ['JSON null', () => ({ status: 200, body: 'null' })],
      ['an intent without an id', () => ({ status: 200, body: intent({ id: undefined }) })],
      ['success for another amount', () => ({ status: 200, body: intent({ amount: 1 }) })],
      ['success in another currency', () => ({ status: 200, body: intent({ currency: 'eur' }) })],
      ['an amount as text', () => ({ status: 200, body: intent({ amount: '1000' }) })],
      ['an unknown status', () => ({ status: 200, body: intent({ status: 'teleported' }) })],
      [
        'a 402 without an intent',
        () => ({ status: 402, body: JSON.stringify({ error: { code: 'card_declined' } }) }),
      ],
      [
        'a 404',
        () => ({
          status: 404,
          body: JSON.stringify({ error: { code: 'resource_missing', message: 'no such intent' } }),
        }),
      ],
      ['a 500', () => ({ status: 500, body: 'internal' })],
    ])(
      '%s: the payment is not marked paid and the answer is never a 500',
      async (_what, respond) => {
        answer = respond;
        const product = await createProduct(shop, { price: 1000, stock: 5 });
        const order = await shop.http.post(
          '/api/v1/orders',
          { items: [{ productId: product.id, quantity: 1 }], shippingAddress },
          { token: buyer.token },
        );
        expect(order.status).toBe(201);
        const pay = await shop.http.post(
          `/api/v1/orders/${order.body.id}/payments`,
          { paymentMethod: 'pm_card_visa' },
          { token: buyer.token },
        );
        expect(pay.status).not.toBe(500);
        expect(pay.headers.get('content-type')).toMatch(/^application\/(problem\+)?json/);
        expect(JSON.stringify(pay.body)).not.toMatch(/<html>|oops|at .*\.ts:\d+/);
        const after = await shop.http.get(`/api/v1/orders/${order.body.id}`, {
          token: buyer.token,
        });
        expect(after.body.status).toBe('pending_payment');
        expect(after.body.paymentStatus).toBe('unpaid');
      },
    );
  });
});
