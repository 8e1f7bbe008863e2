import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findProduct } from '../src/modules/catalog/product.repository.js';
import { createProduct, createUser, type TestUser } from './helpers/factories.js';
import { buildTestApp, type TestApp } from './helpers/test-app.js';

// One app: methods are the shop's, so the tests run in order, from none to several.
let t: TestApp;
let admin: TestUser;
let customer: TestUser;
beforeAll(async () => {
  t = await buildTestApp({ SHIPPING_FLAT_RATE: '700', FREE_SHIPPING_OVER: '5000' });
  [admin, customer] = await Promise.all([createUser(t, { role: 'admin' }), createUser(t)]);
});
afterAll(() => t.close());

const address = (country: string) => ({
  name: 'Sam Shipper',
  line1: '2 Dock Rd',
  city: 'Portsmouth',
  postalCode: 'PO1 1AA',
  country,
});

const quote = (body: Record<string, unknown>) =>
  t.http.post('/api/v1/orders/quote', body, { token: customer.token });
const place = (body: Record<string, unknown>) =>
  t.http.post('/api/v1/orders', body, { token: customer.token });
const createMethod = async (body: Record<string, unknown>) => {
  const res = await t.http.post('/api/v1/admin/shipping-methods', body, { token: admin.token });
  expect(res.status).toBe(201);
  return res.body as { id: string; name: string };
};

async function item(price: number, stock = 10) {
  const product = await createProduct(t, { price, stock });
  return { product, items: [{ productId: product.id, quantity: 1 }] };
}

describe('shipping methods', () => {
  it('with no method, ships by the flat rate as one method named Standard, free from FREE_SHIPPING_OVER', async () => {
    const cheap = await item(1000);
    const q = await quote({ items: cheap.items, destination: { country: 'GB' } });
    expect(q.body).toMatchObject({
      shipping: 700,
      shippingMethods: [{ id: 'standard', name: 'Standard', price: 700 }],
      shippingMethodId: 'standard',
    });
    // No destination: the flat rate serves everywhere, as before methods.
    const bare = await quote({ items: cheap.items });
    expect(bare.body).toMatchObject({ shipping: 700, shippingMethodId: 'standard' });
    const order = await place({ items: cheap.items, shippingAddress: address('GB') });
    expect(order.status).toBe(201);
    expect(order.body).toMatchObject({
      shipping: 700,
      total: 1700,
      shippingMethod: { id: 'standard', name: 'Standard' },
    });
    const dear = await item(5000);
    const free = await place({ items: dear.items, shippingAddress: address('JP') });
    expect(free.body).toMatchObject({ shipping: 0, total: 5000 });
  });

  let domestic: { id: string };
  let express: { id: string };
  let europe: { id: string };

  it('offers the active methods serving the country, cheapest first, the cheapest by default', async () => {
    domestic = await createMethod({ name: 'Royal Mail', countries: ['GB'], price: 399 });
    express = await createMethod({ name: 'Courier', price: 1500 });
    europe = await createMethod({
      name: 'EU Post',
      countries: ['DE', 'FR'],
      price: 900,
      freeOver: 3000,
    });
    await createMethod({ name: 'Retired', countries: ['GB'], price: 1, active: false });
    const { items } = await item(2000);
    const gb = await quote({ items, destination: { country: 'GB' } });
    expect(gb.body.shippingMethods).toEqual([
      { id: domestic.id, name: 'Royal Mail', price: 399 },
      { id: express.id, name: 'Courier', price: 1500 },
    ]);
    expect(gb.body).toMatchObject({ shippingMethodId: domestic.id, shipping: 399 });
    const de = await quote({ items, destination: { country: 'DE' } });
    expect(de.body.shippingMethods.map((m: { name: string }) => m.name)).toEqual([
      'EU Post',
      'Courier',
    ]);
    // Without a destination: only what serves every country.
    const bare = await quote({ items });
    expect(bare.body.shippingMethods.map((m: { name: string }) => m.name)).toEqual(['Courier']);
  });

  it('charges the method chosen, and records it and its price on the order', async () => {
    const { items } = await item(2000);
    const q = await quote({
      items,
      shippingAddress: address('GB'),
      shippingMethodId: express.id,
    });
    expect(q.body).toMatchObject({ shippingMethodId: express.id, shipping: 1500, total: 3500 });
    const order = await place({
      items,
      shippingAddress: address('GB'),
      shippingMethodId: express.id,
    });
    expect(order.status).toBe(201);
    expect(order.body).toMatchObject({
      shipping: 1500,
      total: 3500,
      shippingMethod: { id: express.id, name: 'Courier' },
    });
    const cheapest = await place({ items, shippingAddress: address('GB') });
    expect(cheapest.body).toMatchObject({
      shipping: 399,
      shippingMethod: { id: domestic.id, name: 'Royal Mail' },
    });
  });

  it('ships free from its threshold on the subtotal after discount, and ranks it so', async () => {
    const code = `SHIP${Date.now()}`;
    await t.http.post(
      '/api/v1/admin/promo-codes',
      { code, type: 'fixed', amountOff: 100 },
      { token: admin.token },
    );
    const at = await item(3000);
    const free = await quote({ items: at.items, destination: { country: 'FR' } });
    expect(free.body.shippingMethods[0]).toEqual({ id: europe.id, name: 'EU Post', price: 0 });
    const order = await place({ items: at.items, shippingAddress: address('FR') });
    expect(order.body).toMatchObject({ shipping: 0, shippingMethod: { id: europe.id } });
    // A discount that takes the subtotal under the threshold: no longer free.
    const under = await place({
      items: at.items,
      promoCode: code,
      shippingAddress: address('FR'),
    });
    expect(under.body).toMatchObject({
      discount: 100,
      shipping: 900,
      shippingMethod: { id: europe.id },
    });
  });

  it('refuses a method that does not serve the address with 422 SHIPPING_METHOD_UNAVAILABLE, taking no stock', async () => {
    const { product, items } = await item(1000, 5);
    for (const shippingMethodId of [europe.id, 'shm_unknown', 'standard']) {
      const q = await quote({ items, destination: { country: 'GB' }, shippingMethodId });
      expect(q.status).toBe(422);
      expect(q.body.code).toBe('SHIPPING_METHOD_UNAVAILABLE');
      const res = await place({ items, shippingAddress: address('GB'), shippingMethodId });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('SHIPPING_METHOD_UNAVAILABLE');
    }
    expect((await findProduct(t.ctx.db, product.id))!.stock).toBe(5);
  });

  it('refuses an inactive method with 422 SHIPPING_METHOD_UNAVAILABLE', async () => {
    const { items } = await item(1000);
    const patched = await t.http.patch(
      `/api/v1/admin/shipping-methods/${domestic.id}`,
      { active: false },
      { token: admin.token },
    );
    expect(patched.body.active).toBe(false);
    const res = await place({
      items,
      shippingAddress: address('GB'),
      shippingMethodId: domestic.id,
    });
    expect(res.body.code).toBe('SHIPPING_METHOD_UNAVAILABLE');
  });

  it('refuses an address no active method serves with 422 NO_SHIPPING_TO_DESTINATION, taking no stock', async () => {
    const { product, items } = await item(1000, 5);
    const patched = await t.http.patch(
      `/api/v1/admin/shipping-methods/${express.id}`,
      { countries: ['US', 'CA'] },
      { token: admin.token },
    );
    expect(patched.body.countries).toEqual(['US', 'CA']);
    const q = await quote({ items, destination: { country: 'GB' } });
    expect(q.status).toBe(422);
    expect(q.body.code).toBe('NO_SHIPPING_TO_DESTINATION');
    const res = await place({ items, shippingAddress: address('GB') });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('NO_SHIPPING_TO_DESTINATION');
    expect((await findProduct(t.ctx.db, product.id))!.stock).toBe(5);
  });

  it('keeps the method an order was placed by when the method changes or goes', async () => {
    const { items } = await item(1000);
    const order = await place({ items, shippingAddress: address('DE') });
    expect(order.body.shippingMethod).toEqual({ id: europe.id, name: 'EU Post' });
    await t.http.patch(
      `/api/v1/admin/shipping-methods/${europe.id}`,
      { name: 'Renamed', price: 5 },
      { token: admin.token },
    );
    const deleted = await t.http.delete(`/api/v1/admin/shipping-methods/${europe.id}`, {
      token: admin.token,
    });
    expect(deleted.status).toBe(204);
    const read = await t.http.get(`/api/v1/orders/${order.body.id}`, { token: customer.token });
    expect(read.body).toMatchObject({
      shipping: 900,
      shippingMethod: { id: europe.id, name: 'EU Post' },
    });
  });

  it('lists methods for admins only, and validates their countries and amounts', async () => {
    const list = await t.http.get('/api/v1/admin/shipping-methods', { token: admin.token });
    expect(list.status).toBe(200);
    expect(list.body.total).toBeGreaterThanOrEqual(3);
    const denied = await t.http.get('/api/v1/admin/shipping-methods', { token: customer.token });
    expect(denied.status).toBe(403);
    const bad = await t.http.post(
      '/api/v1/admin/shipping-methods',
      { name: 'Bad', countries: ['XX'], price: -1 },
      { token: admin.token },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['body.countries.0', 'body.price']),
    );
  });
});
