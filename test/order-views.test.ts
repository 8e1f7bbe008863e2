import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct, createUser, type TestUser } from './helpers/factories.js';
import { buildTestApp, type TestApp } from './helpers/test-app.js';

// What each side reads of who did what and why: the customer never reads staff's own words;
// staff read people by name, not by id. Paid and refunded through the built-in gateway.

const shippingAddress = {
  name: 'Ada Views',
  line1: '1 Window St',
  city: 'Leeds',
  postalCode: 'LS1 1AA',
  country: 'GB',
};

let t: TestApp;
let staff: TestUser;
let admin: TestUser;

beforeAll(async () => {
  t = await buildTestApp({}, { gateway: true });
  staff = await createUser(t, { role: 'staff', name: 'Sam Staff' });
  admin = await createUser(t, { role: 'admin', name: 'Ann Admin' });
});
afterAll(() => t.close());

interface Entry {
  from: string | null;
  to: string;
  actorId: string | null;
  actorName: string | null;
  reason: string | null;
}

const staffReason = 'rude on the phone, goodwill to calm them down';

async function refundedOrder() {
  const customer = await createUser(t, { name: 'Cora Customer' });
  const product = await createProduct(t, { price: 2500, stock: 5 });
  const placed = await t.http.post(
    '/api/v1/orders',
    { items: [{ productId: product.id, quantity: 1 }], shippingAddress },
    { token: customer.token },
  );
  expect(placed.status).toBe(201);
  const id = placed.body.id as string;
  const paid = await t.http.post(
    `/api/v1/orders/${id}/payments`,
    { paymentMethod: 'pm_card_visa' },
    { token: customer.token },
  );
  expect(paid.status, JSON.stringify(paid.body)).toBe(201);
  const refund = await t.http.post(
    `/api/v1/admin/orders/${id}/refund`,
    { amount: 1000, reason: staffReason },
    { token: staff.token },
  );
  expect(refund.status, JSON.stringify(refund.body)).toBe(200);
  return { id, customer, product };
}

describe("an order's history", () => {
  it("shows the customer 'Refunded $10.00', never staff's reason; staff keep it", async () => {
    const { id, customer } = await refundedOrder();
    const own = await t.http.get(`/api/v1/orders/${id}`, { token: customer.token });
    expect(own.status).toBe(200);
    expect(JSON.stringify(own.body)).not.toContain('rude on the phone');
    expect((own.body.history as Entry[]).at(-1)).toMatchObject({
      from: 'paid',
      to: 'paid',
      reason: 'Refunded $10.00',
      actorName: 'Shop staff',
    });
    // The customer's list carries the same view.
    const list = await t.http.get('/api/v1/orders', { token: customer.token });
    expect(JSON.stringify(list.body)).not.toContain('rude on the phone');

    const back = await t.http.get(`/api/v1/admin/orders/${id}`, { token: staff.token });
    expect((back.body.history as Entry[]).at(-1)?.reason).toContain(staffReason);
  });

  it('names who acted for staff: the customer, System, the staff member', async () => {
    const { id, customer } = await refundedOrder();
    const back = await t.http.get(`/api/v1/admin/orders/${id}`, { token: admin.token });
    const history = back.body.history as Entry[];
    expect(history.map((h) => [h.to, h.actorId, h.actorName])).toEqual([
      ['pending_payment', customer.user.id, 'Cora Customer'],
      ['paid', null, 'System'],
      ['paid', staff.user.id, 'Sam Staff'],
    ]);
  });
});

describe('stock movements', () => {
  it('name who made each movement: System, the customer who ordered, the admin who adjusted', async () => {
    const { product, customer } = await refundedOrder();
    const adjusted = await t.http.post(
      `/api/v1/admin/products/${product.id}/stock-adjustments`,
      { delta: 3, reason: 'found in the back' },
      { token: admin.token },
    );
    expect(adjusted.status, JSON.stringify(adjusted.body)).toBe(201);
    expect(adjusted.body).toMatchObject({ actorId: admin.user.id, actorName: 'Ann Admin' });

    const res = await t.http.get(`/api/v1/admin/products/${product.id}/stock-movements`, {
      token: admin.token,
    });
    expect(res.status).toBe(200);
    const items = res.body.items as {
      kind: string;
      reason: string | null;
      actorId: string;
      actorName: string;
    }[];
    const who = (m: (typeof items)[number] | undefined) => m && [m.actorId, m.actorName];
    expect(who(items.find((m) => m.kind === 'reserve'))).toEqual([
      customer.user.id,
      'Cora Customer',
    ]);
    expect(who(items.find((m) => m.reason === 'found in the back'))).toEqual([
      admin.user.id,
      'Ann Admin',
    ]);
    const created = (res.body.items as { actorId: string; actorName: string }[]).filter(
      (m) => m.actorId === 'system',
    );
    expect(created.length).toBeGreaterThan(0);
    expect(created.every((m) => m.actorName === 'System')).toBe(true);
  });
});
