import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.js';
import { createAdmin, createProduct, createUser, type TestUser } from './helpers/factories.js';
import { buildTestApp, type TestApp } from './helpers/test-app.js';

/**
 * The stock guarantees per variant, raced over HTTP against the real database (PGlite, or
 * PostgreSQL with DATABASE_URL): one variant never oversold and its siblings untouched,
 * duplicate lines of one variant summed, and orders across variants of one product and
 * another product never deadlocking.
 */

let t: TestApp;
let admin: TestUser;
let customers: TestUser[];
beforeAll(async () => {
  t = await buildTestApp();
  admin = await createAdmin(t);
  customers = await Promise.all(Array.from({ length: 4 }, () => createUser(t)));
});
afterAll(() => t.close());

const address = {
  name: 'Ada Lovelace',
  line1: '1 Analytical Way',
  city: 'London',
  postalCode: 'N1 1AA',
  country: 'GB',
};

type Item = { variantId?: string; productId?: string; quantity: number };
const order = (items: Item[], i = 0) =>
  t.http.post(
    '/api/v1/orders',
    { items, shippingAddress: address },
    { token: customers[i % customers.length]!.token },
  );

/** A T-shirt with three sizes, each with its own stock. */
async function tee(stock: [number, number, number]) {
  const w = `w${randomBytes(5).toString('hex')}`;
  const res = await t.http.post(
    '/api/v1/admin/products',
    {
      name: `${w} Tee`,
      options: [{ name: 'Size', values: ['S', 'M', 'L'] }],
      variants: ['S', 'M', 'L'].map((size, i) => ({
        sku: `${w}-${size}`,
        options: { Size: size },
        price: 1000 + i * 100,
        stock: stock[i],
      })),
    },
    { token: admin.token },
  );
  expect(res.status).toBe(201);
  return res.body as { id: string; variants: { id: string; stock: number }[] };
}

async function variantStock(id: string): Promise<{ stock: number; ledger: number }> {
  const [row] = await queryRows<{ stock: number; ledger: number }>(
    t.ctx.db,
    sql`select v.stock, (select coalesce(sum(delta), 0)::int from stock_movements m
                          where m.variant_id = v.id) as ledger
          from product_variants v where v.id = ${id}`,
  );
  return { stock: Number(row!.stock), ledger: Number(row!.ledger) };
}

const counts = (statuses: number[]) =>
  statuses.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});

describe('stock per variant under races', () => {
  it('never oversells one variant: 120 concurrent orders for its 15 units, and its siblings keep theirs', async () => {
    const product = await tee([15, 40, 7]);
    const [small, medium, large] = product.variants;
    const results = await Promise.all(
      Array.from({ length: 120 }, (_, i) => order([{ variantId: small!.id, quantity: 1 }], i)),
    );
    expect(counts(results.map((r) => r.status))).toEqual({ 201: 15, 409: 105 });
    for (const refused of results.filter((r) => r.status === 409)) {
      expect(refused.body.code).toBe('OUT_OF_STOCK');
      expect(refused.body.details).toEqual([
        { productId: product.id, variantId: small!.id, requested: 1, available: 0 },
      ]);
    }
    for (const placed of results.filter((r) => r.status === 201)) {
      expect(placed.body.lines).toEqual([
        expect.objectContaining({ productId: product.id, variantId: small!.id, variantTitle: 'S' }),
      ]);
    }
    expect(await variantStock(small!.id)).toEqual({ stock: 0, ledger: 0 });
    expect(await variantStock(medium!.id)).toEqual({ stock: 40, ledger: 40 });
    expect(await variantStock(large!.id)).toEqual({ stock: 7, ledger: 7 });
    const shown = (await t.http.get(`/api/v1/products/${product.id}`)).body;
    expect(shown.stock).toBe(47);
    expect(shown.variants.map((v: { stock: number }) => v.stock)).toEqual([0, 40, 7]);
  });

  it('sums two lines of one variant before taking stock: 3 + 3 of 5 is refused whole, 2 + 3 of 5 takes all', async () => {
    const product = await tee([5, 5, 5]);
    const [small, medium] = product.variants;
    const refused = await order([
      { variantId: small!.id, quantity: 3 },
      { variantId: medium!.id, quantity: 1 },
      { variantId: small!.id, quantity: 3 },
    ]);
    expect(refused.status).toBe(409);
    expect(refused.body.details).toEqual([
      { productId: product.id, variantId: small!.id, requested: 6, available: 5 },
    ]);
    expect(await variantStock(small!.id)).toEqual({ stock: 5, ledger: 5 });
    expect(await variantStock(medium!.id)).toEqual({ stock: 5, ledger: 5 });

    const placed = await order([
      { variantId: small!.id, quantity: 2 },
      { variantId: small!.id, quantity: 3 },
    ]);
    expect(placed.status).toBe(201);
    expect(placed.body.lines).toEqual([
      expect.objectContaining({ variantId: small!.id, quantity: 5, unitPrice: 1000 }),
    ]);
    expect(await variantStock(small!.id)).toEqual({ stock: 0, ledger: 0 });
  });

  it('never deadlocks: 80 concurrent orders across two variants of one product and another product, named in opposite orders', async () => {
    const product = await tee([1000, 1000, 1000]);
    const other = await createProduct(t, { stock: 1000 });
    const [small, , large] = product.variants;
    const lines: Item[] = [
      { variantId: small!.id, quantity: 1 },
      { variantId: large!.id, quantity: 2 },
      { productId: other.id, quantity: 3 },
    ];
    const results = await Promise.all(
      Array.from({ length: 80 }, (_, i) => order(i % 2 === 0 ? lines : [...lines].reverse(), i)),
    );
    expect(counts(results.map((r) => r.status))).toEqual({ 201: 80 });
    expect(await variantStock(small!.id)).toEqual({ stock: 920, ledger: 920 });
    expect(await variantStock(large!.id)).toEqual({ stock: 840, ledger: 840 });
    expect(await variantStock(other.variants[0]!.id)).toEqual({ stock: 760, ledger: 760 });
  });

  it('gives a cancelled order its variants back, each once, when two cancels race', async () => {
    const product = await tee([4, 4, 4]);
    const [small, medium] = product.variants;
    const placed = await order([
      { variantId: small!.id, quantity: 2 },
      { variantId: medium!.id, quantity: 1 },
    ]);
    expect(placed.status).toBe(201);
    const cancel = () =>
      t.http.post(`/api/v1/orders/${placed.body.id}/cancel`, {}, { token: customers[0]!.token });
    const both = await Promise.all([cancel(), cancel()]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(await variantStock(small!.id)).toEqual({ stock: 4, ledger: 4 });
    expect(await variantStock(medium!.id)).toEqual({ stock: 4, ledger: 4 });
  });
});

describe('ordering by variant', () => {
  it('answers a productId item for a product with options with 422 VARIANT_REQUIRED and takes nothing', async () => {
    const product = await tee([3, 3, 3]);
    const items = [{ productId: product.id, quantity: 1 }];
    for (const [path, body] of [
      ['/api/v1/orders', { items, shippingAddress: address }],
      ['/api/v1/orders/quote', { items }],
    ] as const) {
      const res = await t.http.post(path, body, { token: customers[0]!.token });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('VARIANT_REQUIRED');
      expect(res.body.details).toEqual([{ productId: product.id }]);
    }
    expect(await variantStock(product.variants[0]!.id)).toEqual({ stock: 3, ledger: 3 });
  });

  it('quotes and orders a variant at its own price, with its title on the line', async () => {
    const product = await tee([3, 3, 3]);
    const large = product.variants[2]!;
    const quote = await t.http.post(
      '/api/v1/orders/quote',
      { items: [{ variantId: large.id, quantity: 2 }] },
      { token: customers[0]!.token },
    );
    expect(quote.status).toBe(200);
    expect(quote.body.lines).toEqual([
      expect.objectContaining({
        productId: product.id,
        variantId: large.id,
        variantTitle: 'L',
        unitPrice: 1200,
        quantity: 2,
        available: 3,
      }),
    ]);
    const placed = await order([{ variantId: large.id, quantity: 2 }]);
    expect(placed.status).toBe(201);
    const read = await t.http.get(`/api/v1/orders/${placed.body.id}`, {
      token: customers[0]!.token,
    });
    expect(read.body.lines).toEqual([
      expect.objectContaining({ variantId: large.id, variantTitle: 'L', unitPrice: 1200 }),
    ]);
  });

  it('refuses an inactive variant, an unknown one, and an item naming both or neither', async () => {
    const product = await tee([3, 3, 3]);
    const small = product.variants[0]!;
    await t.http.patch(
      `/api/v1/admin/variants/${small.id}`,
      { active: false },
      { token: admin.token },
    );
    for (const variantId of [small.id, 'var_missing']) {
      const res = await order([{ variantId, quantity: 1 }]);
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('PRODUCT_UNAVAILABLE');
      expect(res.body.details).toEqual([
        { productId: variantId === small.id ? product.id : null, variantId },
      ]);
    }
    for (const item of [
      { variantId: small.id, productId: product.id, quantity: 1 },
      { quantity: 1 },
    ]) {
      const res = await order([item]);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
    expect(await variantStock(small.id)).toEqual({ stock: 3, ledger: 3 });
  });
});
