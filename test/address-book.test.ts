import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addresses } from '../src/modules/addresses/address.table.js';
import { findProduct } from '../src/modules/catalog/product.repository.js';
import { createProduct, createUser, type TestUser } from './helpers/factories.js';
import { buildTestApp, type TestApp } from './helpers/test-app.js';

// The signed-in customer's address book (/api/v1/me/addresses), one default per account kept
// by the database under concurrent requests, regions checked against their country, and
// orders and quotes that name a saved address. Over real HTTP on this run's database (PGlite,
// or PostgreSQL with DATABASE_URL, where the racing requests really overlap).

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

const home = {
  name: 'Ada Lovelace',
  line1: '12 Analytical Row',
  city: 'San Francisco',
  region: 'US-CA',
  postalCode: '94105',
  country: 'US',
  phone: '+1 415 555 0199',
};
const office = {
  name: 'Ada Lovelace',
  line1: '1 Engine Plaza',
  line2: 'Floor 3',
  city: 'Toronto',
  region: 'CA-ON',
  postalCode: 'M5V 2T6',
  country: 'CA',
};

const save = (user: TestUser, address: object) =>
  t.http.post('/api/v1/me/addresses', address, { token: user.token });
const list = async (user: TestUser) =>
  (await t.http.get('/api/v1/me/addresses', { token: user.token })).body;
const defaultsOf = async (userId: string) =>
  (await t.ctx.db.select().from(addresses).where(eq(addresses.userId, userId))).filter(
    (a) => a.isDefault,
  );

describe('the address book', () => {
  it('saves, reads, changes and deletes addresses; the first one is the default', async () => {
    const u = await createUser(t);
    const first = await save(u, { ...home, isDefault: false });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ ...home, isDefault: true });
    expect(first.body.id).toMatch(/^adr_/);
    const second = await save(u, office);
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ ...office, isDefault: false });

    const listed = await list(u);
    expect(listed).toMatchObject({ total: 2, page: 1 });
    expect(listed.items.map((a: { id: string }) => a.id)).toEqual([first.body.id, second.body.id]);

    const read = await t.http.get(`/api/v1/me/addresses/${second.body.id}`, { token: u.token });
    expect(read.body).toEqual(second.body);

    const changed = await t.http.patch(
      `/api/v1/me/addresses/${second.body.id}`,
      { line2: null, phone: '+1 416 555 0100', isDefault: true },
      { token: u.token },
    );
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ line1: office.line1, isDefault: true });
    expect(changed.body.line2).toBeUndefined();
    expect(changed.body.phone).toBe('+1 416 555 0100');
    expect((await defaultsOf(u.user.id)).map((a) => a.id)).toEqual([second.body.id]);

    const deleted = await t.http.delete(`/api/v1/me/addresses/${second.body.id}`, {
      token: u.token,
    });
    expect(deleted.status).toBe(204);
    // The default went: the address left becomes the default.
    const after = await list(u);
    expect(after.items).toEqual([expect.objectContaining({ id: first.body.id, isDefault: true })]);
    const gone = await t.http.get(`/api/v1/me/addresses/${second.body.id}`, { token: u.token });
    expect([gone.status, gone.body.code]).toEqual([404, 'NOT_FOUND']);
  });

  it('hides another account’s addresses: 404 NOT_FOUND to read, change or delete them', async () => {
    const [owner, other] = await Promise.all([createUser(t), createUser(t)]);
    const saved = await save(owner, home);
    const path = `/api/v1/me/addresses/${saved.body.id}`;
    for (const res of [
      await t.http.get(path, { token: other.token }),
      await t.http.patch(path, { city: 'Elsewhere' }, { token: other.token }),
      await t.http.delete(path, { token: other.token }),
    ]) {
      expect([res.status, res.body.code]).toEqual([404, 'NOT_FOUND']);
    }
    expect((await list(other)).total).toBe(0);
    expect((await t.http.get(path, { token: owner.token })).body).toEqual(saved.body);
    expect((await t.http.get('/api/v1/me/addresses')).status).toBe(401);
  });

  it('checks the region against the country, on save and on change', async () => {
    const u = await createUser(t);
    for (const [region, country] of [
      ['CA-ON', 'US'],
      ['US-ZZ', 'US'],
      ['California', 'US'],
      ['FR-75', 'DE'],
    ] as const) {
      const res = await save(u, { ...home, region, country });
      expect([region, country, res.status, res.body.code]).toEqual([
        region,
        country,
        400,
        'VALIDATION_FAILED',
      ]);
      expect(res.body.errors).toEqual([expect.objectContaining({ path: 'body.region' })]);
    }
    // A country without a list of regions takes any ISO 3166-2 code of its own; lower case is fine.
    const bavaria = await save(u, { ...home, region: 'de-by', country: 'DE', postalCode: '80331' });
    expect(bavaria.status).toBe(201);
    expect(bavaria.body.region).toBe('DE-BY');
    const withoutRegion = await save(u, { ...office, region: undefined });
    expect(withoutRegion.status).toBe(201);
    // Moving to another country keeps a region only if it is that country's.
    const moved = await t.http.patch(
      `/api/v1/me/addresses/${bavaria.body.id}`,
      { country: 'AT' },
      { token: u.token },
    );
    expect([moved.status, moved.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(moved.body.errors).toEqual([expect.objectContaining({ path: 'body.region' })]);
    const movedWithRegion = await t.http.patch(
      `/api/v1/me/addresses/${bavaria.body.id}`,
      { country: 'AT', region: 'AT-9' },
      { token: u.token },
    );
    expect(movedWithRegion.status).toBe(200);
    expect(movedWithRegion.body).toMatchObject({ country: 'AT', region: 'AT-9' });
  });

  it('keeps exactly one default under concurrent requests, and the database refuses a second', async () => {
    const u = await createUser(t);
    const created = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        save(u, { ...home, line1: `${i} Race St`, isDefault: true }),
      ),
    );
    expect(created.map((r) => r.status)).toEqual(Array(8).fill(201));
    expect(await defaultsOf(u.user.id)).toHaveLength(1);

    const ids = created.map((r) => r.body.id as string);
    const switched = await Promise.all(
      ids.map((id) =>
        t.http.patch(`/api/v1/me/addresses/${id}`, { isDefault: true }, { token: u.token }),
      ),
    );
    expect(switched.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(await defaultsOf(u.user.id)).toHaveLength(1);

    // Two first addresses at once: one of them is the default, not both.
    const v = await createUser(t);
    const firsts = await Promise.all([save(v, home), save(v, office)]);
    expect(firsts.map((r) => r.status)).toEqual([201, 201]);
    expect(await defaultsOf(v.user.id)).toHaveLength(1);

    // Whatever the service does, the partial unique index holds.
    const [notDefault] = (
      await t.ctx.db.select().from(addresses).where(eq(addresses.userId, u.user.id))
    ).filter((a) => !a.isDefault);
    await expect(
      t.ctx.db.update(addresses).set({ isDefault: true }).where(eq(addresses.id, notDefault!.id)),
    ).rejects.toThrow();
  });

  it('holds at most 50 addresses (422 ADDRESS_BOOK_FULL)', async () => {
    const u = await createUser(t);
    for (let i = 0; i < 50; i++) {
      expect((await save(u, { ...home, line1: `${i} Full St` })).status).toBe(201);
    }
    const full = await save(u, home);
    expect([full.status, full.body.code]).toEqual([422, 'ADDRESS_BOOK_FULL']);
    expect((await list(u)).total).toBe(50);
  });
});

describe('ordering to a saved address', () => {
  it('places an order with shippingAddressId: the address is copied, and a later edit leaves the order alone', async () => {
    const u = await createUser(t);
    const saved = await save(u, home);
    const product = await createProduct(t, { price: 1000, stock: 5 });
    const items = [{ productId: product.id, quantity: 1 }];
    const quote = await t.http.post(
      '/api/v1/orders/quote',
      { items, shippingAddressId: saved.body.id },
      { token: u.token },
    );
    expect(quote.status).toBe(200);
    const placed = await t.http.post(
      '/api/v1/orders',
      { items, shippingAddressId: saved.body.id },
      { token: u.token },
    );
    expect(placed.status).toBe(201);
    expect(placed.body.shippingAddress).toEqual(home);
    await t.http.patch(
      `/api/v1/me/addresses/${saved.body.id}`,
      { line1: '99 Moved Ave' },
      { token: u.token },
    );
    const read = await t.http.get(`/api/v1/orders/${placed.body.id}`, { token: u.token });
    expect(read.body.shippingAddress).toEqual(home);
  });

  it('refuses another account’s saved address with 422 SHIPPING_ADDRESS_UNKNOWN, as an unknown one, reserving nothing', async () => {
    const [owner, other] = await Promise.all([createUser(t), createUser(t)]);
    const saved = await save(owner, home);
    const product = await createProduct(t, { stock: 5 });
    const items = [{ productId: product.id, quantity: 2 }];
    for (const id of [saved.body.id, 'adr_00000000000000000000000000']) {
      for (const path of ['/api/v1/orders/quote', '/api/v1/orders']) {
        const res = await t.http.post(
          path,
          { items, shippingAddressId: id },
          { token: other.token },
        );
        expect([path, res.status, res.body.code]).toEqual([path, 422, 'SHIPPING_ADDRESS_UNKNOWN']);
        expect(JSON.stringify(res.body)).not.toContain(home.line1);
      }
    }
    expect((await findProduct(t.ctx.db, product.id))!.stock).toBe(5);
  });

  it('takes either an address or its id: both, or neither, is 400 VALIDATION_FAILED', async () => {
    const u = await createUser(t);
    const saved = await save(u, home);
    const product = await createProduct(t);
    const items = [{ productId: product.id, quantity: 1 }];
    for (const body of [
      { items, shippingAddress: home, shippingAddressId: saved.body.id },
      { items },
    ]) {
      const res = await t.http.post('/api/v1/orders', body, { token: u.token });
      expect([res.status, res.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    }
  });

  it('checks an order’s region against its country', async () => {
    const u = await createUser(t);
    const product = await createProduct(t);
    const res = await t.http.post(
      '/api/v1/orders',
      {
        items: [{ productId: product.id, quantity: 1 }],
        shippingAddress: { ...home, region: 'CA-QC' },
      },
      { token: u.token },
    );
    expect([res.status, res.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(res.body.errors).toEqual([
      expect.objectContaining({ path: 'body.shippingAddress.region' }),
    ]);
  });
});
