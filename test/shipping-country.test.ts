import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct, createUser, type TestUser } from './helpers/factories.js';
import { buildTestApp, type TestApp } from './helpers/test-app.js';

let t: TestApp;
let customer: TestUser;
beforeAll(async () => {
  t = await buildTestApp();
  customer = await createUser(t);
});
afterAll(() => t.close());

const address = (country: string) => ({
  name: 'Ada Lovelace',
  line1: '1 Unter den Linden',
  city: 'Berlin',
  postalCode: '10117',
  country,
});

async function ordersPlaced(): Promise<number> {
  const res = await t.http.get('/api/v1/orders?pageSize=1', { token: customer.token });
  return res.body.total as number;
}

describe('the shipping country', () => {
  it.each(['XX', 'UK', 'EU', 'ZZ'])(
    'refuses %s, two letters but no assigned ISO 3166-1 alpha-2 code, with VALIDATION_FAILED and places nothing',
    async (country) => {
      const p = await createProduct(t, { stock: 5 });
      const before = await ordersPlaced();
      const res = await t.http.post(
        '/api/v1/orders',
        { items: [{ productId: p.id, quantity: 1 }], shippingAddress: address(country) },
        { token: customer.token },
      );
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(
        'body.shippingAddress.country',
      );
      expect(await ordersPlaced()).toBe(before);
    },
  );

  it('accepts an assigned code in any case and stores it upper-cased', async () => {
    const p = await createProduct(t, { stock: 5 });
    const res = await t.http.post(
      '/api/v1/orders',
      { items: [{ productId: p.id, quantity: 1 }], shippingAddress: address('de') },
      { token: customer.token },
    );
    expect(res.status).toBe(201);
    expect(res.body.shippingAddress.country).toBe('DE');
  });
});
