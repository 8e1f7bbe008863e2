import { afterAll, beforeAll, expect, it } from 'vitest';
import { createProduct, createUser } from './helpers/factories.js';
import { buildTestApp, type TestApp } from './helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({}, { gateway: true });
});
afterAll(() => t.close());

const shippingAddress = {
  name: 'S. Tats',
  line1: '1 Count Rd',
  city: 'Oslo',
  postalCode: '0150',
  country: 'NO',
};

it('reports orders and paid revenue net of refunds, low stock and failed jobs', async () => {
  const staff = await createUser(t, { role: 'staff' });
  const buyer = await createUser(t);
  const product = await createProduct(t, { price: 3000, stock: 6, name: 'Almost Gone' });
  const place = () =>
    t.http.post(
      '/api/v1/orders',
      { items: [{ productId: product.id, quantity: 1 }], shippingAddress },
      { token: buyer.token },
    );
  const paid = await place();
  await place(); // unpaid: counted as an order, not as revenue
  expect(
    (
      await t.http.post(
        `/api/v1/orders/${paid.body.id}/payments`,
        { paymentMethod: 'pm_card_visa' },
        { token: buyer.token },
      )
    ).status,
  ).toBe(201);
  expect(
    (
      await t.http.post(
        `/api/v1/admin/orders/${paid.body.id}/refund`,
        { amount: 500 },
        { token: staff.token },
      )
    ).status,
  ).toBe(200);

  const res = await t.http.get('/api/v1/admin/stats', { token: staff.token });
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({
    ordersToday: 2,
    revenueToday: 2500,
    ordersWeek: 2,
    revenueWeek: 2500,
    currency: 'USD',
    failedJobs: 0,
  });
  expect(res.body.lowStock).toEqual([expect.objectContaining({ id: product.id, stock: 4 })]);
  expect((await t.http.get('/api/v1/admin/stats', { token: buyer.token })).status).toBe(403);
});
