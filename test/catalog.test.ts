import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../src/modules/auth/system-actor.js';
import { seedCatalog } from '../src/modules/catalog/catalog.service.js';
import {
  demoCategories,
  demoImage,
  demoProducts,
  drawingsOf,
} from '../src/modules/catalog/seed-data.js';
import { createAdmin, createProduct, createUser, type TestUser } from './helpers/factories.js';
import {
  buildTestApp,
  type HttpResponse,
  type RequestOptions,
  type TestApp,
} from './helpers/test-app.js';

let t: TestApp;
let admin: TestUser;
beforeAll(async () => {
  t = await buildTestApp();
  admin = await createAdmin(t);
});
afterAll(() => t.close());

/**
 * A fixed-length random word. Tests share one database, so each test names its rows with its
 * own word and searches for it; equal lengths mean one word is never a substring of another.
 */
const word = () => `w${randomBytes(6).toString('hex')}`;

const query = (params: Record<string, string | number | boolean>) =>
  Object.entries(params)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`)
    .join('&');

const asAdmin = (): RequestOptions => ({ token: admin.token });

const listCatalog = (params: Record<string, string | number | boolean>) =>
  t.http.get(`/api/v1/products?${query(params)}`);

const listAdmin = (params: Record<string, string | number | boolean>) =>
  t.http.get(`/api/v1/admin/products?${query(params)}`, asAdmin());

const ids = (res: HttpResponse) => res.body.items.map((p: { id: string }) => p.id);

/** Every product (archived too) whose name, description or sku contains `q`. */
async function countProducts(q: string): Promise<number> {
  const res = await listAdmin({ q, archived: true, pageSize: 100 });
  expect(res.status).toBe(200);
  return res.body.total;
}

async function adminProduct(id: string) {
  const res = await t.http.get(`/api/v1/admin/products/${id}`, asAdmin());
  expect(res.status).toBe(200);
  return res.body;
}

async function movementsOf(id: string) {
  const res = await t.http.get(
    `/api/v1/admin/products/${id}/stock-movements?pageSize=100`,
    asAdmin(),
  );
  expect(res.status).toBe(200);
  return res.body as { items: any[]; total: number };
}

function expectProblem(res: HttpResponse, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.body).toMatchObject({ status, code });
  expect(typeof res.body.requestId).toBe('string');
}

/** Creates products one clock second apart, so `-createdAt` has one right answer. */
async function createInOrder(list: Parameters<typeof createProduct>[1][]) {
  const created = [];
  for (const overrides of list) {
    t.clock.advance(1000);
    created.push(await createProduct(t, overrides));
  }
  return created;
}

describe('public catalog search', () => {
  it('matches q case-insensitively against name, description and sku', async () => {
    const w = word();
    const [byName, byDescription, bySku] = await createInOrder([
      { name: `Lamp ${w.toUpperCase()} brass`, description: 'plain' },
      { name: 'Plain', description: `Made for ${w} fans` },
      { sku: `${w.toUpperCase()}-SKU`, name: 'Plain', description: 'plain' },
    ]);
    await createProduct(t, { name: `${word()} unrelated` });

    for (const q of [w, w.toUpperCase(), `${w[0]}${w.slice(1).toUpperCase()}`]) {
      const res = await listCatalog({ q, sort: 'name' });
      expect(res.status).toBe(200);
      expect(new Set(ids(res))).toEqual(new Set([byName!.id, byDescription!.id, bySku!.id]));
      expect(res.body.total).toBe(3);
    }
  });

  it('treats %, _ and backslash in q as literal characters, not patterns', async () => {
    const w = word();
    const [percent, , underscore, , backslash] = await createInOrder([
      { name: `${w} 100% wool` },
      { name: `${w} 1000 wool` },
      { sku: `${w}_A1`, name: 'Underscore' },
      { sku: `${w}XA1`, name: 'No underscore' },
      { name: `${w} back\\slash` },
    ]);

    const pct = await listCatalog({ q: `${w} 100%` });
    expect(ids(pct)).toEqual([percent!.id]);
    const und = await listCatalog({ q: `${w}_a` });
    expect(ids(und)).toEqual([underscore!.id]);
    const bs = await listCatalog({ q: `${w} back\\` });
    expect(ids(bs)).toEqual([backslash!.id]);
    const none = await listCatalog({ q: `${w}%wool` });
    expect(none.body).toMatchObject({ items: [], total: 0 });
  });

  it('filters by an inclusive minPrice and maxPrice range', async () => {
    const w = word();
    const [p100, p200, p300] = await createInOrder([
      { name: `${w} a`, price: 100 },
      { name: `${w} b`, price: 200 },
      { name: `${w} c`, price: 300 },
    ]);
    const both = await listCatalog({ q: w, minPrice: 200, maxPrice: 300, sort: 'price' });
    expect(ids(both)).toEqual([p200!.id, p300!.id]);
    expect(both.body.total).toBe(2);
    const min = await listCatalog({ q: w, minPrice: 101, sort: 'price' });
    expect(ids(min)).toEqual([p200!.id, p300!.id]);
    const max = await listCatalog({ q: w, maxPrice: 200, sort: 'price' });
    expect(ids(max)).toEqual([p100!.id, p200!.id]);
    const exact = await listCatalog({ q: w, minPrice: 100, maxPrice: 100 });
    expect(ids(exact)).toEqual([p100!.id]);
  });

  it('filters by inStock=true (stock > 0) and inStock=false (stock = 0)', async () => {
    const w = word();
    const [empty, stocked] = await createInOrder([
      { name: `${w} empty`, stock: 0 },
      { name: `${w} stocked`, stock: 3 },
    ]);
    expect(ids(await listCatalog({ q: w, inStock: true }))).toEqual([stocked!.id]);
    expect(ids(await listCatalog({ q: w, inStock: false }))).toEqual([empty!.id]);
    expect(ids(await listCatalog({ q: w, inStock: 1 }))).toEqual([stocked!.id]);
    expect((await listCatalog({ q: w })).body.total).toBe(2);
  });

  it('sorts by price, -price, name and -createdAt, newest first by default', async () => {
    const w = word();
    const [banana, cherry, apple] = await createInOrder([
      { name: `${w} Banana`, price: 300 },
      { name: `${w} Cherry`, price: 100 },
      { name: `${w} Apple`, price: 200 },
    ]);
    const order = async (sort?: string) => {
      const res = await listCatalog(sort ? { q: w, sort } : { q: w });
      expect(res.status).toBe(200);
      return ids(res);
    };
    expect(await order('price')).toEqual([cherry!.id, apple!.id, banana!.id]);
    expect(await order('-price')).toEqual([banana!.id, apple!.id, cherry!.id]);
    expect(await order('name')).toEqual([apple!.id, banana!.id, cherry!.id]);
    expect(await order('-createdAt')).toEqual([apple!.id, cherry!.id, banana!.id]);
    expect(await order()).toEqual([apple!.id, cherry!.id, banana!.id]);
  });

  it('pages with page and pageSize and reports the total of all matches', async () => {
    const w = word();
    const created = await createInOrder(
      [1, 2, 3, 4, 5].map((n) => ({ name: `${w} ${n}`, price: n * 100 })),
    );
    const pages = [];
    for (const page of [1, 2, 3]) {
      const res = await listCatalog({ q: w, sort: 'price', page, pageSize: 2 });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ page, pageSize: 2, total: 5 });
      pages.push(ids(res));
    }
    expect(pages).toEqual([
      [created[0]!.id, created[1]!.id],
      [created[2]!.id, created[3]!.id],
      [created[4]!.id],
    ]);
    const beyond = await listCatalog({ q: w, page: 4, pageSize: 2 });
    expect(beyond.body).toEqual({ items: [], page: 4, pageSize: 2, total: 5 });
    const defaults = await listCatalog({ q: w });
    expect(defaults.body).toMatchObject({ page: 1, pageSize: 20, total: 5 });
  });

  it('lists only active, unarchived products', async () => {
    const w = word();
    const [visible, inactive, archived] = await createInOrder([
      { name: `${w} visible` },
      { name: `${w} inactive`, active: false },
      { name: `${w} archived` },
    ]);
    expect((await t.http.delete(`/api/v1/admin/products/${archived!.id}`, asAdmin())).status).toBe(
      204,
    );
    const res = await listCatalog({ q: w });
    expect(ids(res)).toEqual([visible!.id]);
    expect(res.body.total).toBe(1);
    expect(ids(await listAdmin({ q: w, active: false }))).toEqual([inactive!.id]);
  });

  it('returns a public product with the documented fields', async () => {
    const product = await createProduct(t, { price: 1234, stock: 7 });
    const res = await t.http.get(`/api/v1/products/${product.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: product.id,
      sku: product.sku,
      name: product.name,
      description: product.description,
      price: 1234,
      currency: t.config.currency,
      stock: 7,
      active: true,
      // A product without options is one variant, whose sku, price and stock are the product's.
      options: [],
      variants: [
        {
          id: expect.stringMatching(/^var_/),
          productId: product.id,
          sku: product.sku,
          title: '',
          options: {},
          price: 1234,
          stock: 7,
          active: true,
          position: 0,
        },
      ],
      imageUrl: null,
      images: [],
      categories: [],
      createdAt: product.createdAt,
      updatedAt: product.updatedAt,
    });
    expect(res.body).not.toHaveProperty('archivedAt');
  });

  it('hides an inactive, an archived and an unknown product with 404 NOT_FOUND', async () => {
    const inactive = await createProduct(t, { active: false });
    const archived = await createProduct(t);
    expect((await t.http.delete(`/api/v1/admin/products/${archived.id}`, asAdmin())).status).toBe(
      204,
    );
    for (const id of [inactive.id, archived.id, 'prd_doesnotexist']) {
      expectProblem(await t.http.get(`/api/v1/products/${id}`), 404, 'NOT_FOUND');
    }
  });
});

describe('admin product CRUD', () => {
  it('creates a product with 201 and records its opening stock as one ledger movement', async () => {
    const w = word();
    const res = await t.http.post(
      '/api/v1/admin/products',
      {
        sku: `  ${w}-Mug  `,
        name: `  ${w} Mug  `,
        description: 'Speckled stoneware',
        price: 1800,
        stock: 12,
        active: true,
      },
      asAdmin(),
    );
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^prd_/),
      sku: `${w}-Mug`,
      name: `${w} Mug`,
      description: 'Speckled stoneware',
      price: 1800,
      currency: t.config.currency,
      stock: 12,
      active: true,
      options: [],
      variants: [
        {
          id: expect.stringMatching(/^var_/),
          productId: res.body.id,
          sku: `${w}-Mug`,
          title: '',
          options: {},
          price: 1800,
          stock: 12,
          active: true,
          position: 0,
        },
      ],
      imageUrl: null,
      images: [],
      categories: [],
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      archivedAt: null,
    });
    expect(new Date(res.body.createdAt).toISOString()).toBe(res.body.createdAt);

    const ledger = await movementsOf(res.body.id);
    expect(ledger.total).toBe(1);
    expect(ledger.items).toEqual([
      {
        id: expect.any(String),
        productId: res.body.id,
        variantId: res.body.variants[0].id,
        kind: 'adjustment',
        delta: 12,
        stockAfter: 12,
        reason: 'opening stock',
        orderId: null,
        actorId: admin.user.id,
        actorName: 'Test User',
        createdAt: expect.any(String),
      },
    ]);
    expect(await adminProduct(res.body.id)).toEqual(res.body);
  });

  it('defaults description to empty, stock to 0 with no movement, and active to true', async () => {
    const w = word();
    const res = await t.http.post(
      '/api/v1/admin/products',
      { sku: `${w}-min`, name: `${w} minimal`, price: 0 },
      asAdmin(),
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ description: '', stock: 0, active: true, price: 0 });
    expect((await movementsOf(res.body.id)).total).toBe(0);
  });

  it('is 404 NOT_FOUND for an unknown product on get, patch, delete and the ledger routes', async () => {
    const id = 'prd_doesnotexist';
    const base = `/api/v1/admin/products/${id}`;
    expectProblem(await t.http.get(base, asAdmin()), 404, 'NOT_FOUND');
    expectProblem(await t.http.patch(base, { price: 1 }, asAdmin()), 404, 'NOT_FOUND');
    expectProblem(await t.http.delete(base, asAdmin()), 404, 'NOT_FOUND');
    expectProblem(
      await t.http.post(`${base}/stock-adjustments`, { delta: 1, reason: 'x' }, asAdmin()),
      404,
      'NOT_FOUND',
    );
    expectProblem(await t.http.get(`${base}/stock-movements`, asAdmin()), 404, 'NOT_FOUND');
  });

  it('updates fields with PATCH and leaves the ledger alone when stock is not changed', async () => {
    const product = await createProduct(t, { price: 500, stock: 4 });
    t.clock.advance(1000);
    const res = await t.http.patch(
      `/api/v1/admin/products/${product.id}`,
      { name: 'Renamed', description: 'New words', price: 650, active: false, stock: 4 },
      asAdmin(),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: product.id,
      sku: product.sku,
      name: 'Renamed',
      description: 'New words',
      price: 650,
      stock: 4,
      active: false,
      createdAt: product.createdAt,
      archivedAt: null,
    });
    expect(Date.parse(res.body.updatedAt)).toBeGreaterThan(Date.parse(product.updatedAt));
    expect(await adminProduct(product.id)).toEqual(res.body);
    expect((await movementsOf(product.id)).total).toBe(1);
  });

  it('records a stock change in PATCH as an adjustment of the difference', async () => {
    const product = await createProduct(t, { stock: 10 });
    const down = await t.http.patch(
      `/api/v1/admin/products/${product.id}`,
      { stock: 4 },
      asAdmin(),
    );
    expect(down.status).toBe(200);
    expect(down.body.stock).toBe(4);
    const up = await t.http.patch(`/api/v1/admin/products/${product.id}`, { stock: 9 }, asAdmin());
    expect(up.body.stock).toBe(9);

    const ledger = await movementsOf(product.id);
    expect(ledger.items.map((m) => [m.kind, m.delta, m.stockAfter, m.actorId])).toEqual([
      ['adjustment', 5, 9, admin.user.id],
      ['adjustment', -6, 4, admin.user.id],
      ['adjustment', 10, 10, 'system'],
    ]);
    expect((await adminProduct(product.id)).stock).toBe(9);
  });

  it('archives on DELETE: 204, gone from the catalog, still readable by an admin', async () => {
    const w = word();
    const product = await createProduct(t, { name: `${w} to archive`, stock: 2 });
    const res = await t.http.delete(`/api/v1/admin/products/${product.id}`, asAdmin());
    expect(res.status).toBe(204);
    expect(res.body).toBe('');

    expectProblem(await t.http.get(`/api/v1/products/${product.id}`), 404, 'NOT_FOUND');
    expect((await listCatalog({ q: w })).body.total).toBe(0);

    const archived = await adminProduct(product.id);
    expect(archived).toMatchObject({ id: product.id, active: false, stock: 2 });
    expect(Date.parse(archived.archivedAt)).not.toBeNaN();

    expect((await listAdmin({ q: w })).body).toMatchObject({ items: [], total: 0 });
    const withArchived = await listAdmin({ q: w, archived: true });
    expect(ids(withArchived)).toEqual([product.id]);
    expect((await movementsOf(product.id)).total).toBe(1);
  });

  it('treats archiving an archived product as a no-op 204', async () => {
    const product = await createProduct(t);
    expect((await t.http.delete(`/api/v1/admin/products/${product.id}`, asAdmin())).status).toBe(
      204,
    );
    const first = await adminProduct(product.id);
    t.clock.advance(1000);
    expect((await t.http.delete(`/api/v1/admin/products/${product.id}`, asAdmin())).status).toBe(
      204,
    );
    expect(await adminProduct(product.id)).toEqual(first);
  });

  it('rejects a duplicate sku in any letter case with SKU_TAKEN on create', async () => {
    const w = word();
    const first = await t.http.post(
      '/api/v1/admin/products',
      { sku: `${w}-Dup`, name: 'First', price: 100 },
      asAdmin(),
    );
    expect(first.status).toBe(201);
    for (const sku of [`${w}-Dup`, `${w.toUpperCase()}-DUP`, `${w}-dup`]) {
      const res = await t.http.post(
        '/api/v1/admin/products',
        { sku, name: 'Second', price: 200, stock: 5 },
        asAdmin(),
      );
      expectProblem(res, 409, 'SKU_TAKEN');
    }
    expect(await countProducts(w)).toBe(1);
    expect((await movementsOf(first.body.id)).total).toBe(0);
  });

  it('lets exactly one of two concurrent creates with the same sku in different case win', async () => {
    const w = word();
    const results = await Promise.all(
      [`${w}-race`, `${w.toUpperCase()}-RACE`, `${w}-Race`].map((sku) =>
        t.http.post('/api/v1/admin/products', { sku, name: w, price: 1, stock: 2 }, asAdmin()),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    for (const loser of results.filter((r) => r.status === 409)) {
      expect(loser.body.code).toBe('SKU_TAKEN');
    }
    expect(await countProducts(w)).toBe(1);
    const winner = results.find((r) => r.status === 201)!;
    expect((await movementsOf(winner.body.id)).total).toBe(1);
  });

  it('rejects a duplicate sku in any letter case with SKU_TAKEN on patch and changes nothing', async () => {
    const w = word();
    const taken = await createProduct(t, { sku: `${w}-Taken` });
    const other = await createProduct(t, { sku: `${w}-Other`, stock: 3 });
    const before = await adminProduct(other.id);
    const res = await t.http.patch(
      `/api/v1/admin/products/${other.id}`,
      { sku: `${w.toUpperCase()}-TAKEN`, name: 'Should not stick', stock: 8 },
      asAdmin(),
    );
    expectProblem(res, 409, 'SKU_TAKEN');
    expect(await adminProduct(other.id)).toEqual(before);
    expect((await movementsOf(other.id)).total).toBe(1);
    expect((await adminProduct(taken.id)).sku).toBe(`${w}-Taken`);

    const ownCase = await t.http.patch(
      `/api/v1/admin/products/${other.id}`,
      { sku: `${w}-OTHER` },
      asAdmin(),
    );
    expect(ownCase.status).toBe(200);
    expect(ownCase.body.sku).toBe(`${w}-OTHER`);
  });
});

describe('stock adjustments', () => {
  it('records an adjustment with 201 and the movement, and moves the stock', async () => {
    const product = await createProduct(t, { stock: 5 });
    const res = await t.http.post(
      `/api/v1/admin/products/${product.id}/stock-adjustments`,
      { delta: -3, reason: '  damaged in transit  ' },
      asAdmin(),
    );
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      productId: product.id,
      variantId: product.variants[0]!.id,
      kind: 'adjustment',
      delta: -3,
      stockAfter: 2,
      reason: 'damaged in transit',
      orderId: null,
      actorId: admin.user.id,
      actorName: 'Test User',
      createdAt: expect.any(String),
    });
    expect((await adminProduct(product.id)).stock).toBe(2);
    expect((await movementsOf(product.id)).items[0]).toEqual(res.body);
  });

  it('takes stock to exactly zero but refuses to go below it with OUT_OF_STOCK', async () => {
    const product = await createProduct(t, { stock: 4 });
    const url = `/api/v1/admin/products/${product.id}/stock-adjustments`;
    const tooMuch = await t.http.post(url, { delta: -5, reason: 'shrinkage' }, asAdmin());
    expectProblem(tooMuch, 409, 'OUT_OF_STOCK');
    expect(tooMuch.body.details).toEqual([
      { productId: product.id, variantId: product.variants[0]!.id, requested: 5, available: 4 },
    ]);
    expect((await adminProduct(product.id)).stock).toBe(4);
    expect((await movementsOf(product.id)).total).toBe(1);

    const all = await t.http.post(url, { delta: -4, reason: 'shrinkage' }, asAdmin());
    expect(all.status).toBe(201);
    expect(all.body.stockAfter).toBe(0);
    const more = await t.http.post(url, { delta: -1, reason: 'shrinkage' }, asAdmin());
    expectProblem(more, 409, 'OUT_OF_STOCK');
    expect(more.body.details).toEqual([
      { productId: product.id, variantId: product.variants[0]!.id, requested: 1, available: 0 },
    ]);
    expect((await adminProduct(product.id)).stock).toBe(0);
  });

  it('lists movements newest first with paging', async () => {
    const product = await createProduct(t, { stock: 1 });
    const url = `/api/v1/admin/products/${product.id}/stock-adjustments`;
    for (const [delta, reason] of [
      [2, 'first'],
      [-1, 'second'],
      [7, 'third'],
    ] as const) {
      expect((await t.http.post(url, { delta, reason }, asAdmin())).status).toBe(201);
    }
    const all = await movementsOf(product.id);
    expect(all.total).toBe(4);
    expect(all.items.map((m) => [m.reason, m.delta, m.stockAfter])).toEqual([
      ['third', 7, 9],
      ['second', -1, 2],
      ['first', 2, 3],
      ['opening stock', 1, 1],
    ]);
    const page2 = await t.http.get(
      `/api/v1/admin/products/${product.id}/stock-movements?page=2&pageSize=3`,
      asAdmin(),
    );
    expect(page2.body).toMatchObject({ page: 2, pageSize: 3, total: 4 });
    expect(page2.body.items.map((m: { reason: string }) => m.reason)).toEqual(['opening stock']);
  });

  // Each delta is capped at 10,000,000, but their sum must stay inside the int4 column too:
  // stock is capped at MAX_STOCK (1,000,000,000) in the conditional update itself.
  it('refuses an adjustment that would take stock past MAX_STOCK with STOCK_LIMIT_EXCEEDED', async () => {
    const created = await t.http.post(
      '/api/v1/admin/products',
      { sku: `${word()}-bulk`, name: 'Bulk', price: 1, stock: 10_000_000 },
      asAdmin(),
    );
    expect(created.status).toBe(201);
    const url = `/api/v1/admin/products/${created.body.id}/stock-adjustments`;
    // Every step is valid on its own: 10M + 99 x 10M = 1,000,000,000, the most stock allowed.
    for (let i = 0; i < 99; i++) {
      const step = await t.http.post(url, { delta: 10_000_000, reason: 'bulk' }, asAdmin());
      expect(step.status).toBe(201);
    }
    const before = await adminProduct(created.body.id);
    expect(before.stock).toBe(1_000_000_000);

    const res = await t.http.post(url, { delta: 1, reason: 'one too many' }, asAdmin());
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.code).toBe('STOCK_LIMIT_EXCEEDED');
    expect(await adminProduct(created.body.id)).toEqual(before);
    expect((await movementsOf(created.body.id)).total).toBe(100);
  });

  it('is 404 NOT_FOUND for an unknown product and records nothing', async () => {
    const res = await t.http.post(
      '/api/v1/admin/products/prd_missing/stock-adjustments',
      { delta: 5, reason: 'restock' },
      asAdmin(),
    );
    expectProblem(res, 404, 'NOT_FOUND');
    expectProblem(
      await t.http.get('/api/v1/admin/products/prd_missing/stock-movements', asAdmin()),
      404,
      'NOT_FOUND',
    );
  });
});

describe('admin product routes and roles', () => {
  const routes = (id: string) =>
    [
      ['GET', '/api/v1/admin/products', undefined],
      ['POST', '/api/v1/admin/products', { sku: `${word()}-x`, name: 'Nope', price: 1, stock: 1 }],
      ['GET', `/api/v1/admin/products/${id}`, undefined],
      ['PATCH', `/api/v1/admin/products/${id}`, { price: 1, stock: 99 }],
      ['DELETE', `/api/v1/admin/products/${id}`, undefined],
      ['POST', `/api/v1/admin/products/${id}/stock-adjustments`, { delta: 5, reason: 'x' }],
      ['GET', `/api/v1/admin/products/${id}/stock-movements`, undefined],
    ] as const;

  async function expectRefused(token: string | undefined, status: number, code: string) {
    const w = word();
    const product = await createProduct(t, { name: `${w} guarded`, price: 777, stock: 3 });
    const before = await adminProduct(product.id);
    for (const [method, path, body] of routes(product.id)) {
      const res = await t.http.request(method, path, body, { token });
      expectProblem(res, status, code);
    }
    expect(await adminProduct(product.id)).toEqual(before);
    expect((await movementsOf(product.id)).total).toBe(1);
  }

  it('is 403 FORBIDDEN for staff on every admin product route, and changes nothing', async () => {
    const staff = await createUser(t, { role: 'staff' });
    await expectRefused(staff.token, 403, 'FORBIDDEN');
  });

  it('is 403 FORBIDDEN for a customer on every admin product route, and changes nothing', async () => {
    const customer = await createUser(t);
    await expectRefused(customer.token, 403, 'FORBIDDEN');
  });

  it('is 401 UNAUTHENTICATED without a token on every admin product route', async () => {
    await expectRefused(undefined, 401, 'UNAUTHENTICATED');
  });
});

interface BadRequest {
  name: string;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  /** Where the request goes, when not the route under test. */
  url?: string;
  status?: number;
  code?: string;
  /** The field VALIDATION_FAILED must name in `errors[].path`. */
  path?: string;
}

function expectRejected(res: HttpResponse, bad: BadRequest) {
  const status = bad.status ?? 400;
  const code = bad.code ?? 'VALIDATION_FAILED';
  expectProblem(res, status, code);
  if (bad.path) {
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(bad.path);
  }
}

const send = (method: string, url: string, bad: BadRequest) =>
  t.http.request(method, bad.url ?? url, bad.body, {
    ...asAdmin(),
    ...(bad.raw !== undefined ? { raw: bad.raw } : {}),
    ...(bad.headers ? { headers: bad.headers } : {}),
  });

describe('bad input on every catalog route is a 4xx problem and changes nothing', () => {
  /** Every body carries the test's word in its description, so a stray create would be found. */
  const goodProduct = (w: string) => ({
    sku: `${w}-good`,
    name: `${w} good`,
    description: `${w} description`,
    price: 1000,
    stock: 5,
  });
  const without = (w: string, field: string) => {
    const body: Record<string, unknown> = goodProduct(w);
    delete body[field];
    return body;
  };

  const createCases: ((w: string) => BadRequest)[] = [
    (w) => ({
      name: 'price as a string',
      body: { ...goodProduct(w), price: '1000' },
      path: 'body.price',
    }),
    (w) => ({ name: 'name as a number', body: { ...goodProduct(w), name: 42 }, path: 'body.name' }),
    (w) => ({
      name: 'active as a string',
      body: { ...goodProduct(w), active: 'yes' },
      path: 'body.active',
    }),
    (w) => ({
      name: 'stock as a string',
      body: { ...goodProduct(w), stock: '5' },
      path: 'body.stock',
    }),
    (w) => ({ name: 'sku as null', body: { ...goodProduct(w), sku: null }, path: 'body.sku' }),
    (w) => ({ name: 'missing sku', body: without(w, 'sku'), path: 'body.sku' }),
    (w) => ({ name: 'missing name', body: without(w, 'name'), path: 'body.name' }),
    (w) => ({ name: 'missing price', body: without(w, 'price'), path: 'body.price' }),
    (w) => ({
      name: 'unknown field',
      body: { ...goodProduct(w), currency: 'EUR' },
      path: 'body.currency',
    }),
    (w) => ({
      name: 'client-chosen id',
      body: { ...goodProduct(w), id: 'prd_mine' },
      path: 'body.id',
    }),
    (w) => ({
      name: 'archivedAt from the client',
      body: { ...goodProduct(w), archivedAt: null },
      path: 'body.archivedAt',
    }),
    (w) => ({
      name: 'sku over 64 characters',
      body: { ...goodProduct(w), sku: `${w}-${'S'.repeat(64)}` },
      path: 'body.sku',
    }),
    (w) => ({
      name: 'name over 200 characters',
      body: { ...goodProduct(w), name: `${w} ${'n'.repeat(200)}` },
      path: 'body.name',
    }),
    (w) => ({
      name: 'description over 5000 characters',
      body: { ...goodProduct(w), description: `${w} ${'d'.repeat(5000)}` },
      path: 'body.description',
    }),
    (w) => ({ name: 'blank name', body: { ...goodProduct(w), name: '   ' }, path: 'body.name' }),
    (w) => ({ name: 'empty sku', body: { ...goodProduct(w), sku: '' }, path: 'body.sku' }),
    (w) => ({
      name: 'sku with a space',
      body: { ...goodProduct(w), sku: `${w} good` },
      path: 'body.sku',
    }),
    (w) => ({
      name: 'sku starting with a dash',
      body: { ...goodProduct(w), sku: `-${w}` },
      path: 'body.sku',
    }),
    (w) => ({ name: 'negative price', body: { ...goodProduct(w), price: -1 }, path: 'body.price' }),
    (w) => ({
      name: 'fractional price',
      body: { ...goodProduct(w), price: 10.5 },
      path: 'body.price',
    }),
    (w) => ({ name: 'negative stock', body: { ...goodProduct(w), stock: -1 }, path: 'body.stock' }),
    (w) => ({
      name: 'fractional stock',
      body: { ...goodProduct(w), stock: 1.5 },
      path: 'body.stock',
    }),
    (w) => ({ name: 'huge price', body: { ...goodProduct(w), price: 1e12 }, path: 'body.price' }),
    (w) => ({
      name: 'price beyond 2^53',
      body: { ...goodProduct(w), price: 2 ** 53 + 2 },
      path: 'body.price',
    }),
    (w) => ({ name: 'huge stock', body: { ...goodProduct(w), stock: 1e8 }, path: 'body.stock' }),
    (w) => ({
      name: 'price that overflows to Infinity',
      raw: JSON.stringify(goodProduct(w)).replace('"price":1000', '"price":1e400'),
      path: 'body.price',
    }),
    (w) => ({ name: 'malformed JSON', raw: `{"sku":"${w}-good","name":`, path: 'body' }),
    (w) => ({ name: 'a JSON array', body: [goodProduct(w)], path: 'body' }),
    () => ({ name: 'JSON null', raw: 'null', path: 'body' }),
    () => ({ name: 'an empty JSON body', raw: '', path: 'body' }),
    (w) => ({
      name: 'a text/plain body',
      raw: JSON.stringify(goodProduct(w)),
      headers: { 'content-type': 'text/plain' },
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    }),
    (w) => ({
      name: 'a form-encoded body',
      raw: `sku=${w}-good&name=${w}&price=1000`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    }),
    (w) => ({
      name: 'a body over the 1 MiB limit',
      body: { ...goodProduct(w), description: `${w} ${'x'.repeat(1024 * 1024)}` },
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    }),
  ];

  it.each(createCases.map((make) => [make('').name, make] as const))(
    'POST /admin/products rejects %s and creates nothing',
    async (_name, make) => {
      const w = word();
      const bad = make(w);
      expectRejected(await send('POST', '/api/v1/admin/products', bad), bad);
      expect(await countProducts(w)).toBe(0);
    },
  );

  const patchCases: BadRequest[] = [
    { name: 'an empty object', body: {}, path: 'body' },
    { name: 'price as a string', body: { price: '100' }, path: 'body.price' },
    { name: 'name as null', body: { name: null }, path: 'body.name' },
    { name: 'active as a string', body: { active: 'false' }, path: 'body.active' },
    {
      name: 'an unknown field next to a good one',
      body: { price: 5, archivedAt: null },
      path: 'body.archivedAt',
    },
    { name: 'a client-chosen currency', body: { currency: 'EUR' }, path: 'body.currency' },
    { name: 'name over 200 characters', body: { name: 'n'.repeat(201) }, path: 'body.name' },
    { name: 'blank name', body: { name: '  ' }, path: 'body.name' },
    { name: 'sku over 64 characters', body: { sku: 'S'.repeat(65) }, path: 'body.sku' },
    { name: 'sku with a slash', body: { sku: 'a/b' }, path: 'body.sku' },
    {
      name: 'description over 5000 characters',
      body: { description: 'd'.repeat(5001) },
      path: 'body.description',
    },
    { name: 'negative price', body: { price: -5 }, path: 'body.price' },
    { name: 'fractional price', body: { price: 0.5 }, path: 'body.price' },
    { name: 'huge price', body: { price: 1e10 }, path: 'body.price' },
    { name: 'negative stock', body: { stock: -1 }, path: 'body.stock' },
    { name: 'fractional stock', body: { stock: 2.5 }, path: 'body.stock' },
    { name: 'huge stock', body: { stock: 10_000_001 }, path: 'body.stock' },
    {
      name: 'a good stock next to a bad price',
      body: { stock: 50, price: -1 },
      path: 'body.price',
    },
    { name: 'malformed JSON', raw: '{"price": 12', path: 'body' },
    { name: 'a JSON array', body: [{ price: 1 }], path: 'body' },
    { name: 'a JSON string', raw: '"price"', path: 'body' },
  ];

  it.each(patchCases.map((bad) => [bad.name, bad] as const))(
    'PATCH /admin/products/{id} rejects %s and leaves the product and its ledger unchanged',
    async (_name, bad) => {
      const product = await createProduct(t, { name: 'Unchanged', price: 4321, stock: 6 });
      const before = await adminProduct(product.id);
      expectRejected(await send('PATCH', `/api/v1/admin/products/${product.id}`, bad), bad);
      expect(await adminProduct(product.id)).toEqual(before);
      expect(before).toMatchObject({ name: 'Unchanged', price: 4321, stock: 6 });
      expect((await movementsOf(product.id)).total).toBe(1);
    },
  );

  it('PATCH /admin/products/{id} rejects an over-long id with VALIDATION_FAILED naming params.id', async () => {
    const res = await t.http.patch(
      `/api/v1/admin/products/${'p'.repeat(65)}`,
      { price: 1 },
      asAdmin(),
    );
    expectRejected(res, { name: 'long id', path: 'params.id' });
  });

  const adjustmentCases: BadRequest[] = [
    { name: 'a zero delta', body: { delta: 0, reason: 'nothing' }, path: 'body.delta' },
    { name: 'a fractional delta', body: { delta: 1.5, reason: 'half' }, path: 'body.delta' },
    { name: 'delta as a string', body: { delta: '5', reason: 'text' }, path: 'body.delta' },
    { name: 'delta as null', body: { delta: null, reason: 'null' }, path: 'body.delta' },
    { name: 'a missing delta', body: { reason: 'no delta' }, path: 'body.delta' },
    { name: 'a missing reason', body: { delta: 3 }, path: 'body.reason' },
    { name: 'a blank reason', body: { delta: 3, reason: '   ' }, path: 'body.reason' },
    { name: 'reason as a number', body: { delta: 3, reason: 7 }, path: 'body.reason' },
    {
      name: 'reason over 500 characters',
      body: { delta: 3, reason: 'r'.repeat(501) },
      path: 'body.reason',
    },
    {
      name: 'an unknown field',
      body: { delta: 3, reason: 'x', kind: 'restock' },
      path: 'body.kind',
    },
    {
      name: 'a client-chosen stockAfter',
      body: { delta: 3, reason: 'x', stockAfter: 100 },
      path: 'body.stockAfter',
    },
    {
      name: 'a huge positive delta',
      body: { delta: 10_000_001, reason: 'huge' },
      path: 'body.delta',
    },
    {
      name: 'a huge negative delta',
      body: { delta: -10_000_001, reason: 'huge' },
      path: 'body.delta',
    },
    { name: 'a delta of 1e300', body: { delta: 1e300, reason: 'huge' }, path: 'body.delta' },
    { name: 'malformed JSON', raw: '{"delta": 3, "reason": "x"', path: 'body' },
    { name: 'a JSON array', body: [{ delta: 3, reason: 'x' }], path: 'body' },
    { name: 'an empty JSON body', raw: '', path: 'body' },
    {
      name: 'a form-encoded body',
      raw: 'delta=3&reason=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
  ];

  it.each(adjustmentCases.map((bad) => [bad.name, bad] as const))(
    'POST /admin/products/{id}/stock-adjustments rejects %s and records nothing',
    async (_name, bad) => {
      const product = await createProduct(t, { name: 'Steady', price: 990, stock: 8 });
      const before = await adminProduct(product.id);
      expectRejected(
        await send('POST', `/api/v1/admin/products/${product.id}/stock-adjustments`, bad),
        bad,
      );
      expect(await adminProduct(product.id)).toEqual(before);
      expect((await movementsOf(product.id)).total).toBe(1);
    },
  );

  const queryCases: [route: string, query: string, path: string][] = [
    ['/api/v1/products', 'pageSize=101', 'querystring.pageSize'],
    ['/api/v1/products', 'pageSize=0', 'querystring.pageSize'],
    ['/api/v1/products', 'page=0', 'querystring.page'],
    ['/api/v1/products', 'page=-1', 'querystring.page'],
    ['/api/v1/products', 'page=1.5', 'querystring.page'],
    ['/api/v1/products', 'page=abc', 'querystring.page'],
    ['/api/v1/products', 'page=1000000', 'querystring.page'],
    ['/api/v1/products', 'minPrice=-1', 'querystring.minPrice'],
    ['/api/v1/products', 'minPrice=cheap', 'querystring.minPrice'],
    ['/api/v1/products', 'maxPrice=1.5', 'querystring.maxPrice'],
    ['/api/v1/products', 'inStock=yes', 'querystring.inStock'],
    ['/api/v1/products', 'sort=cheapest', 'querystring.sort'],
    ['/api/v1/products', 'sort=createdAt', 'querystring.sort'],
    ['/api/v1/products', `q=${'q'.repeat(201)}`, 'querystring.q'],
    ['/api/v1/products', 'archived=true', 'querystring.archived'],
    ['/api/v1/products', 'active=false', 'querystring.active'],
    ['/api/v1/products', 'color=red', 'querystring.color'],
    ['/api/v1/admin/products', 'archived=maybe', 'querystring.archived'],
    ['/api/v1/admin/products', 'active=2', 'querystring.active'],
    ['/api/v1/admin/products', 'pageSize=1000', 'querystring.pageSize'],
    ['/api/v1/admin/products', 'sort=-name', 'querystring.sort'],
  ];

  it.each(queryCases)('GET %s?%s is 400 VALIDATION_FAILED naming %s', async (route, qs, path) => {
    const res = await t.http.get(`${route}?${qs}`, asAdmin());
    expectRejected(res, { name: qs, path });
  });

  it.each([
    ['pageSize=101', 'querystring.pageSize'],
    ['page=0', 'querystring.page'],
    ['before=2020-01-01', 'querystring.before'],
  ])(
    'GET /admin/products/{id}/stock-movements?%s is 400 VALIDATION_FAILED naming %s',
    async (qs, path) => {
      const product = await createProduct(t);
      const res = await t.http.get(
        `/api/v1/admin/products/${product.id}/stock-movements?${qs}`,
        asAdmin(),
      );
      expectRejected(res, { name: qs, path });
    },
  );

  // BUG (src/modules/catalog/catalog.schemas.ts:52-53): minPrice and maxPrice have no upper
  // bound, so 3000000000 reaches PostgreSQL as an int4 parameter and fails with "integer out
  // of range": a 500 INTERNAL for a client's mistake. Fix: `.max(1_000_000_000)` like `money`.
  it.each(['minPrice', 'maxPrice'])(
    'rejects a %s beyond the integer range with VALIDATION_FAILED, not a 500',
    async (bound) => {
      const res = await listCatalog({ [bound]: 3_000_000_000 });
      expectRejected(res, { name: bound, path: `querystring.${bound}` });
    },
  );
});

/**
 * BUG: PostgreSQL text cannot hold U+0000, and no schema refuses it, so a NUL character in any
 * string the API accepts (q, an id in the path, name, description, reason) reaches the driver
 * and fails with "invalid byte sequence for encoding UTF8: 0x00": a 500 INTERNAL. Fix: refuse
 * it at the edge with one shared zod string (`.refine((s) => !s.includes('\u0000'))`) used by
 * catalog.schemas.ts for productBody (lines 29-41), catalogQuery `q` (line 51), idParams
 * (line 66) and stockAdjustmentBody `reason` (line 75); ids could also be held to `^[\w-]+$`.
 */
describe('a NUL character in any string is a 400 VALIDATION_FAILED, not a 500', () => {
  const nul = '\u0000';

  it.each([
    ['name', 'body.name'],
    ['description', 'body.description'],
  ])('POST /admin/products rejects a NUL in %s and creates nothing', async (field, path) => {
    const w = word();
    const body = { sku: `${w}-nul`, name: `${w} nul`, description: w, price: 100 };
    const res = await t.http.post(
      '/api/v1/admin/products',
      { ...body, [field]: `${w}${nul}` },
      asAdmin(),
    );
    expectRejected(res, { name: field, path });
    expect(await countProducts(w)).toBe(0);
  });

  it('PATCH /admin/products/{id} rejects a NUL in name and changes nothing', async () => {
    const product = await createProduct(t, { name: 'Clean' });
    const before = await adminProduct(product.id);
    const res = await t.http.patch(
      `/api/v1/admin/products/${product.id}`,
      { name: `a${nul}b` },
      asAdmin(),
    );
    expectRejected(res, { name: 'name', path: 'body.name' });
    expect(await adminProduct(product.id)).toEqual(before);
  });

  it('POST stock-adjustments rejects a NUL in reason and records nothing', async () => {
    const product = await createProduct(t, { stock: 2 });
    const res = await t.http.post(
      `/api/v1/admin/products/${product.id}/stock-adjustments`,
      { delta: 1, reason: `a${nul}b` },
      asAdmin(),
    );
    expectRejected(res, { name: 'reason', path: 'body.reason' });
    expect((await adminProduct(product.id)).stock).toBe(2);
    expect((await movementsOf(product.id)).total).toBe(1);
  });

  it.each([
    ['/api/v1/products?q=a%00b', 'querystring.q'],
    ['/api/v1/products/prd_a%00b', 'params.id'],
    ['/api/v1/admin/products/prd_a%00b', 'params.id'],
  ])('GET %s is 400 naming %s', async (url, path) => {
    expectRejected(await t.http.get(url, asAdmin()), { name: url, path });
  });
});

describe('the demo catalog', () => {
  it('seeds every demo product with its drawn image, quickly', async () => {
    const fresh = await buildTestApp();
    try {
      for (const drawing of demoProducts.flatMap(drawingsOf)) {
        expect(await demoImage(drawing), `a drawing ${drawing}`).toBeDefined();
      }
      const started = performance.now();
      expect(await seedCatalog(fresh.ctx, SYSTEM_ACTOR)).toBe(demoProducts.length);
      const seconds = (performance.now() - started) / 1000;
      console.log(`seeded ${demoProducts.length} products with images in ${seconds.toFixed(2)} s`);
      // Generous for a shared CI machine; it takes about a second here.
      expect(seconds).toBeLessThan(10);
      const list = await fresh.http.get('/api/v1/products?pageSize=100');
      expect(list.body.total).toBe(demoProducts.length);
      for (const product of list.body.items) {
        const demo = demoProducts.find((p) => p.sku === product.sku)!;
        expect(product.images).toHaveLength(drawingsOf(demo).length);
        for (const image of product.images) {
          expect(image.variants.map((v: { width: number }) => v.width)).toEqual([320, 640, 800]);
        }
        expect(product.imageUrl).toMatch(/^\/images\/[0-9a-f]{32}-640\.webp$/);
        // Its options and variants as the demo gives them, each variant's image its drawing's.
        expect(product.options).toEqual(demo.options ?? []);
        expect(product.variants).toHaveLength(demo.variants?.length ?? 1);
        for (const [i, variant] of (demo.variants ?? []).entries()) {
          expect(product.variants[i]).toMatchObject({
            sku: variant.sku,
            options: variant.options,
            price: variant.price,
            stock: variant.stock ?? 0,
          });
          const drawn = variant.drawing ? drawingsOf(demo).indexOf(variant.drawing) : -1;
          expect(product.variants[i].imageId).toBe(product.images[drawn]?.id);
        }
        expect(product.categories.map((c: { slug: string }) => c.slug)).toEqual(
          demo.categories ?? [],
        );
      }
      // The demo categories, each listing its products.
      const tree = await fresh.http.get('/api/v1/categories');
      expect(tree.body.map((c: { slug: string; name: string }) => [c.slug, c.name])).toEqual(
        expect.arrayContaining(demoCategories.map((c) => [c.slug, c.name])),
      );
      const clothing = await fresh.http.get('/api/v1/products?category=clothing&pageSize=100');
      expect(clothing.body.total).toBe(
        demoProducts.filter((p) => p.categories?.includes('clothing')).length,
      );
      // The option facets, and a product with an option value found by it.
      const facets = await fresh.http.get('/api/v1/product-options');
      expect(facets.body).toEqual(
        expect.arrayContaining([
          { name: 'Size', values: ['S', 'M', 'L', '01', '02'] },
          { name: 'Colour', values: ['Red', 'Blue', 'Charcoal', 'Mustard'] },
        ]),
      );
      const medium = await fresh.http.get('/api/v1/products?option=Size:M&option=Colour:Blue');
      expect(medium.body.items.map((p: { sku: string }) => p.sku)).toEqual(['TEE-ORGANIC']);
      const image = await fetch(fresh.baseUrl + list.body.items[0].imageUrl);
      expect(image.status).toBe(200);
      expect(image.headers.get('content-type')).toBe('image/webp');
    } finally {
      await fresh.close();
    }
  });
});
