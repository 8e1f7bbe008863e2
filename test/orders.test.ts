import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.js';
import { sumMovements } from '../src/modules/catalog/product.repository.js';
import { placeOrder } from '../src/modules/orders/place-order.js';
import { createProduct, createUser, type TestUser } from './helpers/factories.js';
import { driverCalls } from './helpers/driver-calls.js';
import { buildTestApp, type TestApp } from './helpers/test-app.js';

let t: TestApp;
let customer: TestUser;
beforeAll(async () => {
  t = await buildTestApp();
  customer = await createUser(t);
});
afterAll(() => t.close());

const address = {
  name: 'Ada Lovelace',
  line1: '12 St James Square',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  country: 'GB',
};

const order = (items: Record<string, unknown>[], extra: object = {}) => ({
  items,
  shippingAddress: address,
  ...extra,
});

async function stockOf(productId: string) {
  const admin = await adminToken();
  const res = await t.http.get(`/api/v1/admin/products/${productId}`, { token: admin });
  return res.body.stock as number;
}

let adminTokenCache: string | undefined;
async function adminToken() {
  adminTokenCache ??= (await createUser(t, { role: 'admin' })).token;
  return adminTokenCache;
}

describe('placing an order', () => {
  it('snapshots server prices, sums duplicate lines and reserves stock through the ledger', async () => {
    const a = await createProduct(t, { price: 1250, stock: 10, name: 'Alpha' });
    const b = await createProduct(t, { price: 999, stock: 5, name: 'Beta' });
    const res = await t.http.post(
      '/api/v1/orders',
      order([
        { productId: a.id, quantity: 2 },
        { productId: b.id, quantity: 1 },
        { productId: a.id, quantity: 1 },
      ]),
      { token: customer.token },
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'pending_payment',
      paymentStatus: 'unpaid',
      subtotal: 3 * 1250 + 999,
      discount: 0,
      shipping: 0,
      total: 3 * 1250 + 999,
      currency: 'USD',
      promoCode: null,
      shippingAddress: address,
    });
    expect(res.body.number).toMatch(/^\d+$/);
    expect(res.body.lines).toEqual([
      expect.objectContaining({
        productId: a.id,
        name: 'Alpha',
        sku: a.sku,
        unitPrice: 1250,
        quantity: 3,
        subtotal: 3750,
        total: 3750,
      }),
      expect.objectContaining({ productId: b.id, name: 'Beta', unitPrice: 999, quantity: 1 }),
    ]);
    expect(res.body.history).toEqual([
      expect.objectContaining({ from: null, to: 'pending_payment' }),
    ]);
    expect(await stockOf(a.id)).toBe(7);
    expect(await stockOf(b.id)).toBe(4);
    expect(await sumMovements(t.ctx.db, a.id)).toBe(7);
  });

  it('gives sequential human-readable numbers', async () => {
    const p = await createProduct(t, { stock: 10 });
    const first = await t.http.post('/api/v1/orders', order([{ productId: p.id, quantity: 1 }]), {
      token: customer.token,
    });
    const second = await t.http.post('/api/v1/orders', order([{ productId: p.id, quantity: 1 }]), {
      token: customer.token,
    });
    expect(Number(second.body.number)).toBeGreaterThan(Number(first.body.number));
  });

  it('keeps the price it was sold at when the product price changes later', async () => {
    const p = await createProduct(t, { price: 500, stock: 10 });
    const placed = await t.http.post('/api/v1/orders', order([{ productId: p.id, quantity: 1 }]), {
      token: customer.token,
    });
    await t.http.patch(
      `/api/v1/admin/products/${p.id}`,
      { price: 900, name: 'Renamed' },
      { token: await adminToken() },
    );
    const read = await t.http.get(`/api/v1/orders/${placed.body.id}`, { token: customer.token });
    expect(read.body.lines[0]).toMatchObject({ unitPrice: 500, total: 500 });
    expect(read.body.lines[0].name).not.toBe('Renamed');
  });

  it('refuses the whole order with OUT_OF_STOCK naming each short line, and reserves nothing', async () => {
    const plenty = await createProduct(t, { stock: 10 });
    const few = await createProduct(t, { stock: 2 });
    const none = await createProduct(t, { stock: 0 });
    const res = await t.http.post(
      '/api/v1/orders',
      order([
        { productId: plenty.id, quantity: 3 },
        { productId: few.id, quantity: 3 },
        { productId: none.id, quantity: 1 },
      ]),
      { token: customer.token },
    );
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('OUT_OF_STOCK');
    expect(res.body.details).toEqual(
      expect.arrayContaining([
        { productId: few.id, variantId: few.variants[0]!.id, requested: 3, available: 2 },
        { productId: none.id, variantId: none.variants[0]!.id, requested: 1, available: 0 },
      ]),
    );
    expect(res.body.details).toHaveLength(2);
    expect(await stockOf(plenty.id)).toBe(10);
    expect(await sumMovements(t.ctx.db, plenty.id)).toBe(10);
  });

  it('refuses unknown and archived products with PRODUCT_UNAVAILABLE', async () => {
    const archived = await createProduct(t, { stock: 5 });
    await t.http.delete(`/api/v1/admin/products/${archived.id}`, { token: await adminToken() });
    const inactive = await createProduct(t, { stock: 5, active: false });
    for (const productId of ['prd_unknown', archived.id, inactive.id]) {
      const res = await t.http.post('/api/v1/orders', order([{ productId, quantity: 1 }]), {
        token: customer.token,
      });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('PRODUCT_UNAVAILABLE');
      expect(res.body.details).toEqual([{ productId }]);
    }
    expect(await stockOf(archived.id)).toBe(5);
  });

  it('answers a promo code with PROMO_CODE_UNKNOWN until promotions exist', async () => {
    const p = await createProduct(t, { stock: 5 });
    const res = await t.http.post(
      '/api/v1/orders',
      order([{ productId: p.id, quantity: 1 }], { promoCode: 'SAVE10' }),
      { token: customer.token },
    );
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('PROMO_CODE_UNKNOWN');
    expect(await stockOf(p.id)).toBe(5);
  });
});

describe('quote', () => {
  it('prices a cart without reserving and reports stock per line and the promo outcome', async () => {
    const p = await createProduct(t, { price: 1000, stock: 1 });
    const res = await t.http.post(
      '/api/v1/orders/quote',
      { items: [{ productId: p.id, quantity: 2 }], promoCode: 'nope' },
      { token: customer.token },
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      subtotal: 2000,
      discount: 0,
      shipping: 0,
      total: 2000,
      currency: 'USD',
      promo: { code: 'nope', applied: false, reason: 'PROMO_CODE_UNKNOWN' },
    });
    expect(res.body.lines[0]).toMatchObject({ productId: p.id, quantity: 2, available: 1 });
    expect(await stockOf(p.id)).toBe(1);
  });
});

describe('bad orders change nothing', () => {
  it.each([
    [
      'zero quantity',
      (id: string) => order([{ productId: id, quantity: 0 }]),
      'body.items.0.quantity',
    ],
    [
      'negative quantity',
      (id: string) => order([{ productId: id, quantity: -1 }]),
      'body.items.0.quantity',
    ],
    [
      'fractional quantity',
      (id: string) => order([{ productId: id, quantity: 1.5 }]),
      'body.items.0.quantity',
    ],
    [
      'huge quantity',
      (id: string) => order([{ productId: id, quantity: 1e12 }]),
      'body.items.0.quantity',
    ],
    [
      'quantity as string',
      (id: string) => order([{ productId: id, quantity: '1' }]),
      'body.items.0.quantity',
    ],
    ['empty items', () => order([]), 'body.items'],
    ['items not an array', () => ({ items: 'abc', shippingAddress: address }), 'body.items'],
    [
      'client-sent price',
      (id: string) => order([{ productId: id, quantity: 1, price: 1 }]),
      'body.items.0.price',
    ],
    [
      'client-sent total',
      (id: string) => order([{ productId: id, quantity: 1 }], { total: 1 }),
      'body.total',
    ],
    [
      'client-sent status',
      (id: string) => order([{ productId: id, quantity: 1 }], { status: 'paid' }),
      'body.status',
    ],
    [
      'missing address',
      (id: string) => ({ items: [{ productId: id, quantity: 1 }] }),
      'body.shippingAddress',
    ],
    [
      'missing city',
      (id: string) => ({
        items: [{ productId: id, quantity: 1 }],
        shippingAddress: { ...address, city: undefined },
      }),
      'body.shippingAddress.city',
    ],
    [
      'blank name',
      (id: string) => ({
        items: [{ productId: id, quantity: 1 }],
        shippingAddress: { ...address, name: '   ' },
      }),
      'body.shippingAddress.name',
    ],
    [
      'bad country',
      (id: string) => ({
        items: [{ productId: id, quantity: 1 }],
        shippingAddress: { ...address, country: 'Britain' },
      }),
      'body.shippingAddress.country',
    ],
    [
      'over-long line1',
      (id: string) => ({
        items: [{ productId: id, quantity: 1 }],
        shippingAddress: { ...address, line1: 'x'.repeat(201) },
      }),
      'body.shippingAddress.line1',
    ],
    [
      'over-long promo code',
      (id: string) => order([{ productId: id, quantity: 1 }], { promoCode: 'x'.repeat(65) }),
      'body.promoCode',
    ],
    [
      'over-long product id',
      () => order([{ productId: 'x'.repeat(65), quantity: 1 }]),
      'body.items.0.productId',
    ],
    [
      'too many lines',
      (id: string) => order(Array.from({ length: 101 }, () => ({ productId: id, quantity: 1 }))),
      'body.items',
    ],
  ])('rejects %s with VALIDATION_FAILED', async (_name, build, path) => {
    const p = await createProduct(t, { stock: 5 });
    const before = await t.http.get('/api/v1/orders?pageSize=1', { token: customer.token });
    const res = await t.http.post('/api/v1/orders', build(p.id), { token: customer.token });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(await stockOf(p.id)).toBe(5);
    const after = await t.http.get('/api/v1/orders?pageSize=1', { token: customer.token });
    expect(after.body.total).toBe(before.body.total);
  });

  it('rejects malformed JSON, and an order with neither a session nor a guest’s email, without placing anything', async () => {
    const raw = await t.http.post('/api/v1/orders', undefined, {
      token: customer.token,
      raw: '{"items": [',
    });
    expect(raw.status).toBe(400);
    expect(raw.body.code).toBe('VALIDATION_FAILED');
    // Without a session it is a guest's order (test/guest-checkout.test.ts), which needs an email.
    const anonymous = await t.http.post('/api/v1/orders', order([{ productId: 'x', quantity: 1 }]));
    expect([anonymous.status, anonymous.body.errors]).toEqual([
      400,
      [expect.objectContaining({ path: 'body.email' })],
    ]);
  });
});

describe('reading and cancelling', () => {
  it("hides another customer's order with 404 for read and cancel, and from their list", async () => {
    const p = await createProduct(t, { stock: 5 });
    const placed = await t.http.post('/api/v1/orders', order([{ productId: p.id, quantity: 1 }]), {
      token: customer.token,
    });
    const other = await createUser(t);
    const read = await t.http.get(`/api/v1/orders/${placed.body.id}`, { token: other.token });
    expect(read.status).toBe(404);
    expect(read.body.code).toBe('NOT_FOUND');
    const cancel = await t.http.post(`/api/v1/orders/${placed.body.id}/cancel`, undefined, {
      token: other.token,
    });
    expect(cancel.status).toBe(404);
    const list = await t.http.get('/api/v1/orders', { token: other.token });
    expect(list.body.items).toEqual([]);
    expect(list.body.total).toBe(0);
    expect(await stockOf(p.id)).toBe(4);
  });

  it('lists own orders newest first with a status filter', async () => {
    const buyer = await createUser(t);
    const p = await createProduct(t, { stock: 5 });
    const first = await t.http.post('/api/v1/orders', order([{ productId: p.id, quantity: 1 }]), {
      token: buyer.token,
    });
    const second = await t.http.post('/api/v1/orders', order([{ productId: p.id, quantity: 1 }]), {
      token: buyer.token,
    });
    await t.http.post(`/api/v1/orders/${first.body.id}/cancel`, {}, { token: buyer.token });
    const all = await t.http.get('/api/v1/orders', { token: buyer.token });
    expect(all.body.items.map((o: { id: string }) => o.id)).toEqual([
      second.body.id,
      first.body.id,
    ]);
    const cancelled = await t.http.get('/api/v1/orders?status=cancelled', { token: buyer.token });
    expect(cancelled.body.items.map((o: { id: string }) => o.id)).toEqual([first.body.id]);
    const bad = await t.http.get('/api/v1/orders?status=lost', { token: buyer.token });
    expect(bad.status).toBe(400);
  });

  it('cancels a pending order, returns its stock and records the history', async () => {
    const p = await createProduct(t, { stock: 5 });
    const placed = await t.http.post('/api/v1/orders', order([{ productId: p.id, quantity: 3 }]), {
      token: customer.token,
    });
    expect(await stockOf(p.id)).toBe(2);
    const res = await t.http.post(
      `/api/v1/orders/${placed.body.id}/cancel`,
      { reason: 'changed my mind' },
      { token: customer.token },
    );
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('cancelled');
    expect(res.body.history.at(-1)).toMatchObject({
      from: 'pending_payment',
      to: 'cancelled',
      reason: 'changed my mind',
      actorId: customer.user.id,
    });
    expect(await stockOf(p.id)).toBe(5);
    expect(await sumMovements(t.ctx.db, p.id)).toBe(5);
    const again = await t.http.post(`/api/v1/orders/${placed.body.id}/cancel`, undefined, {
      token: customer.token,
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('INVALID_TRANSITION');
    expect(await stockOf(p.id)).toBe(5);
  });
});

describe('staff views', () => {
  it('staff list and read every order with filters; customers cannot', async () => {
    const staff = await createUser(t, { role: 'staff' });
    const buyer = await createUser(t, { email: `filter-${Date.now()}@shop.test` });
    const p = await createProduct(t, { stock: 5 });
    const placed = await t.http.post('/api/v1/orders', order([{ productId: p.id, quantity: 1 }]), {
      token: buyer.token,
    });

    const byEmail = await t.http.get(
      `/api/v1/admin/orders?email=${encodeURIComponent(buyer.email.toUpperCase())}`,
      { token: staff.token },
    );
    expect(byEmail.status).toBe(200);
    expect(byEmail.body.items.map((o: { id: string }) => o.id)).toEqual([placed.body.id]);

    const from = new Date(Date.now() - 60_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const inWindow = await t.http.get(
      `/api/v1/admin/orders?status=pending_payment&from=${from}&to=${to}&pageSize=100`,
      { token: staff.token },
    );
    expect(inWindow.body.items.some((o: { id: string }) => o.id === placed.body.id)).toBe(true);
    const past = await t.http.get(`/api/v1/admin/orders?to=${from}`, { token: staff.token });
    expect(past.body.items.some((o: { id: string }) => o.id === placed.body.id)).toBe(false);

    const one = await t.http.get(`/api/v1/admin/orders/${placed.body.id}`, { token: staff.token });
    expect(one.body.id).toBe(placed.body.id);
    expect((await t.http.get('/api/v1/admin/orders', { token: buyer.token })).status).toBe(403);

    const cancel = await t.http.post(
      `/api/v1/admin/orders/${placed.body.id}/cancel`,
      { reason: 'fraud check' },
      { token: staff.token },
    );
    expect(cancel.status).toBe(200);
    expect(cancel.body.history.at(-1)).toMatchObject({ actorRole: 'staff', reason: 'fraud check' });
  });

  it('finds an order by its number, with or without #, and refuses what is not a number', async () => {
    const staff = await createUser(t, { role: 'staff' });
    const buyer = await createUser(t);
    const p = await createProduct(t, { stock: 5 });
    const place = () =>
      t.http.post('/api/v1/orders', order([{ productId: p.id, quantity: 1 }]), {
        token: buyer.token,
      });
    const [first, second] = [await place(), await place()];
    expect([first.status, second.status]).toEqual([201, 201]);
    const byNumber = (number: string) =>
      t.http.get(`/api/v1/admin/orders?number=${encodeURIComponent(number)}`, {
        token: staff.token,
      });

    for (const query of [second.body.number, `#${second.body.number}`, ` ${second.body.number} `]) {
      const found = await byNumber(query);
      expect(found.status).toBe(200);
      expect([found.body.total, found.body.items.map((o: { id: string }) => o.id)]).toEqual([
        1,
        [second.body.id],
      ]);
    }
    const none = await byNumber('999999999');
    expect([none.status, none.body.total]).toEqual([200, 0]);
    for (const bad of ['10a', '', '1.5', 'x'.repeat(3)]) {
      const refused = await byNumber(bad);
      expect([bad, refused.status, refused.body.code]).toEqual([bad, 400, 'VALIDATION_FAILED']);
    }
  });
});

describe("an order's confirmation job", () => {
  const jobColumns = sql`name, state, priority, data, retry_limit, retry_delay, retry_backoff,
    expire_in::text as expire_in, policy, dead_letter, (keep_until - start_after)::text as kept,
    start_after <= now() as due`;

  it('is written with the order, as the job pg-boss would enqueue for it, once', async () => {
    const product = await createProduct(t, { price: 500, stock: 10 });
    // Two orders of one product: each writes its own job.
    for (let i = 0; i < 2; i++) {
      const res = await t.http.post(
        '/api/v1/orders',
        order([{ productId: product.id, quantity: 1 }]),
        {
          token: customer.token,
        },
      );
      expect(res.status).toBe(201);
      const written = await queryRows<Record<string, unknown>>(
        t.ctx.db,
        sql`select ${jobColumns} from pgboss.job where data->>'orderId' = ${res.body.id}`,
      );
      expect(written).toHaveLength(1);

      const sentId = await t.ctx.jobs.enqueue(t.ctx.db, 'order-confirmation-email', {
        orderId: res.body.id,
      });
      const [sent] = await queryRows<Record<string, unknown>>(
        t.ctx.db,
        sql`select ${jobColumns} from pgboss.job where id = ${sentId}::uuid`,
      );
      await queryRows(t.ctx.db, sql`delete from pgboss.job where id = ${sentId}::uuid`);
      expect(written[0]).toEqual(sent);
      expect(written[0]).toMatchObject({ state: 'created', due: true, retry_backoff: true });
    }
  });

  it('is not written when the order is refused', async () => {
    const product = await createProduct(t, { price: 500, stock: 1 });
    const first = await t.http.post(
      '/api/v1/orders',
      order([{ productId: product.id, quantity: 1 }]),
      {
        token: customer.token,
      },
    );
    expect(first.status).toBe(201);
    const [before] = await queryRows<{ n: number }>(
      t.ctx.db,
      sql`select count(*)::int as n from pgboss.job where name = 'order-confirmation-email'`,
    );
    // Placed in one statement from what the first order saw, and short of stock.
    const refused = await t.http.post(
      '/api/v1/orders',
      order([{ productId: product.id, quantity: 1 }]),
      { token: customer.token },
    );
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('OUT_OF_STOCK');
    const [after] = await queryRows<{ n: number }>(
      t.ctx.db,
      sql`select count(*)::int as n from pgboss.job where name = 'order-confirmation-email'`,
    );
    expect(after!.n).toBe(before!.n);
    expect(await stockOf(product.id)).toBe(0);
  });
});

describe('round trips', () => {
  it('places an order without a promo code, hoarding limits or Idempotency-Key in one statement, outside a transaction', async () => {
    const product = await createProduct(t, { price: 700, stock: 5 });
    const other = await createProduct(t, { price: 300, stock: 5 });
    const actor = {
      userId: customer.user.id,
      role: 'customer' as const,
      sessionId: 'test',
      email: customer.email,
    };
    const calls = await driverCalls(t.ctx.database, () =>
      placeOrder(t.ctx, actor, {
        items: [
          { productId: product.id, quantity: 2 },
          { productId: other.id, quantity: 1 },
        ],
        shippingAddress: address,
      }),
    );
    expect(calls.transactions).toBe(0);
    expect(calls.statements).toHaveLength(1);
    expect(calls.statements[0]).toMatch(/insert into "orders"/);
  });
});
