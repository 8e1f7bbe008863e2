import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { findProduct, sumMovements } from '../../src/modules/catalog/product.repository.js';
import { orderLines, orders } from '../../src/modules/orders/order.table.js';
import { createProduct, createUser, type TestUser } from '../helpers/factories.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';

// The races run over real HTTP on this run's database: PGlite by default, PostgreSQL (a pool of
// 20 connections, so the requests really overlap) when DATABASE_URL is set.
let t: TestApp;
beforeAll(async () => {
  // A short payment window, so a test can move past it while access tokens (15 min) still work.
  t = await buildTestApp({
    MAX_UNPAID_ORDERS: '5',
    MAX_UNITS_PER_PRODUCT: '20',
    ORDER_PAYMENT_TTL: '5m',
  });
});
afterAll(() => t.close());

const shippingAddress = {
  name: 'H. Oarder',
  line1: '1 Attic Row',
  city: 'Leeds',
  postalCode: 'LS1 1AA',
  country: 'GB',
};

const place = (buyer: TestUser, productId: string, quantity = 1) =>
  t.http.post(
    '/api/v1/orders',
    { items: [{ productId, quantity }], shippingAddress },
    { token: buyer.token },
  );

const unpaidOf = async (userId: string) =>
  (
    await t.ctx.db
      .select({ id: orders.id })
      .from(orders)
      .where(and(eq(orders.userId, userId), eq(orders.status, 'pending_payment')))
  ).length;

const tally = (statuses: number[]) =>
  statuses.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});

describe('no one customer hoards stock in unpaid orders', () => {
  it('defaults to 5 unpaid orders and 20 units of a product outside the test suite', () => {
    const config = loadConfig({ NODE_ENV: 'production' });
    expect(config.maxUnpaidOrders).toBe(5);
    expect(config.maxUnitsPerProduct).toBe(20);
    expect(loadConfig({ MAX_UNPAID_ORDERS: '0' }).maxUnpaidOrders).toBe(0);
  });

  it('refuses a 6th unpaid order with 409 TOO_MANY_UNPAID_ORDERS, reserving nothing; cancelling one frees a place', async () => {
    const buyer = await createUser(t);
    const product = await createProduct(t, { stock: 100 });
    const placed = [];
    for (let i = 0; i < 5; i++) {
      const res = await place(buyer, product.id);
      expect(res.status).toBe(201);
      placed.push(res.body.id as string);
    }
    const sixth = await place(buyer, product.id);
    expect(sixth.status).toBe(409);
    expect(sixth.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(sixth.body.code).toBe('TOO_MANY_UNPAID_ORDERS');
    expect((await findProduct(t.ctx.db, product.id))!.stock).toBe(95);

    // Another customer is not affected.
    const other = await createUser(t);
    expect((await place(other, product.id)).status).toBe(201);

    const cancelled = await t.http.post(
      `/api/v1/orders/${placed[0]}/cancel`,
      {},
      { token: buyer.token },
    );
    expect(cancelled.status).toBe(200);
    expect((await place(buyer, product.id)).status).toBe(201);
    expect(await unpaidOf(buyer.user.id)).toBe(5);
  });

  it('refuses units of one product above MAX_UNITS_PER_PRODUCT across unpaid orders with 409 PRODUCT_UNIT_LIMIT', async () => {
    const buyer = await createUser(t);
    const scarce = await createProduct(t, { stock: 100 });
    const other = await createProduct(t, { stock: 100 });
    expect((await place(buyer, scarce.id, 15)).status).toBe(201);
    const over = await place(buyer, scarce.id, 6);
    expect(over.status).toBe(409);
    expect(over.body.code).toBe('PRODUCT_UNIT_LIMIT');
    expect(over.body.details).toEqual([
      { productId: scarce.id, requested: 6, held: 15, limit: 20 },
    ]);
    expect((await findProduct(t.ctx.db, scarce.id))!.stock).toBe(85);
    // Up to the limit, and any other product, still go through; one order alone is capped too.
    expect((await place(buyer, scarce.id, 5)).status).toBe(201);
    expect((await place(buyer, other.id, 20)).status).toBe(201);
    const single = await place(await createUser(t), other.id, 21);
    expect(single.body.code).toBe('PRODUCT_UNIT_LIMIT');
  });

  it('an order past its payment deadline no longer counts', async () => {
    const buyer = await createUser(t);
    const product = await createProduct(t, { stock: 100 });
    for (let i = 0; i < 5; i++) expect((await place(buyer, product.id, 4)).status).toBe(201);
    expect((await place(buyer, product.id)).body.code).toBe('TOO_MANY_UNPAID_ORDERS');
    t.clock.advance(t.config.orderPaymentTtlMs + 1_000);
    expect((await place(buyer, product.id, 4)).status).toBe(201);
  });

  it('40 racing orders from one customer: exactly 5 are placed, the rest refused, stock equals its ledger', async () => {
    const buyer = await createUser(t);
    const product = await createProduct(t, { stock: 1000 });
    const results = await Promise.all(Array.from({ length: 40 }, () => place(buyer, product.id)));
    expect(tally(results.map((r) => r.status))).toEqual({ 201: 5, 409: 35 });
    for (const r of results.filter((r) => r.status === 409)) {
      expect(r.body.code).toBe('TOO_MANY_UNPAID_ORDERS');
    }
    expect(await unpaidOf(buyer.user.id)).toBe(5);
    const stock = (await findProduct(t.ctx.db, product.id))!.stock;
    expect(stock).toBe(995);
    expect(await sumMovements(t.ctx.db, product.id)).toBe(stock);
  });

  it('racing orders cannot together pass the units limit', async () => {
    const buyer = await createUser(t);
    const product = await createProduct(t, { stock: 1000 });
    // 5 places for orders, 3 units each would be 15: cap the units below that with 7-unit orders.
    const results = await Promise.all(
      Array.from({ length: 20 }, () => place(buyer, product.id, 7)),
    );
    const statuses = tally(results.map((r) => r.status));
    expect(statuses).toEqual({ 201: 2, 409: 18 });
    const held = await t.ctx.db
      .select({ quantity: orderLines.quantity })
      .from(orderLines)
      .innerJoin(orders, eq(orders.id, orderLines.orderId))
      .where(and(eq(orders.userId, buyer.user.id), eq(orderLines.productId, product.id)));
    expect(held.reduce((sum, l) => sum + l.quantity, 0)).toBe(14);
    expect((await findProduct(t.ctx.db, product.id))!.stock).toBe(986);
  });
});
