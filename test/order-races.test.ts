import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findProduct, sumMovements } from '../src/modules/catalog/product.repository.js';
import { stockMovements } from '../src/modules/catalog/product.table.js';
import { eq, sql } from 'drizzle-orm';
import { fingerprint } from '../src/shared/idempotency.js';
import { createProduct, createUser, type TestUser } from './helpers/factories.js';
import { buildTestApp, type TestApp } from './helpers/test-app.js';

// These races run over real HTTP against the database of this run: PGlite by default,
// PostgreSQL when DATABASE_URL is set (CI runs both).
let t: TestApp;
let customers: TestUser[];
beforeAll(async () => {
  t = await buildTestApp();
  customers = await Promise.all(Array.from({ length: 10 }, () => createUser(t)));
});
afterAll(() => t.close());

const shippingAddress = {
  name: 'R. Acer',
  line1: '1 Fast Lane',
  city: 'Leeds',
  postalCode: 'LS1 1AA',
  country: 'GB',
};

const statusCounts = (statuses: number[]) =>
  statuses.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});

describe('races', () => {
  it('does not oversell: 200 concurrent single-unit orders for 20 units → exactly 20 succeed', async () => {
    const product = await createProduct(t, { stock: 20 });
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        t.http.post(
          '/api/v1/orders',
          { items: [{ productId: product.id, quantity: 1 }], shippingAddress },
          { token: customers[i % customers.length]!.token },
        ),
      ),
    );
    expect(statusCounts(results.map((r) => r.status))).toEqual({ 201: 20, 409: 180 });
    for (const r of results.filter((r) => r.status === 409)) {
      expect(r.body.code).toBe('OUT_OF_STOCK');
      expect(r.body.details).toEqual([
        { productId: product.id, variantId: product.variants[0]!.id, requested: 1, available: 0 },
      ]);
    }
    expect((await findProduct(t.ctx.db, product.id))!.stock).toBe(0);
    expect(await sumMovements(t.ctx.db, product.id)).toBe(0);
  });

  it('never deadlocks: 100 concurrent two-product orders naming the products in opposite orders all succeed', async () => {
    const a = await createProduct(t, { stock: 100 });
    const b = await createProduct(t, { stock: 100 });
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => {
        const items =
          i % 2 === 0
            ? [
                { productId: a.id, quantity: 1 },
                { productId: b.id, quantity: 1 },
              ]
            : [
                { productId: b.id, quantity: 1 },
                { productId: a.id, quantity: 1 },
              ];
        return t.http.post(
          '/api/v1/orders',
          { items, shippingAddress },
          { token: customers[i % customers.length]!.token },
        );
      }),
    );
    expect(statusCounts(results.map((r) => r.status))).toEqual({ 201: 100 });
    for (const p of [a, b]) {
      expect((await findProduct(t.ctx.db, p.id))!.stock).toBe(0);
      expect(await sumMovements(t.ctx.db, p.id)).toBe(0);
    }
  });

  it('places one order for 10 concurrent requests with one Idempotency-Key', async () => {
    const product = await createProduct(t, { stock: 50 });
    const buyer = customers[0]!;
    const body = { items: [{ productId: product.id, quantity: 2 }], shippingAddress };
    const headers = { 'idempotency-key': `race-${product.id}` };
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        t.http.post('/api/v1/orders', body, { token: buyer.token, headers }),
      ),
    );
    const created = results.filter((r) => r.status === 201);
    const inFlight = results.filter((r) => r.status === 409);
    expect(created.length + inFlight.length).toBe(10);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    for (const r of inFlight) expect(r.body.code).toBe('IDEMPOTENCY_KEY_IN_FLIGHT');

    const reservations = await t.ctx.db
      .select()
      .from(stockMovements)
      .where(eq(stockMovements.productId, product.id));
    expect(reservations.filter((m) => m.kind === 'reserve')).toHaveLength(1);
    expect((await findProduct(t.ctx.db, product.id))!.stock).toBe(48);

    // Once finished, a retry replays the stored response.
    const replay = await t.http.post('/api/v1/orders', body, { token: buyer.token, headers });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(created[0]!.body);

    // The same key with another body is refused, and changes nothing.
    const mismatch = await t.http.post(
      '/api/v1/orders',
      { ...body, items: [{ productId: product.id, quantity: 3 }] },
      { token: buyer.token, headers },
    );
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.code).toBe('IDEMPOTENCY_KEY_MISMATCH');
    expect((await findProduct(t.ctx.db, product.id))!.stock).toBe(48);

    // Keys are scoped to the user: another customer's identical key is a new order.
    const other = await t.http.post('/api/v1/orders', body, {
      token: customers[1]!.token,
      headers,
    });
    expect(other.status).toBe(201);
    expect(other.body.id).not.toBe(created[0]!.body.id);
  });

  it('releases the key when the order fails, so a retry with the same key can succeed', async () => {
    const product = await createProduct(t, { stock: 0 });
    const buyer = customers[2]!;
    const body = { items: [{ productId: product.id, quantity: 1 }], shippingAddress };
    const headers = { 'idempotency-key': `retry-${product.id}` };
    const first = await t.http.post('/api/v1/orders', body, { token: buyer.token, headers });
    expect(first.status).toBe(409);
    await t.http.post(
      `/api/v1/admin/products/${product.id}/stock-adjustments`,
      { delta: 1, reason: 'restock' },
      {
        token: (await createUser(t, { role: 'admin' })).token,
      },
    );
    const retry = await t.http.post('/api/v1/orders', body, { token: buyer.token, headers });
    expect(retry.status).toBe(201);
  });

  it('takes over a key whose first request died in flight once its lease has passed', async () => {
    const product = await createProduct(t, { stock: 5 });
    const buyer = customers[4]!;
    const body = { items: [{ productId: product.id, quantity: 1 }], shippingAddress };
    const claim = (key: string, leaseUntil: string) =>
      t.ctx.db
        .execute(sql`insert into idempotency_keys (user_id, scope, key, fingerprint, state, lease_until, expires_at)
        values (${buyer.user.id}, 'POST /api/v1/orders', ${key}, ${fingerprint(body)}, 'in_flight', ${leaseUntil}::timestamptz, now() + interval '1 day')`);
    // A claim still inside its lease: the first request may be running.
    await claim(`live-${product.id}`, new Date(Date.now() + 60_000).toISOString());
    const live = await t.http.post('/api/v1/orders', body, {
      token: buyer.token,
      headers: { 'idempotency-key': `live-${product.id}` },
    });
    expect(live.status).toBe(409);
    expect(live.body.code).toBe('IDEMPOTENCY_KEY_IN_FLIGHT');
    // A claim past its lease: its process died and its transaction rolled back.
    await claim(`dead-${product.id}`, new Date(Date.now() - 1_000).toISOString());
    const retried = await t.http.post('/api/v1/orders', body, {
      token: buyer.token,
      headers: { 'idempotency-key': `dead-${product.id}` },
    });
    expect(retried.status).toBe(201);
    expect((await findProduct(t.ctx.db, product.id))!.stock).toBe(4);
  });

  it('returns stock once when two cancels race', async () => {
    const product = await createProduct(t, { stock: 5 });
    const buyer = customers[3]!;
    const placed = await t.http.post(
      '/api/v1/orders',
      { items: [{ productId: product.id, quantity: 3 }], shippingAddress },
      { token: buyer.token },
    );
    expect(placed.status).toBe(201);
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        t.http.post(`/api/v1/orders/${placed.body.id}/cancel`, undefined, { token: buyer.token }),
      ),
    );
    expect(statusCounts(results.map((r) => r.status))).toEqual({ 200: 1, 409: 4 });
    expect((await findProduct(t.ctx.db, product.id))!.stock).toBe(5);
    expect(await sumMovements(t.ctx.db, product.id)).toBe(5);
    const releases = await t.ctx.db
      .select()
      .from(stockMovements)
      .where(eq(stockMovements.productId, product.id));
    expect(releases.filter((m) => m.kind === 'release')).toHaveLength(1);
  });
  it('prices every order from the product as it was when its stock was taken, while its price changes under load', async () => {
    // An order is priced from the product's row in the statement that locks it and takes its
    // stock. Each price change here also sets the stock, so it leaves an `adjustment` movement
    // in the ledger in its own transaction: the ledger's order is the order in which the row's
    // lock was held.
    const product = await createProduct(t, { price: 1000, stock: 10_000 });
    const buyers = await Promise.all(Array.from({ length: 10 }, () => createUser(t)));
    const admin = await createUser(t, { role: 'admin' });
    const place = (i: number) =>
      t.http.post(
        '/api/v1/orders',
        { items: [{ productId: product.id, quantity: 1 }], shippingAddress },
        { token: buyers[i % buyers.length]!.token },
      );
    expect((await place(0)).status).toBe(201);

    const orders = Array.from({ length: 39 }, (_, i) => place(i + 1));
    for (let price = 1001; price <= 1008; price++) {
      const patched = await t.http.patch(
        `/api/v1/admin/products/${product.id}`,
        // A stock of its own for each price: the adjustment names it (`stock set to …`).
        { price, stock: 10_000 + price },
        { token: admin.token },
      );
      expect(patched.status).toBe(200);
    }
    const placed = await Promise.all(orders);
    expect(placed.map((r) => r.status)).toEqual(placed.map(() => 201));

    const priceOf = new Map<string, number>(
      placed.map((r) => [r.body.id as string, r.body.lines[0].unitPrice as number]),
    );
    const movements = await t.ctx.db
      .select()
      .from(stockMovements)
      .where(eq(stockMovements.productId, product.id))
      .orderBy(stockMovements.seq);
    let current = 1000;
    let adjusted = 0;
    let checked = 0;
    for (const movement of movements) {
      // The product's first stock is an adjustment too, at the first price.
      const set = /^stock set to (\d+)$/.exec(movement.reason ?? '');
      if (movement.kind === 'adjustment' && set) {
        current = Number(set[1]) - 10_000;
        adjusted++;
      }
      if (movement.kind === 'reserve' && priceOf.has(movement.orderId!)) {
        expect([movement.orderId, priceOf.get(movement.orderId!)]).toEqual([
          movement.orderId,
          current,
        ]);
        checked++;
      }
    }
    expect(adjusted).toBe(8);
    expect(checked).toBe(39);
  });
});
