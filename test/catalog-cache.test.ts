import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { buildApp } from '../src/app.js';
import { SYSTEM_ACTOR } from '../src/modules/auth/system-actor.js';
import { groupedBump, type CatalogRead } from '../src/modules/catalog/catalog-cache.js';
import {
  getCatalogProduct,
  listCatalog,
  updateProduct,
  type Product,
} from '../src/modules/catalog/catalog.service.js';
import { createContext } from '../src/context.js';
import { openDatabase } from '../src/db/client.js';
import { createAdmin, createProduct, createUser, type TestUser } from './helpers/factories.js';
import { buildTestApp, HttpClient, type TestApp } from './helpers/test-app.js';
import { freePort } from './helpers/wait.js';

let t: TestApp;
let admin: TestUser;
beforeAll(async () => {
  t = await buildTestApp();
  admin = await createAdmin(t);
});
afterAll(() => t.close());

type Page = { items: Product[]; total: number };
const bodyOf = <T>(read: CatalogRead) => JSON.parse(read.json) as T;

const word = () => `w${randomBytes(6).toString('hex')}`;
const asAdmin = () => ({ token: admin.token });

const address = {
  name: 'Ada Lovelace',
  line1: '1 Analytical Way',
  city: 'London',
  postalCode: 'N1 1AA',
  country: 'GB',
};

/** Reads a catalog path twice over: the first read fills the cache, the second is served from it. */
async function readTwice(http: HttpClient, path: string) {
  const first = await http.get(path);
  const second = await http.get(path);
  expect(first.status).toBe(200);
  expect(second.status).toBe(200);
  return second;
}

async function upload(productId: string, bytes: Buffer) {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)]), 'picture.png');
  const response = await fetch(`${t.baseUrl}/api/v1/admin/products/${productId}/images`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin.token}` },
    body: form,
  });
  expect(response.status).toBe(201);
}

/** A product with two sizes, each with its own price and stock. */
async function createSizedProduct(w: string) {
  const res = await t.http.post(
    '/api/v1/admin/products',
    {
      name: `${w} hoodie`,
      options: [{ name: 'Size', values: ['S', 'M'] }],
      variants: [
        { sku: `${w}-S`, options: { Size: 'S' }, price: 3000, stock: 4 },
        { sku: `${w}-M`, options: { Size: 'M' }, price: 3200, stock: 6 },
      ],
    },
    asAdmin(),
  );
  expect(res.status).toBe(201);
  return res.body as Product;
}

/** Changes a variant's price and adjusts its sibling's stock through `http`, as an admin. */
async function changeVariants(http: HttpClient, product: Product) {
  const [small, medium] = product.variants;
  const priced = await http.patch(
    `/api/v1/admin/variants/${small!.id}`,
    { price: 2500 },
    asAdmin(),
  );
  expect(priced.status).toBe(200);
  const adjusted = await http.post(
    `/api/v1/admin/variants/${medium!.id}/stock-adjustments`,
    { delta: -2, reason: 'damaged' },
    asAdmin(),
  );
  expect(adjusted.status).toBe(201);
}

describe('the catalog cache (one instance)', () => {
  it("serves a variant's price change and its sibling's stock change on the next read", async () => {
    const w = word();
    const product = await createSizedProduct(w);
    const list = `/api/v1/products?q=${w}`;
    const detail = `/api/v1/products/${product.id}`;
    const before = await readTwice(t.http, detail);
    expect(before.body).toMatchObject({ price: 3000, stock: 10 });
    expect((await readTwice(t.http, list)).body.items[0].price).toBe(3000);
    await changeVariants(t.http, product);
    const after = await t.http.get(detail, {
      headers: { 'if-none-match': before.headers.get('etag')! },
    });
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ price: 2500, stock: 8 });
    expect(
      after.body.variants.map((v: { price: number; stock: number }) => [v.price, v.stock]),
    ).toEqual([
      [2500, 4],
      [3200, 4],
    ]);
    const listed = (await t.http.get(list)).body.items[0];
    expect(listed).toMatchObject({ price: 2500, stock: 8 });
    expect(listed.variants[1].stock).toBe(4);
  });

  it('serves a price and name change on the next read of the list and the product', async () => {
    const w = word();
    const product = await createProduct(t, { name: `${w} kettle`, price: 1000 });
    const list = `/api/v1/products?q=${w}`;
    const detail = `/api/v1/products/${product.id}`;
    expect((await readTwice(t.http, list)).body.items[0].price).toBe(1000);
    expect((await readTwice(t.http, detail)).body.price).toBe(1000);

    const patched = await t.http.patch(
      `/api/v1/admin/products/${product.id}`,
      { price: 1250, name: `${w} teapot` },
      asAdmin(),
    );
    expect(patched.status).toBe(200);
    const listed = await t.http.get(list);
    expect(listed.body.items[0]).toMatchObject({ price: 1250, name: `${w} teapot` });
    expect((await t.http.get(detail)).body).toMatchObject({ price: 1250, name: `${w} teapot` });
  });

  it('answers 304 to a current ETag, and a new ETag once the price changes', async () => {
    const w = word();
    const product = await createProduct(t, { name: `${w} mug`, price: 500 });
    for (const path of [`/api/v1/products?q=${w}`, `/api/v1/products/${product.id}`]) {
      const first = await t.http.get(path);
      const etag = first.headers.get('etag');
      expect(etag).toMatch(/^W\/".+"$/);
      expect(first.headers.get('cache-control')).toBe('no-cache');
      const unchanged = await t.http.get(path, { headers: { 'if-none-match': etag! } });
      expect(unchanged.status).toBe(304);
      expect(unchanged.body).toBe('');
      expect(unchanged.headers.get('etag')).toBe(etag);
    }
    const etags = await Promise.all(
      [`/api/v1/products?q=${w}`, `/api/v1/products/${product.id}`].map(async (path) =>
        (await t.http.get(path)).headers.get('etag'),
      ),
    );
    await t.http.patch(`/api/v1/admin/products/${product.id}`, { price: 600 }, asAdmin());
    for (const [i, path] of [
      `/api/v1/products?q=${w}`,
      `/api/v1/products/${product.id}`,
    ].entries()) {
      const changed = await t.http.get(path, { headers: { 'if-none-match': etags[i]! } });
      expect(changed.status).toBe(200);
      expect(changed.headers.get('etag')).not.toBe(etags[i]);
      expect(JSON.stringify(changed.body)).toContain('"price":600');
    }
  });

  it('shows the stock an order took on the next read, with a new ETag', async () => {
    const w = word();
    const product = await createProduct(t, { name: `${w} lamp`, stock: 5 });
    const customer = await createUser(t);
    const list = `/api/v1/products?q=${w}`;
    const detail = `/api/v1/products/${product.id}`;
    const before = await readTwice(t.http, list);
    const beforeDetail = await readTwice(t.http, detail);
    expect(before.body.items[0].stock).toBe(5);

    const placed = await t.http.post(
      '/api/v1/orders',
      { items: [{ productId: product.id, quantity: 2 }], shippingAddress: address },
      { token: customer.token },
    );
    expect(placed.status).toBe(201);

    const after = await t.http.get(list, {
      headers: { 'if-none-match': before.headers.get('etag')! },
    });
    expect(after.status).toBe(200);
    expect(after.body.items[0].stock).toBe(3);
    const afterDetail = await t.http.get(detail, {
      headers: { 'if-none-match': beforeDetail.headers.get('etag')! },
    });
    expect(afterDetail.status).toBe(200);
    expect(afterDetail.body.stock).toBe(3);
    expect(afterDetail.body.updatedAt).not.toBe(beforeDetail.body.updatedAt);
  });

  it('shows the stock an order placed in a transaction (with an Idempotency-Key) took on the next read', async () => {
    const w = word();
    const product = await createProduct(t, { name: `${w} kettle`, stock: 5 });
    const customer = await createUser(t);
    const detail = `/api/v1/products/${product.id}`;
    const before = await readTwice(t.http, detail);
    expect(before.body.stock).toBe(5);

    const placed = await t.http.post(
      '/api/v1/orders',
      { items: [{ productId: product.id, quantity: 2 }], shippingAddress: address },
      { token: customer.token, headers: { 'idempotency-key': `cache-${product.id}` } },
    );
    expect(placed.status).toBe(201);

    const after = await t.http.get(detail, {
      headers: { 'if-none-match': before.headers.get('etag')! },
    });
    expect(after.status).toBe(200);
    expect(after.body.stock).toBe(3);
  });

  it('shows stock a cancellation put back and an adjustment moved, each on the next read', async () => {
    const w = word();
    const product = await createProduct(t, { name: `${w} kettle`, stock: 4 });
    const customer = await createUser(t);
    const detail = `/api/v1/products/${product.id}`;
    const placed = await t.http.post(
      '/api/v1/orders',
      { items: [{ productId: product.id, quantity: 3 }], shippingAddress: address },
      { token: customer.token },
    );
    expect(placed.status).toBe(201);
    expect((await readTwice(t.http, detail)).body.stock).toBe(1);

    const cancelled = await t.http.post(
      `/api/v1/orders/${placed.body.id}/cancel`,
      {},
      { token: customer.token },
    );
    expect(cancelled.status).toBe(200);
    expect((await readTwice(t.http, detail)).body.stock).toBe(4);

    const adjusted = await t.http.post(
      `/api/v1/admin/products/${product.id}/stock-adjustments`,
      { delta: -2, reason: 'damaged in the store room' },
      asAdmin(),
    );
    expect(adjusted.status).toBe(201);
    expect((await readTwice(t.http, detail)).body.stock).toBe(2);
  });

  it('lists a product that sold out under inStock=false at once (that filter is never cached)', async () => {
    const w = word();
    const product = await createProduct(t, { name: `${w} vase`, stock: 1 });
    const customer = await createUser(t);
    const inStock = `/api/v1/products?q=${w}&inStock=true`;
    const soldOut = `/api/v1/products?q=${w}&inStock=false`;
    expect((await readTwice(t.http, inStock)).body.total).toBe(1);
    expect((await readTwice(t.http, soldOut)).body.total).toBe(0);
    const placed = await t.http.post(
      '/api/v1/orders',
      { items: [{ productId: product.id, quantity: 1 }], shippingAddress: address },
      { token: customer.token },
    );
    expect(placed.status).toBe(201);
    expect((await t.http.get(inStock)).body.total).toBe(0);
    expect((await t.http.get(soldOut)).body.items.map((p: { id: string }) => p.id)).toEqual([
      product.id,
    ]);
  });

  it('serves an uploaded image, and its removal, on the next read', async () => {
    const w = word();
    const product = await createProduct(t, { name: `${w} chair` });
    const list = `/api/v1/products?q=${w}`;
    const detail = `/api/v1/products/${product.id}`;
    expect((await readTwice(t.http, list)).body.items[0].imageUrl).toBeNull();
    expect((await readTwice(t.http, detail)).body.images).toEqual([]);

    const png = await sharp({
      create: { width: 400, height: 300, channels: 3, background: '#2060d0' },
    })
      .png()
      .toBuffer();
    await upload(product.id, png);
    const listed = await t.http.get(list);
    expect(listed.body.items[0].imageUrl).toMatch(/^\/images\/[0-9a-f]{32}-400\.webp$/);
    const shown = await t.http.get(detail);
    expect(shown.body.images).toHaveLength(1);

    const removed = await t.http.delete(
      `/api/v1/admin/products/${product.id}/images/${shown.body.images[0].id}`,
      asAdmin(),
    );
    expect(removed.status).toBe(204);
    expect((await t.http.get(list)).body.items[0].imageUrl).toBeNull();
    expect((await t.http.get(detail)).body.images).toEqual([]);
  });

  it('drops an archived product from the list and answers 404 for it', async () => {
    const w = word();
    const product = await createProduct(t, { name: `${w} desk` });
    expect((await readTwice(t.http, `/api/v1/products?q=${w}`)).body.total).toBe(1);
    await readTwice(t.http, `/api/v1/products/${product.id}`);
    const archived = await t.http.delete(`/api/v1/admin/products/${product.id}`, asAdmin());
    expect(archived.status).toBe(204);
    expect((await t.http.get(`/api/v1/products?q=${w}`)).body).toMatchObject({
      total: 0,
      items: [],
    });
    expect((await t.http.get(`/api/v1/products/${product.id}`)).status).toBe(404);
  });

  it('reads the database, and never fails, while Redis does not answer', async () => {
    // A real client to a port where nothing listens: every command fails at once.
    const dead = new Redis({
      port: await freePort(),
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    dead.on('error', () => {});
    try {
      const ctx = { ...t.ctx, redis: dead };
      const w = word();
      const product = await createProduct(t, { name: `${w} fan`, price: 700 });
      const page = { page: 1, pageSize: 20 };
      const listed = await listCatalog(ctx, { q: w }, '-createdAt', page);
      expect(bodyOf<Page>(listed).items.map((p) => p.price)).toEqual([700]);
      expect(listed.etag).toMatch(/^W\/"db-/);
      // The change commits although its version bump fails.
      await updateProduct(ctx, SYSTEM_ACTOR, product.id, { price: 800 });
      expect(bodyOf<Product>(await getCatalogProduct(ctx, product.id)).price).toBe(800);
      const relisted = await listCatalog(ctx, { q: w }, '-createdAt', page);
      expect(bodyOf<Page>(relisted).items[0]!.price).toBe(800);
    } finally {
      dead.disconnect();
    }
  });

  it('lists a new product at once, total included', async () => {
    const w = word();
    await createProduct(t, { name: `${w} one` });
    expect((await readTwice(t.http, `/api/v1/products?q=${w}`)).body.total).toBe(1);
    await createProduct(t, { name: `${w} two` });
    expect((await t.http.get(`/api/v1/products?q=${w}`)).body.total).toBe(2);
  });
});

// Two processes on one database need PostgreSQL (PGlite has one owner) and Redis (the shared
// catalog version); a second context and app on the same database stand in for the second process.
describe.runIf(process.env.DATABASE_URL && process.env.REDIS_URL)(
  'the catalog cache across two instances (PostgreSQL + Redis)',
  () => {
    let second: { http: HttpClient; close(): Promise<void> };
    beforeAll(async () => {
      const database = await openDatabase({ databaseUrl: t.config.databaseUrl, poolSize: 5 });
      const ctx = await createContext(t.config, {
        database,
        migrate: false,
        logger: pino({ level: 'silent' }),
      });
      const app = await buildApp(ctx);
      await app.listen({ port: 0, host: '127.0.0.1' });
      const port = (app.server.address() as AddressInfo).port;
      second = {
        http: new HttpClient(`http://127.0.0.1:${port}`),
        async close() {
          await app.close();
          await ctx.close();
          await database.close();
        },
      };
    });
    afterAll(() => second.close());

    it("serves a variant's price and stock change made through one instance from the other on its next read", async () => {
      const w = word();
      const product = await createSizedProduct(w);
      const detail = `/api/v1/products/${product.id}`;
      const cached = await readTwice(second.http, detail);
      expect(cached.body).toMatchObject({ price: 3000, stock: 10 });
      await changeVariants(t.http, product);
      const shown = await second.http.get(detail);
      expect(shown.body).toMatchObject({ price: 2500, stock: 8 });
      expect(
        shown.body.variants.map((v: { price: number; stock: number }) => [v.price, v.stock]),
      ).toEqual([
        [2500, 4],
        [3200, 4],
      ]);
      const listed = await second.http.get(`/api/v1/products?q=${w}`);
      expect(listed.body.items[0]).toMatchObject({ price: 2500, stock: 8 });
    });

    it('serves a price change made through one instance from the other on its next read', async () => {
      const w = word();
      const product = await createProduct(t, { name: `${w} clock`, price: 2000 });
      const list = `/api/v1/products?q=${w}`;
      const detail = `/api/v1/products/${product.id}`;
      const cached = await readTwice(second.http, list);
      expect(cached.body.items[0].price).toBe(2000);
      const cachedDetail = await readTwice(second.http, detail);
      expect(cachedDetail.body.price).toBe(2000);

      const patched = await t.http.patch(
        `/api/v1/admin/products/${product.id}`,
        { price: 2100, name: `${w} alarm clock` },
        asAdmin(),
      );
      expect(patched.status).toBe(200);
      const listed = await second.http.get(list, {
        headers: { 'if-none-match': cached.headers.get('etag')! },
      });
      expect(listed.status).toBe(200);
      expect(listed.body.items[0]).toMatchObject({ price: 2100, name: `${w} alarm clock` });
      const shown = await second.http.get(detail);
      expect(shown.body).toMatchObject({ price: 2100, name: `${w} alarm clock` });
    });

    it('serves an order placed through one instance, and its cancellation through the other, from each on its next read', async () => {
      const w = word();
      const product = await createProduct(t, { name: `${w} teapot`, stock: 6 });
      const customer = await createUser(t);
      const detail = `/api/v1/products/${product.id}`;
      const list = `/api/v1/products?q=${w}`;
      expect((await readTwice(second.http, detail)).body.stock).toBe(6);
      expect((await readTwice(t.http, list)).body.items[0].stock).toBe(6);

      const placed = await t.http.post(
        '/api/v1/orders',
        { items: [{ productId: product.id, quantity: 5 }], shippingAddress: address },
        { token: customer.token },
      );
      expect(placed.status).toBe(201);
      expect((await second.http.get(detail)).body.stock).toBe(1);

      const cancelled = await second.http.post(
        `/api/v1/orders/${placed.body.id}/cancel`,
        {},
        { token: customer.token },
      );
      expect(cancelled.status).toBe(200);
      expect((await t.http.get(list)).body.items[0].stock).toBe(6);
      expect((await t.http.get(detail)).body.stock).toBe(6);
    });

    it('shares one ETag between the instances, so either answers 304 to it', async () => {
      const w = word();
      const product = await createProduct(t, { name: `${w} rug` });
      const path = `/api/v1/products/${product.id}`;
      const fromFirst = await readTwice(t.http, path);
      const etag = fromFirst.headers.get('etag')!;
      const fromSecond = await second.http.get(path, { headers: { 'if-none-match': etag } });
      expect(fromSecond.status).toBe(304);
    });
  },
);

describe('version bumps under load', () => {
  it('joins bumps asked for while one is in flight into the next, sent after it answers', async () => {
    const owner = {};
    const sent: { answer: () => void; at: number }[] = [];
    let asked = 0;
    const send = () =>
      new Promise<void>((resolve) => {
        sent.push({ answer: resolve, at: asked });
      });
    const done: number[] = [];
    const ask = (n: number) => {
      asked = n;
      return groupedBump(owner, 'stock', send).then(() => done.push(n));
    };

    const first = ask(1);
    const second = ask(2);
    const third = ask(3);
    await Promise.resolve();
    // One INCR in flight; the two asked meanwhile wait for the next, not this one.
    expect(sent).toHaveLength(1);
    sent[0]!.answer();
    await first;
    expect(done).toEqual([1]);
    await new Promise((resolve) => setImmediate(resolve));
    // The next is sent once the first has answered, after both were asked.
    expect(sent).toHaveLength(2);
    expect(sent[1]!.at).toBe(3);
    const fourth = ask(4); // asked while the second is in flight: a third INCR
    sent[1]!.answer();
    await Promise.all([second, third]);
    expect(done).toEqual([1, 2, 3]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toHaveLength(3);
    sent[2]!.answer();
    await fourth;
    expect(done).toEqual([1, 2, 3, 4]);
  });
});
