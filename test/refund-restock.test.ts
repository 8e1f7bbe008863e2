import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.js';
import { findProduct } from '../src/modules/catalog/product.repository.js';
import { refundOrder } from '../src/modules/payments/refunds.js';
import { AppError } from '../src/shared/errors.js';
import { createProduct, createUser, type TestUser } from './helpers/factories.js';
import { buildTestApp, type TestApp } from './helpers/test-app.js';

const shippingAddress = {
  name: 'Rae Refund',
  line1: '4 Stock St',
  city: 'Austin',
  postalCode: '73301',
  country: 'US',
};

let t: TestApp;
let staff: TestUser;
let customer: TestUser;

beforeAll(async () => {
  t = await buildTestApp({ ORDER_PAYMENT_TTL: '10m' }, { worker: true, gateway: true });
  [staff, customer] = await Promise.all([createUser(t, { role: 'staff' }), createUser(t)]);
});
afterAll(() => t.close());

/** A paid order of the given lines, each a new product with 10 in stock. */
async function paidOrder(quantities: number[]) {
  const products = await Promise.all(
    quantities.map(() => createProduct(t, { price: 1000, stock: 10 })),
  );
  const placed = await t.http.post(
    '/api/v1/orders',
    {
      items: products.map((p, i) => ({ productId: p.id, quantity: quantities[i] })),
      shippingAddress,
    },
    { token: customer.token },
  );
  expect(placed.status).toBe(201);
  const order = placed.body as { id: string; total: number };
  const paid = await t.http.post(
    `/api/v1/orders/${order.id}/payments`,
    { paymentMethod: 'pm_card_visa' },
    { token: customer.token },
  );
  expect(paid.status).toBe(201);
  return { order, products };
}

const paymentOf = async (orderId: string) =>
  (await t.http.get(`/api/v1/orders/${orderId}/payments`, { token: staff.token })).body[0] as {
    status: string;
    refundedAmount: number;
  };

describe('refundOrder (the service)', () => {
  it('refuses a customer actor with FORBIDDEN and refunds nothing', async () => {
    const { order } = await paidOrder([1]);
    const call = refundOrder(
      t.ctx,
      { userId: customer.user.id, role: 'customer', sessionId: 'test' },
      order.id,
      {},
    );
    await expect(call).rejects.toBeInstanceOf(AppError);
    await expect(call).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await paymentOf(order.id)).toMatchObject({ status: 'succeeded', refundedAmount: 0 });
    const refunds = await queryRows<{ n: number }>(
      t.ctx.db,
      sql`select count(*)::int as n from refunds where order_id = ${order.id}`,
    );
    expect(refunds).toEqual([{ n: 0 }]);
  });
});

const refund = (orderId: string, body: Record<string, unknown>) =>
  t.http.post(`/api/v1/admin/orders/${orderId}/refund`, body, { token: staff.token });

const stockOf = async (productId: string) => (await findProduct(t.ctx.db, productId))!.stock;

/** The order's restock movements in the ledger, by product: units and movements. */
async function restocked(orderId: string, productId: string) {
  const [row] = await queryRows<{ units: number; movements: number }>(
    t.ctx.db,
    sql`select coalesce(sum(delta), 0)::int as units, count(*)::int as movements
          from stock_movements
         where order_id = ${orderId} and product_id = ${productId} and kind = 'restock'`,
  );
  return row!;
}

describe('what a refund puts back in stock', () => {
  it('a partial refund that says nothing restocks nothing', async () => {
    const { order, products } = await paidOrder([2, 1]);
    const res = await refund(order.id, { amount: 1000 });
    expect(res.status).toBe(200);
    expect(res.body.paymentStatus).toBe('partially_refunded');
    expect([await stockOf(products[0]!.id), await stockOf(products[1]!.id)]).toEqual([8, 9]);
    expect(await restocked(order.id, products[0]!.id)).toEqual({ units: 0, movements: 0 });
  });

  it('a partial refund restocks the units chosen, line by line, with one restock movement each', async () => {
    const { order, products } = await paidOrder([3, 1]);
    const [a, b] = [products[0]!.id, products[1]!.id];
    const res = await refund(order.id, { amount: 1000, restock: [{ productId: a, quantity: 2 }] });
    expect(res.status).toBe(200);
    expect([await stockOf(a), await stockOf(b)]).toEqual([9, 9]);
    expect(await restocked(order.id, a)).toEqual({ units: 2, movements: 1 });
    expect(await restocked(order.id, b)).toEqual({ units: 0, movements: 0 });
  });

  it('restocking more than a line still holds is 422 RESTOCK_EXCEEDS_ORDER and changes nothing', async () => {
    const { order, products } = await paidOrder([2]);
    const a = products[0]!.id;
    expect(
      (await refund(order.id, { amount: 500, restock: [{ productId: a, quantity: 1 }] })).status,
    ).toBe(200);
    const tooMany = await refund(order.id, {
      amount: 500,
      restock: [{ productId: a, quantity: 2 }],
    });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.code).toBe('RESTOCK_EXCEEDS_ORDER');
    expect(tooMany.body.details).toMatchObject([{ productId: a, requested: 2, restockable: 1 }]);
    expect(tooMany.body.details).toHaveLength(1);
    const stranger = await refund(order.id, {
      amount: 500,
      restock: [{ productId: 'prd_not_in_this_order', quantity: 1 }],
    });
    expect(stranger.status).toBe(422);
    expect(stranger.body.code).toBe('RESTOCK_EXCEEDS_ORDER');
    expect(await stockOf(a)).toBe(9);
    expect(await paymentOf(order.id)).toMatchObject({ refundedAmount: 500 });
  });

  it('restock: true with a partial refund is 400 VALIDATION_FAILED and changes nothing', async () => {
    const { order, products } = await paidOrder([2]);
    const res = await refund(order.id, { amount: 500, restock: true });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(await stockOf(products[0]!.id)).toBe(8);
    expect(await paymentOf(order.id)).toMatchObject({ status: 'succeeded', refundedAmount: 0 });
  });

  it('refunding everything left before shipping restocks every unit not back yet, as a cancel would', async () => {
    const { order, products } = await paidOrder([3, 2]);
    const [a, b] = [products[0]!.id, products[1]!.id];
    expect(
      (await refund(order.id, { amount: 100, restock: [{ productId: a, quantity: 1 }] })).status,
    ).toBe(200);
    const rest = await refund(order.id, {});
    expect(rest.status).toBe(200);
    expect(rest.body.paymentStatus).toBe('refunded');
    expect([await stockOf(a), await stockOf(b)]).toEqual([10, 10]);
    expect(await restocked(order.id, a)).toEqual({ units: 3, movements: 2 });
    expect(await restocked(order.id, b)).toEqual({ units: 2, movements: 1 });
  });

  it('refunding everything after shipping restocks nothing unless units are chosen', async () => {
    const { order, products } = await paidOrder([2]);
    const a = products[0]!.id;
    const shipped = await t.http.post(
      `/api/v1/admin/orders/${order.id}/ship`,
      { carrier: 'UPS', trackingNumber: '1Z1' },
      { token: staff.token },
    );
    expect(shipped.status).toBe(200);
    expect((await refund(order.id, {})).status).toBe(200);
    expect(await stockOf(a)).toBe(8);
    expect(await restocked(order.id, a)).toEqual({ units: 0, movements: 0 });
  });

  it('a cancel after a refund restocked some units puts back only the rest', async () => {
    const { order, products } = await paidOrder([3]);
    const a = products[0]!.id;
    expect(
      (await refund(order.id, { amount: 100, restock: [{ productId: a, quantity: 2 }] })).status,
    ).toBe(200);
    const cancelled = await t.http.post(
      `/api/v1/admin/orders/${order.id}/cancel`,
      {},
      {
        token: staff.token,
      },
    );
    expect(cancelled.status).toBe(200);
    expect(await stockOf(a)).toBe(10);
    expect(await restocked(order.id, a)).toEqual({ units: 3, movements: 2 });
  });

  it('refunds restocking the same line at once never restock more than was ordered', async () => {
    const { order, products } = await paidOrder([3]);
    const a = products[0]!.id;
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        refund(order.id, { amount: 100, restock: [{ productId: a, quantity: 1 }] }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 422, 422]);
    for (const r of results.filter((r) => r.status === 422)) {
      expect(r.body.code).toBe('RESTOCK_EXCEEDS_ORDER');
    }
    expect(await restocked(order.id, a)).toEqual({ units: 3, movements: 3 });
    expect(await stockOf(a)).toBe(10);
  });

  it('two refunds each restocking a whole line at once: one restocks it, the other is refused', async () => {
    const { order, products } = await paidOrder([2]);
    const a = products[0]!.id;
    const results = await Promise.all(
      [0, 1].map(() => refund(order.id, { amount: 100, restock: [{ productId: a, quantity: 2 }] })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 422]);
    expect(await restocked(order.id, a)).toEqual({ units: 2, movements: 1 });
    expect(await stockOf(a)).toBe(10);
  });
});
