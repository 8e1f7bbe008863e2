import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.js';
import { createAdmin, createProduct, type TestUser } from './helpers/factories.js';
import { buildTestApp, type HttpResponse, type TestApp } from './helpers/test-app.js';

let t: TestApp;
let admin: TestUser;
beforeAll(async () => {
  t = await buildTestApp();
  admin = await createAdmin(t);
});
afterAll(() => t.close());

const word = () => `w${randomBytes(5).toString('hex')}`;
const asAdmin = () => ({ token: admin.token });

function expectProblem(res: HttpResponse, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.body.code).toBe(code);
}

/** A T-shirt in two sizes and two colours, three combinations sold. */
function teeBody(w: string) {
  return {
    name: `${w} Tee`,
    options: [
      { name: 'Size', values: ['S', 'M'] },
      { name: 'Colour', values: ['Red', 'Blue'] },
    ],
    variants: [
      { sku: `${w}-S-RED`, options: { Size: 'S', Colour: 'Red' }, price: 2000, stock: 3 },
      { sku: `${w}-M-RED`, options: { Colour: 'Red', Size: 'M' }, price: 1800, stock: 5 },
      { sku: `${w}-M-BLUE`, options: { Size: 'M', Colour: 'Blue' }, price: 2200 },
    ],
  };
}

async function createTee(w = word()) {
  const res = await t.http.post('/api/v1/admin/products', teeBody(w), asAdmin());
  expect(res.status).toBe(201);
  return res.body;
}

/** Counts rows of a table whose sku (or name) matches, straight from the database. */
async function countWhere(query: ReturnType<typeof sql>): Promise<number> {
  const [row] = await queryRows<{ n: number }>(t.ctx.db, query);
  return Number(row!.n);
}

const ledgerSum = async (variantId: string) =>
  countWhere(
    sql`select coalesce(sum(delta), 0)::int as n from stock_movements where variant_id = ${variantId}`,
  );

describe('creating a product with options and variants', () => {
  it('answers 201 with the options, each variant titled, the lowest price and the summed stock', async () => {
    const w = word();
    const product = await createTee(w);
    expect(product).toMatchObject({
      sku: `${w}-S-RED`,
      name: `${w} Tee`,
      price: 1800,
      stock: 8,
      options: [
        { name: 'Size', values: ['S', 'M'] },
        { name: 'Colour', values: ['Red', 'Blue'] },
      ],
    });
    expect(product.variants).toEqual([
      {
        id: expect.stringMatching(/^var_/),
        productId: product.id,
        sku: `${w}-S-RED`,
        title: 'S / Red',
        options: { Size: 'S', Colour: 'Red' },
        price: 2000,
        stock: 3,
        active: true,
        position: 0,
      },
      expect.objectContaining({
        title: 'M / Red',
        options: { Size: 'M', Colour: 'Red' },
        stock: 5,
      }),
      expect.objectContaining({ title: 'M / Blue', price: 2200, stock: 0, position: 2 }),
    ]);
    // Each opening stock is its variant's ledger movement.
    for (const variant of product.variants) {
      expect(await ledgerSum(variant.id)).toBe(variant.stock);
    }
    const shown = await t.http.get(`/api/v1/products/${product.id}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ price: 1800, stock: 8, options: product.options });
    expect(shown.body.variants).toEqual(product.variants);
  });

  const invalid: [string, (w: string) => Record<string, unknown>][] = [
    [
      'a combination given twice',
      (w) => {
        const body = teeBody(w);
        body.variants.push({ ...body.variants[0]!, sku: `${w}-AGAIN` });
        return body;
      },
    ],
    [
      'a value the option does not offer',
      (w) => {
        const body = teeBody(w);
        body.variants[0]!.options = { Size: 'XL', Colour: 'Red' };
        return body;
      },
    ],
    [
      'a variant without a value of every option',
      (w) => {
        const body = teeBody(w);
        body.variants[0]!.options = { Size: 'S' } as never;
        return body;
      },
    ],
    [
      'an option the product does not have',
      (w) => {
        const body = teeBody(w);
        body.variants[0]!.options = { Size: 'S', Colour: 'Red', Fit: 'Slim' } as never;
        return body;
      },
    ],
    [
      'an option named twice',
      (w) => ({
        ...teeBody(w),
        options: [
          { name: 'Size', values: ['S', 'M'] },
          { name: 'size', values: ['Red', 'Blue'] },
        ],
      }),
    ],
    [
      'a value given twice',
      (w) => ({
        ...teeBody(w),
        options: [
          { name: 'Size', values: ['S', 'M', 'S'] },
          { name: 'Colour', values: ['Red', 'Blue'] },
        ],
      }),
    ],
    ['options without variants', (w) => ({ ...teeBody(w), variants: undefined, sku: w, price: 1 })],
    [
      'two variants without options',
      (w) => ({ ...teeBody(w), options: [], variants: teeBody(w).variants.slice(0, 2) }),
    ],
    ['a product stock beside variant stock', (w) => ({ ...teeBody(w), stock: 4 })],
  ];
  it.each(invalid)(
    'refuses %s with 422 VARIANT_OPTIONS_INVALID and writes nothing',
    async (_, body) => {
      const w = word();
      const res = await t.http.post('/api/v1/admin/products', body(w), asAdmin());
      expectProblem(res, 422, 'VARIANT_OPTIONS_INVALID');
      expect(res.body.errors.length).toBeGreaterThan(0);
      expect(
        await countWhere(sql`select count(*)::int as n from products where name like ${`${w}%`}`),
      ).toBe(0);
      expect(
        await countWhere(
          sql`select count(*)::int as n from product_variants where sku like ${`${w}%`}`,
        ),
      ).toBe(0);
    },
  );

  it('refuses more than 3 options and a missing sku or price without variants with 400 VALIDATION_FAILED', async () => {
    const w = word();
    const four = {
      ...teeBody(w),
      options: ['A', 'B', 'C', 'D'].map((name) => ({ name, values: ['x'] })),
    };
    expectProblem(
      await t.http.post('/api/v1/admin/products', four, asAdmin()),
      400,
      'VALIDATION_FAILED',
    );
    const noPrice = await t.http.post('/api/v1/admin/products', { sku: w, name: w }, asAdmin());
    expectProblem(noPrice, 400, 'VALIDATION_FAILED');
    expect(noPrice.body.errors).toEqual([expect.objectContaining({ path: 'body.price' })]);
    expect(
      await countWhere(sql`select count(*)::int as n from products where name like ${`${w}%`}`),
    ).toBe(0);
  });

  it("refuses a variant sku another product's variant uses with 409 SKU_TAKEN and writes nothing", async () => {
    const first = await createTee();
    const w = word();
    const body = teeBody(w);
    body.variants[1]!.sku = first.variants[0].sku.toLowerCase();
    expectProblem(await t.http.post('/api/v1/admin/products', body, asAdmin()), 409, 'SKU_TAKEN');
    expect(
      await countWhere(sql`select count(*)::int as n from products where name like ${`${w}%`}`),
    ).toBe(0);
  });
});

describe('adding and changing variants', () => {
  it('adds a variant with a new value, which joins its option', async () => {
    const product = await createTee();
    const res = await t.http.post(
      `/api/v1/admin/products/${product.id}/variants`,
      { sku: `${product.sku}-L`, options: { Size: 'L', Colour: 'Blue' }, price: 1500, stock: 4 },
      asAdmin(),
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ title: 'L / Blue', price: 1500, stock: 4, position: 3 });
    expect(await ledgerSum(res.body.id)).toBe(4);
    const after = await t.http.get(`/api/v1/admin/products/${product.id}`, asAdmin());
    expect(after.body.options[0]).toEqual({ name: 'Size', values: ['S', 'M', 'L'] });
    expect(after.body).toMatchObject({ price: 1500, stock: 12 });
    expect(after.body.variants).toHaveLength(4);
  });

  it('refuses a combination the product has, and a variant of a product without options, with 422 VARIANT_OPTIONS_INVALID', async () => {
    const product = await createTee();
    const again = await t.http.post(
      `/api/v1/admin/products/${product.id}/variants`,
      { sku: `${product.sku}-X`, options: { Size: 'M', Colour: 'Red' }, price: 1 },
      asAdmin(),
    );
    expectProblem(again, 422, 'VARIANT_OPTIONS_INVALID');
    const plain = await createProduct(t);
    const onPlain = await t.http.post(
      `/api/v1/admin/products/${plain.id}/variants`,
      { sku: `${plain.sku}-X`, options: { Size: 'M' }, price: 1 },
      asAdmin(),
    );
    expectProblem(onPlain, 422, 'VARIANT_OPTIONS_INVALID');
    const unknown = await t.http.post(
      '/api/v1/admin/products/prd_missing/variants',
      { sku: `${plain.sku}-Y`, options: {}, price: 1 },
      asAdmin(),
    );
    expectProblem(unknown, 404, 'NOT_FOUND');
    expect(
      (await t.http.get(`/api/v1/admin/products/${product.id}`, asAdmin())).body.variants,
    ).toHaveLength(3);
  });

  it("changes a variant's price and active flag, and the product's price follows", async () => {
    const product = await createTee();
    const [small, medium] = product.variants;
    const cheaper = await t.http.patch(
      `/api/v1/admin/variants/${small.id}`,
      { price: 900 },
      asAdmin(),
    );
    expect(cheaper.status).toBe(200);
    expect(cheaper.body).toMatchObject({ id: small.id, price: 900 });
    expect((await t.http.get(`/api/v1/products/${product.id}`)).body.price).toBe(900);
    const off = await t.http.patch(
      `/api/v1/admin/variants/${small.id}`,
      { active: false },
      asAdmin(),
    );
    expect(off.body.active).toBe(false);
    const shown = (await t.http.get(`/api/v1/products/${product.id}`)).body;
    expect(shown.price).toBe(medium.price);
    expect(shown.variants[0]).toMatchObject({ id: small.id, active: false, price: 900 });
  });

  it('keeps a product without options and its one variant one: sku, price and stock change together', async () => {
    const plain = await createProduct(t, { price: 1000, stock: 2 });
    const [only] = plain.variants;
    const viaVariant = await t.http.patch(
      `/api/v1/admin/variants/${only!.id}`,
      { sku: `${plain.sku}-B`, price: 1100 },
      asAdmin(),
    );
    expect(viaVariant.status).toBe(200);
    let shown = (await t.http.get(`/api/v1/admin/products/${plain.id}`, asAdmin())).body;
    expect(shown).toMatchObject({ sku: `${plain.sku}-B`, price: 1100 });
    const viaProduct = await t.http.patch(
      `/api/v1/admin/products/${plain.id}`,
      { sku: `${plain.sku}-C`, price: 1200, stock: 7 },
      asAdmin(),
    );
    expect(viaProduct.status).toBe(200);
    shown = (await t.http.get(`/api/v1/admin/products/${plain.id}`, asAdmin())).body;
    expect(shown).toMatchObject({ sku: `${plain.sku}-C`, price: 1200, stock: 7 });
    expect(shown.variants).toEqual([
      expect.objectContaining({ id: only!.id, sku: `${plain.sku}-C`, price: 1200, stock: 7 }),
    ]);
    expect(await ledgerSum(only!.id)).toBe(7);
  });

  it('refuses a price or stock on a product with options with 422 VARIANT_REQUIRED and changes nothing', async () => {
    const product = await createTee();
    for (const body of [{ price: 100 }, { stock: 100 }]) {
      expectProblem(
        await t.http.patch(`/api/v1/admin/products/${product.id}`, body, asAdmin()),
        422,
        'VARIANT_REQUIRED',
      );
    }
    const shown = (await t.http.get(`/api/v1/admin/products/${product.id}`, asAdmin())).body;
    expect(shown).toMatchObject({ price: 1800, stock: 8 });
  });

  it('refuses a taken sku (409 SKU_TAKEN), an unknown variant (404), an empty or unknown field (400)', async () => {
    const one = await createTee();
    const other = await createTee();
    const variant = one.variants[0];
    expectProblem(
      await t.http.patch(
        `/api/v1/admin/variants/${variant.id}`,
        { sku: other.variants[1].sku },
        asAdmin(),
      ),
      409,
      'SKU_TAKEN',
    );
    expectProblem(
      await t.http.patch('/api/v1/admin/variants/var_missing', { price: 1 }, asAdmin()),
      404,
      'NOT_FOUND',
    );
    expectProblem(
      await t.http.patch(`/api/v1/admin/variants/${variant.id}`, {}, asAdmin()),
      400,
      'VALIDATION_FAILED',
    );
    expectProblem(
      await t.http.patch(`/api/v1/admin/variants/${variant.id}`, { stock: 3 }, asAdmin()),
      400,
      'VALIDATION_FAILED',
    );
    expectProblem(
      await t.http.patch(
        `/api/v1/admin/variants/${variant.id}`,
        { imageId: 'img_not_its' },
        asAdmin(),
      ),
      400,
      'VALIDATION_FAILED',
    );
    const shown = (await t.http.get(`/api/v1/admin/products/${one.id}`, asAdmin())).body;
    expect(shown.variants[0]).toEqual(variant);
  });
});

describe('stock per variant', () => {
  it('adjusts one variant with a ledger movement naming it, and leaves its siblings alone', async () => {
    const product = await createTee();
    const [small, medium] = product.variants;
    const res = await t.http.post(
      `/api/v1/admin/variants/${small.id}/stock-adjustments`,
      { delta: 7, reason: 'delivery' },
      asAdmin(),
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      productId: product.id,
      variantId: small.id,
      kind: 'adjustment',
      delta: 7,
      stockAfter: 10,
      reason: 'delivery',
    });
    const shown = (await t.http.get(`/api/v1/products/${product.id}`)).body;
    expect(shown.stock).toBe(15);
    expect(shown.variants.map((v: { stock: number }) => v.stock)).toEqual([10, 5, 0]);
    expect(await ledgerSum(small.id)).toBe(10);
    expect(await ledgerSum(medium.id)).toBe(5);

    const movements = await t.http.get(
      `/api/v1/admin/variants/${small.id}/stock-movements`,
      asAdmin(),
    );
    expect(movements.status).toBe(200);
    expect(movements.body.total).toBe(2);
    expect(movements.body.items.map((m: { delta: number }) => m.delta)).toEqual([7, 3]);
    const all = await t.http.get(`/api/v1/admin/products/${product.id}/stock-movements`, asAdmin());
    expect(all.body.total).toBe(3);
  });

  it('refuses to take a variant below zero with 409 OUT_OF_STOCK naming it, and changes nothing', async () => {
    const product = await createTee();
    const small = product.variants[0];
    const res = await t.http.post(
      `/api/v1/admin/variants/${small.id}/stock-adjustments`,
      { delta: -4, reason: 'lost' },
      asAdmin(),
    );
    expectProblem(res, 409, 'OUT_OF_STOCK');
    expect(res.body.details).toEqual([
      { productId: product.id, variantId: small.id, requested: 4, available: 3 },
    ]);
    expect(await ledgerSum(small.id)).toBe(3);
  });

  it("answers a product with options' stock adjustment with 422 VARIANT_REQUIRED, an unknown variant with 404", async () => {
    const product = await createTee();
    const res = await t.http.post(
      `/api/v1/admin/products/${product.id}/stock-adjustments`,
      { delta: 1, reason: 'found' },
      asAdmin(),
    );
    expectProblem(res, 422, 'VARIANT_REQUIRED');
    expect(res.body.details).toEqual([{ productId: product.id }]);
    expectProblem(
      await t.http.post(
        '/api/v1/admin/variants/var_missing/stock-adjustments',
        { delta: 1, reason: 'x' },
        asAdmin(),
      ),
      404,
      'NOT_FOUND',
    );
    expectProblem(
      await t.http.get('/api/v1/admin/variants/var_missing/stock-movements', asAdmin()),
      404,
      'NOT_FOUND',
    );
    const bad = await t.http.post(
      `/api/v1/admin/variants/${product.variants[0].id}/stock-adjustments`,
      { delta: 0, reason: 'nothing' },
      asAdmin(),
    );
    expectProblem(bad, 400, 'VALIDATION_FAILED');
    expect((await t.http.get(`/api/v1/admin/products/${product.id}`, asAdmin())).body.stock).toBe(
      8,
    );
  });

  it('keeps each variant equal to its ledger under concurrent adjustments of siblings', async () => {
    const product = await createTee();
    const adjust = (variantId: string, delta: number) =>
      t.http.post(
        `/api/v1/admin/variants/${variantId}/stock-adjustments`,
        { delta, reason: 'count' },
        asAdmin(),
      );
    const [s, m, b] = product.variants;
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => adjust([s, m, b][i % 3].id, i % 2 === 0 ? 2 : -1)),
    );
    expect(results.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    const shown = (await t.http.get(`/api/v1/admin/products/${product.id}`, asAdmin())).body;
    let sum = 0;
    for (const variant of shown.variants) {
      expect(await ledgerSum(variant.id)).toBe(variant.stock);
      sum += variant.stock;
    }
    expect(shown.stock).toBe(sum);
  });
});
