import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.js';
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
    const call = refundOrder(t.ctx, { userId: customer.user.id, role: 'customer' }, order.id, {});
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
