import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findProduct, sumMovements } from '../../../src/modules/catalog/product.repository.js';
import { orders } from '../../../src/modules/orders/order.table.js';
import { createProduct, createUser, type TestUser } from '../../helpers/factories.js';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { countChecks, freshAddress, shippingAddress, tally } from './owasp.js';

countChecks('API6:2023 Unrestricted Access to Sensitive Business Flows');

// The flows a bot would abuse: guessing promo codes, holding a product's stock in unpaid
// orders, and using a one-per-customer code many times. The full cases (300 parallel guesses,
// 15 accounts on one address, expiry freeing a place, racing unit limits) are in
// test/security/promo-throttle.test.ts and test/security/hoarding.test.ts.

const PROMO_LIMIT = 5;
let t: TestApp;
let admin: TestUser;
beforeAll(async () => {
  t = await buildTestApp({
    RATE_LIMIT_PROMO: String(PROMO_LIMIT),
    RATE_LIMIT_PROMO_ADDRESS: '1000',
    MAX_UNPAID_ORDERS: '3',
    MAX_UNITS_PER_PRODUCT: '5',
  });
  admin = await createUser(t, { role: 'admin' });
});
afterAll(() => t.close());

async function send(buyer: TestUser, url: string, body: object, remoteAddress = freshAddress()) {
  const res = await t.app.inject({
    method: 'POST',
    url,
    payload: body,
    remoteAddress,
    headers: { authorization: `Bearer ${buyer.token}` },
  });
  return { status: res.statusCode, headers: res.headers, body: res.json<Record<string, any>>() };
}

describe('API6:2023 Unrestricted Access to Sensitive Business Flows', () => {
  it(`promo-code guessing: 40 parallel guesses from one customer, ${PROMO_LIMIT} answered, the rest 429 with Retry-After, even the one right code`, async () => {
    const buyer = await createUser(t);
    const product = await createProduct(t, { stock: 5, price: 10_000 });
    const code = `RIGHT${Date.now()}`;
    const made = await t.http.post(
      '/api/v1/admin/promo-codes',
      { code, type: 'fixed', amountOff: 5000, active: true },
      { token: admin.token },
    );
    expect(made.status).toBe(201);
    const items = [{ productId: product.id, quantity: 1 }];
    const guesses = Array.from({ length: 40 }, (_, i) => (i === 39 ? code : `GUESS${i}`));
    const results = await Promise.all(
      guesses.map((promoCode) => send(buyer, '/api/v1/orders/quote', { items, promoCode })),
    );
    const statuses = tally(results.map((r) => r.status));
    expect(statuses[429]).toBe(40 - PROMO_LIMIT);
    expect((statuses[200] ?? 0) + (statuses[422] ?? 0)).toBe(PROMO_LIMIT);
    for (const r of results.filter((r) => r.status === 429)) {
      expect(r.body.code).toBe('RATE_LIMITED');
      expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      // A throttled answer says nothing about the code.
      expect(JSON.stringify(r.body)).not.toMatch(/discount|PROMO_CODE/);
    }
    // Placing an order is the same count: no way around the quote's limit.
    const order = await send(buyer, '/api/v1/orders', { items, promoCode: code, shippingAddress });
    expect(order.status).toBe(429);
    // Checkout without a code stays open.
    expect((await send(buyer, '/api/v1/orders/quote', { items })).status).toBe(200);
  });

  it('stock hoarding: 12 racing orders from one customer place exactly 3; units of one product are capped; stock equals its ledger', async () => {
    const buyer = await createUser(t);
    const product = await createProduct(t, { stock: 100 });
    const place = (quantity: number) =>
      t.http.post(
        '/api/v1/orders',
        { items: [{ productId: product.id, quantity }], shippingAddress },
        { token: buyer.token },
      );
    const results = await Promise.all(Array.from({ length: 12 }, () => place(1)));
    expect(tally(results.map((r) => r.status))).toEqual({ 201: 3, 409: 9 });
    for (const r of results.filter((r) => r.status === 409))
      expect(r.body.code).toBe('TOO_MANY_UNPAID_ORDERS');
    const stock = (await findProduct(t.ctx.db, product.id))!.stock;
    expect(stock).toBe(97);
    expect(await sumMovements(t.ctx.db, product.id)).toBe(stock);

    // A second account: one order may not take more than MAX_UNITS_PER_PRODUCT of a product.
    const other = await createUser(t);
    const greedy = await t.http.post(
      '/api/v1/orders',
      { items: [{ productId: product.id, quantity: 6 }], shippingAddress },
      { token: other.token },
    );
    expect(greedy.status).toBe(409);
    expect(greedy.body.code).toBe('PRODUCT_UNIT_LIMIT');
    expect((await findProduct(t.ctx.db, product.id))!.stock).toBe(97);
  });

  it('a one-per-customer code used by racing orders of one customer is redeemed once', async () => {
    const buyer = await createUser(t);
    const product = await createProduct(t, { stock: 50, price: 10_000 });
    const code = `ONCE${Date.now()}`;
    const made = await t.http.post(
      '/api/v1/admin/promo-codes',
      { code, type: 'fixed', amountOff: 1000, perCustomerLimit: 1, active: true },
      { token: admin.token },
    );
    expect(made.status).toBe(201);
    const results = await Promise.all(
      Array.from({ length: 3 }, () =>
        send(buyer, '/api/v1/orders', {
          items: [{ productId: product.id, quantity: 1 }],
          promoCode: code,
          shippingAddress,
        }),
      ),
    );
    const placed = results.filter((r) => r.status === 201);
    expect(placed.length).toBe(1);
    for (const r of results.filter((r) => r.status !== 201))
      expect(r.body.code).toBe('PROMO_CODE_CUSTOMER_LIMIT');
    // Nothing else was placed: the refused orders reserved and redeemed nothing.
    expect(
      await t.ctx.db.select().from(orders).where(eq(orders.userId, buyer.user.id)),
    ).toHaveLength(1);
    expect((await findProduct(t.ctx.db, product.id))!.stock).toBe(49);
    const codes = await t.http.get(`/api/v1/admin/promo-codes/${made.body.id}`, {
      token: admin.token,
    });
    expect(codes.body.timesUsed).toBe(1);
  });
});
