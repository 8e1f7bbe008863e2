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

it('reports orders and net revenue per UTC day for the last 30 days, every day present', async () => {
  const staff = await createUser(t, { role: 'staff' });
  const buyer = await createUser(t);
  const product = await createProduct(t, { price: 2000, stock: 50 });
  const DAY = 86_400_000;
  const dayOf = (msAgo: number) =>
    new Date(t.clock.now().getTime() - msAgo).toISOString().slice(0, 10);
  const stats = async () => {
    const res = await t.http.get('/api/v1/admin/stats', { token: staff.token });
    expect(res.status).toBe(200);
    return res.body as { daily: { date: string; orders: number; revenue: number }[] };
  };
  /** Places (and optionally pays, then partly refunds) an order as if `daysAgo` days ago. */
  const orderDaysAgo = async (daysAgo: number, pay: boolean, refund = 0) => {
    t.clock.advance(-daysAgo * DAY);
    try {
      const order = await t.http.post(
        '/api/v1/orders',
        { items: [{ productId: product.id, quantity: 1 }], shippingAddress },
        { token: buyer.token },
      );
      expect(order.status).toBe(201);
      if (pay) {
        const payment = await t.http.post(
          `/api/v1/orders/${order.body.id}/payments`,
          { paymentMethod: 'pm_card_visa' },
          { token: buyer.token },
        );
        expect(payment.status).toBe(201);
      }
      if (refund) {
        const refunded = await t.http.post(
          `/api/v1/admin/orders/${order.body.id}/refund`,
          { amount: refund },
          { token: staff.token },
        );
        expect(refunded.status).toBe(200);
      }
    } finally {
      t.clock.advance(daysAgo * DAY);
    }
  };

  const before = await stats();
  await orderDaysAgo(3, true, 700);
  await orderDaysAgo(3, false);
  await orderDaysAgo(29, true);
  await orderDaysAgo(31, true); // outside the window
  const after = await stats();

  const now = t.clock.now().getTime();
  const today = new Date(now).toISOString().slice(0, 10);
  expect(after.daily).toHaveLength(30);
  expect(after.daily[29]!.date).toBe(today);
  expect(after.daily[0]!.date).toBe(new Date(now - 29 * DAY).toISOString().slice(0, 10));
  // Consecutive days, oldest first, zeros included.
  for (const [i, day] of after.daily.entries()) {
    expect(day.date).toBe(new Date(now - (29 - i) * DAY).toISOString().slice(0, 10));
    expect(day.orders).toBeGreaterThanOrEqual(0);
  }
  const delta = (date: string) => {
    const a = after.daily.find((d) => d.date === date)!;
    const b = before.daily.find((d) => d.date === date)!;
    return { orders: a.orders - b.orders, revenue: a.revenue - b.revenue };
  };
  const threeDaysAgo = new Date(now - 3 * DAY).toISOString().slice(0, 10);
  // Two orders placed; one paid 2000 with 700 refunded; the unpaid one earns nothing.
  expect(delta(threeDaysAgo)).toEqual({ orders: 2, revenue: 1300 });
  expect(delta(after.daily[0]!.date)).toEqual({ orders: 1, revenue: 2000 });
  const untouched = after.daily.filter(
    (d) => d.date !== threeDaysAgo && d.date !== after.daily[0]!.date,
  );
  for (const d of untouched) expect(delta(d.date)).toEqual({ orders: 0, revenue: 0 });
  expect(after.daily.some((d) => d.date === dayOf(31 * DAY))).toBe(false);
  // The daily series agrees with the week figure over the same seven days.
  const week = await t.http.get('/api/v1/admin/stats', { token: staff.token });
  const lastSeven = after.daily.slice(-7);
  expect(lastSeven.reduce((sum, d) => sum + d.orders, 0)).toBe(week.body.ordersWeek);
  expect(lastSeven.reduce((sum, d) => sum + d.revenue, 0)).toBe(week.body.revenueWeek);
});
