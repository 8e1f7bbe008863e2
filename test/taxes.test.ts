import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.js';
import {
  offerShipping,
  priceOrder,
  taxSql,
  type PricingLine,
} from '../src/modules/orders/pricing.js';
import { resolveTax, type TaxProvider } from '../src/modules/taxes/tax-provider.js';
import { refundTax, taxOn } from '../src/shared/tax-arithmetic.js';
import { createProduct, createUser, type TestUser } from './helpers/factories.js';
import { buildTestApp, type TestApp } from './helpers/test-app.js';

const arbRate = fc.integer({ min: 0, max: 100_000 });
const arbCart = fc.array(
  fc.record({
    unitPrice: fc.integer({ min: 0, max: 10_000_000 }),
    quantity: fc.integer({ min: 1, max: 1000 }),
  }),
  { minLength: 1, maxLength: 20 },
);
const lines = (cart: { unitPrice: number; quantity: number }[]): PricingLine[] =>
  cart.map((l, i) => ({ productId: `p${i}`, sku: `s${i}`, name: `n${i}`, ...l }));

describe('tax arithmetic (pure)', () => {
  it('taxes each line on its total after its discount share and shipping on its own, rounded per line, summing to the tax', () => {
    fc.assert(
      fc.property(
        arbCart,
        fc.integer({ min: 0, max: 100_000_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        arbRate,
        fc.boolean(),
        fc.boolean(),
        (cart, discount, shipping, rate, onShipping, included) => {
          const priced = priceOrder(
            lines(cart),
            discount,
            { flatRate: shipping },
            { rate, shippingRate: onShipping ? rate : 0, included },
          );
          for (const line of priced.lines) {
            expect(line.tax).toBe(taxOn(line.total, rate, included));
            if (included) expect(line.tax).toBeLessThanOrEqual(line.total);
          }
          expect(priced.shippingTax).toBe(taxOn(shipping, onShipping ? rate : 0, included));
          expect(priced.tax).toBe(
            priced.lines.reduce((sum, l) => sum + l.tax, 0) + priced.shippingTax,
          );
          const net = priced.subtotal - priced.discount + priced.shipping;
          expect(priced.total).toBe(included ? net : net + priced.tax);
        },
      ),
    );
  });

  it('rounds half-up on the minor unit, net and gross', () => {
    expect(taxOn(5997, 8875, false)).toBe(532); // 532.23
    expect(taxOn(500, 8875, false)).toBe(44); // 44.375
    expect(taxOn(200, 2500, false)).toBe(5); // 5.0
    expect(taxOn(2, 25_000, false)).toBe(1); // 0.5 rounds up
    expect(taxOn(1190, 19_000, true)).toBe(190); // exactly 190
    expect(taxOn(500, 19_000, true)).toBe(80); // 79.83
    expect(taxOn(0, 19_000, true)).toBe(0);
  });

  it('gives back the tax of what refunds give back: never more in all than was charged, all of it with the whole payment', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.array(fc.integer({ min: 1, max: 10_000_000 }), { minLength: 1, maxLength: 12 }),
        (total, rate, parts) => {
          const tax = Math.min(total, taxOn(total, rate, true));
          let refunded = 0;
          let refundedTax = 0;
          for (const part of parts) {
            const amount = Math.min(part, total - refunded);
            if (amount === 0) break;
            const share = refundTax({ total, tax, refunded, refundedTax }, amount);
            expect(share).toBeGreaterThanOrEqual(0);
            expect(share).toBeLessThanOrEqual(amount);
            refunded += amount;
            refundedTax += share;
            expect(refundedTax).toBeLessThanOrEqual(tax);
          }
          // The rest, whatever is left: the whole tax has then gone back.
          const rest = total - refunded;
          if (rest > 0) refundedTax += refundTax({ total, tax, refunded, refundedTax }, rest);
          expect(refundedTax).toBe(tax);
        },
      ),
    );
  });

  it('offers shipping cheapest first for the cart, a method past its threshold at 0', () => {
    const offered = offerShipping(
      [
        { id: 'b', name: 'Express', price: 1500, freeOver: null },
        { id: 'a', name: 'Standard', price: 500, freeOver: 5000 },
        { id: 'c', name: 'Economy', price: 500, freeOver: null },
      ],
      5000,
    );
    expect(offered).toEqual([
      { id: 'a', name: 'Standard', price: 0 },
      { id: 'c', name: 'Economy', price: 500 },
      { id: 'b', name: 'Express', price: 1500 },
    ]);
  });

  it('turns a tax provider that fails into 503 TAX_UNAVAILABLE, never into no tax', async () => {
    const failing: TaxProvider = {
      rateFor: () => Promise.reject(new Error('tax service timed out')),
      rateRelation: () => sql`select 0 as rate, true as applies_to_shipping, null as name`,
    };
    await expect(resolveTax(failing, undefined as never, { country: 'US' })).rejects.toMatchObject({
      code: 'TAX_UNAVAILABLE',
      status: 503,
    });
  });
});

describe.each([
  ['net', 'false'],
  ['gross', 'true'],
] as const)('taxes with %s prices', (mode, includesTax) => {
  const included = mode === 'gross';
  let t: TestApp;
  let admin: TestUser;
  let staff: TestUser;
  let customer: TestUser;

  beforeAll(async () => {
    t = await buildTestApp(
      { PRICES_INCLUDE_TAX: includesTax, SHIPPING_FLAT_RATE: '500' },
      { worker: true, gateway: true },
    );
    [admin, staff, customer] = await Promise.all([
      createUser(t, { role: 'admin' }),
      createUser(t, { role: 'staff' }),
      createUser(t),
    ]);
    const rates = [
      { name: 'California sales tax', country: 'US', region: 'US-CA', rate: 8.875 },
      { name: 'US default', country: 'US', rate: 5 },
      { name: 'VAT', country: 'DE', rate: 19 },
      { name: 'Goods only', country: 'NL', rate: 21, appliesToShipping: false },
    ];
    for (const rate of rates) {
      const res = await t.http.post('/api/v1/admin/tax-rates', rate, { token: admin.token });
      expect(res.status).toBe(201);
    }
  });
  afterAll(() => t.close());

  const address = (country: string, region?: string) => ({
    name: 'Tess Taxpayer',
    line1: '1 Main St',
    city: 'Springfield',
    postalCode: '12345',
    country,
    ...(region ? { region } : {}),
  });

  async function cart(prices: [number, number][]) {
    const items = [];
    for (const [price, quantity] of prices) {
      const product = await createProduct(t, { price, stock: 100 });
      items.push({ productId: product.id, quantity });
    }
    return items;
  }

  /** Quotes and places the same cart; answers both, and the order as read back. */
  async function quoteAndPlace(body: Record<string, unknown>) {
    const { shippingAddress, ...rest } = body;
    const quote = await t.http.post(
      '/api/v1/orders/quote',
      { ...rest, shippingAddress },
      { token: customer.token },
    );
    expect(quote.status).toBe(200);
    const placed = await t.http.post('/api/v1/orders', body, { token: customer.token });
    expect(placed.status).toBe(201);
    const read = await t.http.get(`/api/v1/orders/${placed.body.id}`, { token: customer.token });
    expect(read.body).toEqual(placed.body);
    return { quote: quote.body, order: placed.body };
  }

  const figures = (o: Record<string, unknown> & { lines: { tax: number; total: number }[] }) => ({
    subtotal: o.subtotal,
    discount: o.discount,
    shipping: o.shipping,
    shippingTax: o.shippingTax,
    tax: o.tax,
    taxIncluded: o.taxIncluded,
    total: o.total,
    lines: o.lines.map((l) => ({ total: l.total, tax: l.tax })),
  });

  it('charges a region rate over its country rate, per line and on shipping, and the order is the quote', async () => {
    const items = await cart([
      [1999, 3],
      [333, 1],
    ]);
    const { quote, order } = await quoteAndPlace({
      items,
      shippingAddress: address('US', 'US-CA'),
    });
    // 5997 × 8.875 % = 532.23; 333 × 8.875 % = 29.55; shipping 500 × 8.875 % = 44.375.
    const expected = included
      ? { lineTaxes: [489, 27], shippingTax: 41 } // 5997 × 8875 / 108875 = 488.83, …
      : { lineTaxes: [532, 30], shippingTax: 44 };
    const tax = expected.lineTaxes[0]! + expected.lineTaxes[1]! + expected.shippingTax;
    expect(figures(order)).toEqual({
      subtotal: 6330,
      discount: 0,
      shipping: 500,
      shippingTax: expected.shippingTax,
      tax,
      taxIncluded: included,
      total: included ? 6830 : 6830 + tax,
      lines: [
        { total: 5997, tax: expected.lineTaxes[0] },
        { total: 333, tax: expected.lineTaxes[1] },
      ],
    });
    expect(figures(quote)).toEqual(figures(order));
    expect(order).toMatchObject({
      taxRate: 8.875,
      taxName: 'California sales tax',
      shippingAddress: { region: 'US-CA' },
    });
  });

  it("charges the country's rate for a region without its own, and for no region", async () => {
    const items = await cart([[1000, 2]]);
    for (const shippingAddress of [address('US', 'US-NY'), address('US')]) {
      const { quote, order } = await quoteAndPlace({ items, shippingAddress });
      expect(order).toMatchObject({ taxRate: 5, taxName: 'US default' });
      expect(order.lines[0].tax).toBe(taxOn(2000, 5000, included));
      expect(order.shippingTax).toBe(taxOn(500, 5000, included));
      expect(figures(quote)).toEqual(figures(order));
    }
  });

  it('charges no tax where the shop has no rate', async () => {
    const items = await cart([[1000, 1]]);
    const { quote, order } = await quoteAndPlace({ items, shippingAddress: address('FR') });
    expect(figures(order)).toEqual({
      subtotal: 1000,
      discount: 0,
      shipping: 500,
      shippingTax: 0,
      tax: 0,
      taxIncluded: included,
      total: 1500,
      lines: [{ total: 1000, tax: 0 }],
    });
    expect(order).toMatchObject({ taxRate: null, taxName: null });
    expect(figures(quote)).toEqual(figures(order));
  });

  it('leaves shipping untaxed under a rate that does not apply to it', async () => {
    const items = await cart([[1000, 1]]);
    const { order } = await quoteAndPlace({ items, shippingAddress: address('NL') });
    expect(order.shippingTax).toBe(0);
    expect(order.tax).toBe(taxOn(1000, 21_000, included));
  });

  it('taxes each line after its share of a promo code, and the order is the quote', async () => {
    const code = `TAX${mode}${Date.now()}`.toUpperCase();
    const promo = await t.http.post(
      '/api/v1/admin/promo-codes',
      { code, type: 'fixed', amountOff: 1001 },
      { token: admin.token },
    );
    expect(promo.status).toBe(201);
    const items = await cart([
      [2500, 1],
      [1499, 3],
    ]);
    const { quote, order } = await quoteAndPlace({
      items,
      promoCode: code,
      shippingAddress: address('DE'),
    });
    expect(order.discount).toBe(1001);
    const lineTotals = order.lines.map((l: { total: number }) => l.total);
    expect(lineTotals.reduce((a: number, b: number) => a + b, 0)).toBe(2500 + 4497 - 1001);
    expect(order.lines.map((l: { tax: number }) => l.tax)).toEqual(
      lineTotals.map((total: number) => taxOn(total, 19_000, included)),
    );
    expect(figures(quote)).toEqual(figures(order));
  });

  it('keeps the rate an order was charged when the rate changes after', async () => {
    const created = await t.http.post(
      '/api/v1/admin/tax-rates',
      { name: 'Austrian VAT', country: 'AT', rate: 20 },
      { token: admin.token },
    );
    const items = await cart([[1000, 1]]);
    const { order } = await quoteAndPlace({ items, shippingAddress: address('AT') });
    const changed = await t.http.patch(
      `/api/v1/admin/tax-rates/${created.body.id}`,
      { rate: 10, name: 'Changed' },
      { token: admin.token },
    );
    expect(changed.status).toBe(200);
    expect(changed.body.rate).toBe(10);
    const read = await t.http.get(`/api/v1/orders/${order.id}`, { token: customer.token });
    expect(read.body).toMatchObject({
      tax: order.tax,
      total: order.total,
      taxRate: 20,
      taxName: 'Austrian VAT',
    });
    expect(read.body.lines[0].tax).toBe(taxOn(1000, 20_000, included));
    const requote = await t.http.post(
      '/api/v1/orders/quote',
      { items, destination: { country: 'AT' } },
      { token: customer.token },
    );
    expect(requote.body.lines[0].tax).toBe(taxOn(1000, 10_000, included));
  });

  const pay = async (orderId: string) => {
    const paid = await t.http.post(
      `/api/v1/orders/${orderId}/payments`,
      { paymentMethod: 'pm_card_visa' },
      { token: customer.token },
    );
    expect(paid.status).toBe(201);
  };
  const refund = (orderId: string, body: Record<string, unknown>) =>
    t.http.post(`/api/v1/admin/orders/${orderId}/refund`, body, { token: staff.token });
  const paymentOf = async (orderId: string) =>
    (await t.http.get(`/api/v1/orders/${orderId}/payments`, { token: customer.token })).body[0];

  it('refunds the total including tax in full, with all its tax', async () => {
    const items = await cart([[4321, 2]]);
    const { order } = await quoteAndPlace({ items, shippingAddress: address('US', 'US-CA') });
    await pay(order.id);
    const res = await refund(order.id, {});
    expect(res.status).toBe(200);
    expect(res.body.paymentStatus).toBe('refunded');
    expect(await paymentOf(order.id)).toMatchObject({
      amount: order.total,
      tax: order.tax,
      refundedAmount: order.total,
      refundedTax: order.tax,
    });
  });

  it('never gives back more tax than was charged over partial refunds, and all of it with the last', async () => {
    const items = await cart([[999, 3]]);
    const { order } = await quoteAndPlace({ items, shippingAddress: address('US', 'US-CA') });
    await pay(order.id);
    let refunded = 0;
    for (const amount of [1, 333, 1000, 7]) {
      expect((await refund(order.id, { amount })).status).toBe(200);
      refunded += amount;
      const payment = await paymentOf(order.id);
      expect(payment.refundedAmount).toBe(refunded);
      expect(payment.refundedTax).toBeLessThanOrEqual(order.tax);
      // Pro rata over all refunded so far, rounded half-up.
      expect(payment.refundedTax).toBe(
        Math.floor((2 * order.tax * refunded + order.total) / (2 * order.total)),
      );
    }
    const taxes = await queryRows<{ tax: number }>(
      t.ctx.db,
      sql`select tax::int from refunds where order_id = ${order.id} order by created_at`,
    );
    expect(taxes.reduce((sum, r) => sum + r.tax, 0)).toBeLessThanOrEqual(order.tax);
    expect((await refund(order.id, {})).status).toBe(200);
    expect(await paymentOf(order.id)).toMatchObject({
      refundedAmount: order.total,
      refundedTax: order.tax,
    });
  });

  it('computes in SQL exactly the tax the pure function computes (the placement statement prices with it)', async () => {
    const samples = fc.sample(
      fc.record({ amount: fc.integer({ min: 0, max: 1_000_000_000_000 }), rate: arbRate }),
      500,
    );
    const rows = await queryRows<{ tax: string }>(
      t.ctx.db,
      sql`select ${taxSql(sql`s.amount`, sql`s.rate`, included)}::text as tax
            from unnest(${sql.param(samples.map((s) => s.amount))}::int8[],
                        ${sql.param(samples.map((s) => s.rate))}::int4[]) with ordinality
                 as s(amount, rate, n)
           order by s.n`,
    );
    expect(rows.map((r) => Number(r.tax))).toEqual(
      samples.map((s) => taxOn(s.amount, s.rate, included)),
    );
  });
});

describe('tax rates (admin)', () => {
  let t: TestApp;
  let admin: TestUser;
  let customer: TestUser;
  beforeAll(async () => {
    t = await buildTestApp();
    [admin, customer] = await Promise.all([createUser(t, { role: 'admin' }), createUser(t)]);
  });
  afterAll(() => t.close());

  it('creates, lists, changes and deletes a rate; one per place (409 TAX_RATE_TAKEN)', async () => {
    const body = { name: 'Texas', country: 'us', region: 'us-tx', rate: 6.25 };
    const created = await t.http.post('/api/v1/admin/tax-rates', body, { token: admin.token });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Texas',
      country: 'US',
      region: 'US-TX',
      rate: 6.25,
      appliesToShipping: true,
    });
    const again = await t.http.post('/api/v1/admin/tax-rates', body, { token: admin.token });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('TAX_RATE_TAKEN');
    const list = await t.http.get('/api/v1/admin/tax-rates?country=US', { token: admin.token });
    expect(list.body.items.map((r: { id: string }) => r.id)).toContain(created.body.id);
    const patched = await t.http.patch(
      `/api/v1/admin/tax-rates/${created.body.id}`,
      { appliesToShipping: false, rate: 8.125 },
      { token: admin.token },
    );
    expect(patched.body).toMatchObject({ rate: 8.125, appliesToShipping: false });
    const gone = await t.http.delete(`/api/v1/admin/tax-rates/${created.body.id}`, {
      token: admin.token,
    });
    expect(gone.status).toBe(204);
    const read = await t.http.get(`/api/v1/admin/tax-rates/${created.body.id}`, {
      token: admin.token,
    });
    expect(read.status).toBe(404);
  });

  it.each([
    [{ name: 'x', country: 'US', region: 'CA-ON', rate: 5 }, 'body.region'],
    [{ name: 'x', country: 'US', rate: 5.0001 }, 'body.rate'],
    [{ name: 'x', country: 'US', rate: 101 }, 'body.rate'],
    [{ name: 'x', country: 'XX', rate: 5 }, 'body.country'],
  ])('refuses %j with VALIDATION_FAILED at %s', async (body, path) => {
    const res = await t.http.post('/api/v1/admin/tax-rates', body, { token: admin.token });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
  });

  it("refuses a change that leaves the region another country's with VALIDATION_FAILED, changing nothing", async () => {
    const created = await t.http.post(
      '/api/v1/admin/tax-rates',
      { name: 'Paris', country: 'FR', region: 'FR-75', rate: 20 },
      { token: admin.token },
    );
    const res = await t.http.patch(
      `/api/v1/admin/tax-rates/${created.body.id}`,
      { country: 'DE' },
      { token: admin.token },
    );
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { path: 'body.region', message: expect.stringMatching(/region/) },
    ]);
    const read = await t.http.get(`/api/v1/admin/tax-rates/${created.body.id}`, {
      token: admin.token,
    });
    expect(read.body).toMatchObject({ country: 'FR', region: 'FR-75' });
  });

  it('refuses a region of another country on an address with VALIDATION_FAILED', async () => {
    const product = await createProduct(t);
    const res = await t.http.post(
      '/api/v1/orders/quote',
      {
        items: [{ productId: product.id, quantity: 1 }],
        destination: { country: 'US', region: 'CA-ON' },
      },
      { token: customer.token },
    );
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(
      'body.destination.region',
    );
  });

  it('lets only admins manage rates', async () => {
    const res = await t.http.get('/api/v1/admin/tax-rates', { token: customer.token });
    expect(res.status).toBe(403);
  });
});
