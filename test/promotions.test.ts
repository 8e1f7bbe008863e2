import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findProduct } from '../src/modules/catalog/product.repository.js';
import { createProduct, createUser, type TestUser } from './helpers/factories.js';
import { buildTestApp, type TestApp } from './helpers/test-app.js';

// Promo codes through the real API, on the database of this run (PGlite or PostgreSQL).
let t: TestApp;
let admin: TestUser;
let customer: TestUser;
beforeAll(async () => {
  t = await buildTestApp({ SHIPPING_FLAT_RATE: '500', FREE_SHIPPING_OVER: '10000' });
  [admin, customer] = await Promise.all([createUser(t, { role: 'admin' }), createUser(t)]);
});
afterAll(() => t.close());

let n = 0;
const uniqueCode = (prefix: string) => `${prefix}${Date.now().toString(36)}${++n}`.toUpperCase();
const shippingAddress = {
  name: 'P. Romo',
  line1: '5 Sale Rd',
  city: 'Dublin',
  postalCode: 'D02',
  country: 'IE',
};

async function createPromo(body: Record<string, unknown>) {
  const res = await t.http.post('/api/v1/admin/promo-codes', body, { token: admin.token });
  expect(res.status).toBe(201);
  return res.body as { id: string; code: string };
}

const promoOf = async (id: string) =>
  (await t.http.get(`/api/v1/admin/promo-codes/${id}`, { token: admin.token })).body as {
    timesUsed: number;
  };

const order = (buyer: TestUser, productId: string, promoCode: string, quantity = 1) =>
  t.http.post(
    '/api/v1/orders',
    { items: [{ productId, quantity }], shippingAddress, promoCode },
    { token: buyer.token },
  );

describe('shipping, priced in the order statement', () => {
  it('ships an order free from FREE_SHIPPING_OVER and charges the flat rate below it, as answered and as stored', async () => {
    const product = await createProduct(t, { price: 5000, stock: 10 });
    const cheap = await createProduct(t, { price: 4999, stock: 10 });
    const place = (items: { productId: string; quantity: number }[]) =>
      t.http.post('/api/v1/orders', { items, shippingAddress }, { token: customer.token });
    const atThreshold = await place([{ productId: product.id, quantity: 2 }]);
    const below = await place([
      { productId: cheap.id, quantity: 1 },
      { productId: product.id, quantity: 1 },
    ]);
    expect(atThreshold.status).toBe(201);
    expect(below.status).toBe(201);
    const totals = { subtotal: 10000, discount: 0, shipping: 0, total: 10000 };
    const totalsBelow = { subtotal: 9999, discount: 0, shipping: 500, total: 10499 };
    expect(atThreshold.body).toMatchObject(totals);
    expect(below.body).toMatchObject(totalsBelow);
    expect(below.body.lines).toMatchObject([
      { productId: cheap.id, unitPrice: 4999, subtotal: 4999, discount: 0, total: 4999 },
      { productId: product.id, unitPrice: 5000, subtotal: 5000, discount: 0, total: 5000 },
    ]);
    const stored = async (id: string) =>
      (await t.http.get(`/api/v1/orders/${id}`, { token: customer.token })).body;
    expect(await stored(atThreshold.body.id)).toMatchObject(totals);
    expect(await stored(below.body.id)).toEqual(below.body);
  });
});

describe('applying a code', () => {
  it('discounts the order, spreads the discount over the lines and counts the use', async () => {
    const code = uniqueCode('SPRING');
    const promo = await createPromo({ code, type: 'percentage', percentOff: 12.5 });
    const a = await createProduct(t, { price: 3000, stock: 10 });
    const b = await createProduct(t, { price: 999, stock: 10 });
    const res = await t.http.post(
      '/api/v1/orders',
      {
        items: [
          { productId: a.id, quantity: 1 },
          { productId: b.id, quantity: 1 },
        ],
        shippingAddress,
        promoCode: code.toLowerCase(),
      },
      { token: customer.token },
    );
    expect(res.status).toBe(201);
    // 12.5% of 39.99 = 4.99875 → 5.00 (half-up); shipping 5.00 since 34.99 < 100.00.
    expect(res.body).toMatchObject({
      subtotal: 3999,
      discount: 500,
      shipping: 500,
      total: 3999,
      promoCode: code,
    });
    expect(res.body.lines.map((l: { discount: number }) => l.discount)).toEqual([375, 125]);
    expect((await promoOf(promo.id)).timesUsed).toBe(1);
    const redemptions = await t.http.get(`/api/v1/admin/promo-codes/${promo.id}/redemptions`, {
      token: admin.token,
    });
    expect(redemptions.body.items).toEqual([
      expect.objectContaining({ orderId: res.body.id, discount: 500, releasedAt: null }),
    ]);
    const filtered = await t.http.get(`/api/v1/admin/orders?promoCode=${code.toLowerCase()}`, {
      token: admin.token,
    });
    expect(filtered.body.items.map((o: { id: string }) => o.id)).toEqual([res.body.id]);
  });

  it('quotes the same breakdown without using the code', async () => {
    const code = uniqueCode('QUOTE');
    const promo = await createPromo({
      code,
      type: 'percentage',
      percentOff: 25,
      maxDiscount: 1500,
    });
    const p = await createProduct(t, { price: 10_000, stock: 3 });
    const res = await t.http.post(
      '/api/v1/orders/quote',
      { items: [{ productId: p.id, quantity: 1 }], promoCode: code },
      { token: customer.token },
    );
    expect(res.status).toBe(200);
    // 25% of 100.00 capped at 15.00 → 85.00, below the free-shipping threshold after the discount.
    expect(res.body).toMatchObject({
      subtotal: 10_000,
      discount: 1500,
      shipping: 500,
      total: 9000,
      promo: { code, applied: true },
    });
    expect((await promoOf(promo.id)).timesUsed).toBe(0);
  });

  it('takes a fixed code larger than the subtotal down to the shipping', async () => {
    const code = uniqueCode('BIG');
    await createPromo({ code, type: 'fixed', amountOff: 100_000 });
    const p = await createProduct(t, { price: 2500, stock: 3 });
    const res = await order(customer, p.id, code);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ subtotal: 2500, discount: 2500, shipping: 500, total: 500 });
  });
});

describe('codes that do not apply', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['unknown', {}, 'PROMO_CODE_UNKNOWN'],
    ['inactive', { active: false }, 'PROMO_CODE_INACTIVE'],
    ['not started', { startsAt: '2099-01-01T00:00:00Z' }, 'PROMO_CODE_NOT_STARTED'],
    ['expired', { endsAt: '2020-01-01T00:00:00Z' }, 'PROMO_CODE_EXPIRED'],
    ['below its minimum subtotal', { minSubtotal: 1_000_000 }, 'PROMO_CODE_MIN_SUBTOTAL'],
  ];
  it.each(cases)(
    'a code that is %s: the quote says so and the order is refused with it, reserving nothing',
    async (name, extra, reason) => {
      const code = uniqueCode('R');
      if (name !== 'unknown') await createPromo({ code, type: 'fixed', amountOff: 100, ...extra });
      const p = await createProduct(t, { price: 1000, stock: 4 });
      const quote = await t.http.post(
        '/api/v1/orders/quote',
        { items: [{ productId: p.id, quantity: 1 }], promoCode: code },
        { token: customer.token },
      );
      expect(quote.status).toBe(200);
      expect(quote.body.promo).toEqual({ code, applied: false, reason });
      expect(quote.body.discount).toBe(0);
      const res = await order(customer, p.id, code);
      expect(res.status).toBe(422);
      expect(res.body.code).toBe(reason);
      expect((await findProduct(t.ctx.db, p.id))!.stock).toBe(4);
    },
  );

  it('expires a code when the clock passes its end', async () => {
    const code = uniqueCode('SOON');
    await createPromo({
      code,
      type: 'fixed',
      amountOff: 100,
      endsAt: new Date(Date.now() + 5 * 60_000).toISOString(),
    });
    const p = await createProduct(t, { stock: 4 });
    expect((await order(customer, p.id, code)).status).toBe(201);
    // Ten minutes on: past the code's end, still inside the access token's 15 minutes.
    t.clock.advance(10 * 60_000);
    try {
      const late = await order(customer, p.id, code);
      expect(late.status).toBe(422);
      expect(late.body.code).toBe('PROMO_CODE_EXPIRED');
    } finally {
      t.clock.advance(-10 * 60_000);
    }
  });
});

describe('limits under races', () => {
  it('a code with usageLimit 10 and 60 concurrent orders by different customers: exactly 10 discounted', async () => {
    const code = uniqueCode('TEN');
    const promo = await createPromo({ code, type: 'fixed', amountOff: 200, usageLimit: 10 });
    const p = await createProduct(t, { price: 1000, stock: 100 });
    const buyers = await Promise.all(Array.from({ length: 60 }, () => createUser(t)));
    const results = await Promise.all(buyers.map((b) => order(b, p.id, code)));
    const ok = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status === 422);
    expect(ok).toHaveLength(10);
    expect(refused).toHaveLength(50);
    for (const r of ok) expect(r.body.discount).toBe(200);
    for (const r of refused) expect(r.body.code).toBe('PROMO_CODE_USAGE_LIMIT');
    expect((await promoOf(promo.id)).timesUsed).toBe(10);
    expect((await findProduct(t.ctx.db, p.id))!.stock).toBe(90);

    // Cancelling gives the use back, exactly once: one more customer can use it.
    const cancelled = ok[0]!;
    const owner = buyers[results.indexOf(cancelled)]!;
    const cancels = await Promise.all(
      [1, 2, 3].map(() =>
        t.http.post(`/api/v1/orders/${cancelled.body.id}/cancel`, undefined, {
          token: owner.token,
        }),
      ),
    );
    expect(cancels.filter((c) => c.status === 200)).toHaveLength(1);
    expect((await promoOf(promo.id)).timesUsed).toBe(9);
    const next = await Promise.all(buyers.slice(-3).map((b) => order(b, p.id, code)));
    expect(next.filter((r) => r.status === 201)).toHaveLength(1);
    expect((await promoOf(promo.id)).timesUsed).toBe(10);
  });

  it('a once-per-customer code and 4 concurrent orders by one customer: exactly 1', async () => {
    const code = uniqueCode('ONCE');
    const promo = await createPromo({
      code,
      type: 'percentage',
      percentOff: 10,
      perCustomerLimit: 1,
    });
    const p = await createProduct(t, { price: 1000, stock: 20 });
    const buyer = await createUser(t);
    const results = await Promise.all([1, 2, 3, 4].map(() => order(buyer, p.id, code)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    const refused = results.filter((r) => r.status === 422);
    expect(refused).toHaveLength(3);
    for (const r of refused) expect(r.body.code).toBe('PROMO_CODE_CUSTOMER_LIMIT');
    expect((await promoOf(promo.id)).timesUsed).toBe(1);

    // After cancelling, the customer may use it again.
    const placed = results.find((r) => r.status === 201)!;
    expect(
      (
        await t.http.post(`/api/v1/orders/${placed.body.id}/cancel`, undefined, {
          token: buyer.token,
        })
      ).status,
    ).toBe(200);
    expect((await order(buyer, p.id, code)).status).toBe(201);
  });
});
