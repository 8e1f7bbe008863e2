import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applySnapshot,
  beginAttempt,
  handleWebhook,
} from '../src/modules/payments/payments.service.js';
import { signWebhook } from '../src/shared/webhook-signature.js';
import { createProduct, createUser, type TestUser } from './helpers/factories.js';
import { driverCalls } from './helpers/driver-calls.js';
import { buildTestApp, type TestApp } from './helpers/test-app.js';

// The checkout path's database round trips, counted at the driver: starting a payment, the
// confirm response settling it, and the provider's webhook that follows (which usually finds
// nothing left to change). No worker and no gateway run, so every statement counted is the
// call's own.

let t: TestApp;
let customer: TestUser;

beforeAll(async () => {
  t = await buildTestApp();
  customer = await createUser(t);
});
afterAll(() => t.close());

const locks = (statements: string[]) => statements.filter((s) => /for update/i.test(s)).length;

async function unpaidOrder() {
  const product = await createProduct(t, { price: 1200, stock: 5 });
  const res = await t.http.post(
    '/api/v1/orders',
    {
      items: [{ productId: product.id, quantity: 1 }],
      shippingAddress: {
        name: 'Rita Roundtrip',
        line1: '1 Wire Rd',
        city: 'Austin',
        postalCode: '73301',
        country: 'US',
      },
    },
    { token: customer.token },
  );
  expect(res.status).toBe(201);
  return res.body as { id: string; total: number };
}

const actor = () => ({ userId: customer.user.id, role: 'customer' as const, sessionId: 'test' });

const succeeded = (order: { id: string; total: number }, paymentId: string) => ({
  providerPaymentId: `pi_rt_${paymentId}`,
  status: 'succeeded' as const,
  amount: order.total,
  currency: 'usd',
  amountRefunded: 0,
  metadata: { order_id: order.id, payment_id: paymentId },
});

describe('payment round trips', () => {
  it('starts a payment in one statement, outside a transaction', async () => {
    const order = await unpaidOrder();
    const calls = await driverCalls(t.ctx.database, () => beginAttempt(t.ctx, actor(), order.id));
    expect(calls.transactions).toBe(0);
    expect(calls.statements).toHaveLength(1);
  });

  it("settles the confirm response in one transaction, locking the order's row and the payment's once each", async () => {
    const order = await unpaidOrder();
    const payment = await beginAttempt(t.ctx, actor(), order.id);
    const calls = await driverCalls(t.ctx.database, () =>
      applySnapshot(t.ctx, succeeded(order, payment.id), payment),
    );
    expect(calls.transactions).toBe(1);
    expect(locks(calls.statements)).toBe(2);
  });

  it('records a webhook that changes nothing in two statements, without a transaction or a row lock', async () => {
    const order = await unpaidOrder();
    const payment = await beginAttempt(t.ctx, actor(), order.id);
    const snapshot = succeeded(order, payment.id);
    await applySnapshot(t.ctx, snapshot, payment); // the confirm response got there first
    const body = JSON.stringify({
      id: `evt_rt_${payment.id}`,
      object: 'event',
      type: 'payment_intent.succeeded',
      created: Math.floor(Date.now() / 1000),
      data: {
        object: {
          object: 'payment_intent',
          id: snapshot.providerPaymentId,
          status: 'succeeded',
          amount: order.total,
          currency: 'usd',
          metadata: snapshot.metadata,
        },
      },
    });
    const signature = signWebhook(t.ctx.gateway.webhookSecret, body, Math.floor(Date.now() / 1000));
    let result: string | undefined;
    const calls = await driverCalls(t.ctx.database, async () => {
      result = await handleWebhook(t.ctx, t.ctx.payments.name, body, signature);
    });
    expect(result).toBe('handled');
    expect(calls.transactions).toBe(0);
    expect(locks(calls.statements)).toBe(0);
    expect(calls.statements).toHaveLength(2);
  });
});
