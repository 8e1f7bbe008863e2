import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findProduct } from '../../../src/modules/catalog/product.repository.js';
import { orders } from '../../../src/modules/orders/order.table.js';
import { payments } from '../../../src/modules/payments/payment.table.js';
import { createProduct, createUser, type TestUser } from '../../helpers/factories.js';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import {
  countChecks,
  hasPathId,
  isAdmin,
  needsUser,
  openApi,
  openedByOrderToken,
  operationsOf,
  pathWith,
  shippingAddress,
  type Json,
  type Operation,
} from './owasp.js';

countChecks('API1:2023 Broken Object Level Authorization');

/**
 * A valid body for each customer operation on an object that takes one: what the owner would
 * send. A new operation with a body fails the coverage check below until it has one here.
 */
const BODIES: Record<string, unknown> = {
  'POST /api/v1/orders/{id}/cancel': { reason: 'not mine to cancel' },
  'POST /api/v1/orders/{id}/payments': { paymentMethod: 'pm_card_visa' },
  'PATCH /api/v1/me/addresses/{id}': { city: 'Not mine to move', isDefault: true },
};

let t: TestApp;
let doc: Json;
let owner: TestUser;
let other: TestUser;
/** The owner's objects, by the path segment that names them (`resourceOf`). */
let objects: { unpaid: Record<string, string>; paid: Record<string, string> };
/** The owner's saved address, which every attack below tries too. */
let addressId: string;
let productId: string;

beforeAll(async () => {
  t = await buildTestApp({}, { gateway: true });
  doc = await openApi(t);
  [owner, other] = await Promise.all([createUser(t), createUser(t)]);
  const product = await createProduct(t, { stock: 10, price: 1500 });
  productId = product.id;
  const place = async () => {
    const res = await t.http.post(
      '/api/v1/orders',
      { items: [{ productId, quantity: 1 }], shippingAddress },
      { token: owner.token },
    );
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const [unpaid, paid] = [await place(), await place()];
  const pay = await t.http.post(
    `/api/v1/orders/${paid}/payments`,
    { paymentMethod: 'pm_card_visa' },
    { token: owner.token },
  );
  expect(pay.status).toBe(201);
  const address = await t.http.post('/api/v1/me/addresses', shippingAddress, {
    token: owner.token,
  });
  expect(address.status).toBe(201);
  addressId = address.body.id;
  objects = {
    unpaid: { orders: unpaid, addresses: addressId },
    paid: { orders: paid, addresses: addressId },
  };
});
afterAll(() => t.close());

/** Customer operations on one object: behind a user's token, outside the back office, with an id. */
const customerObjectOperations = () =>
  operationsOf(doc).filter((o) => needsUser(o) && !isAdmin(o) && hasPathId(o));

/** What the owner can see of an order (its state, its history and its payments) and their address. */
async function ownerView(orderId: string) {
  const [order, pays, address] = await Promise.all([
    t.http.get(`/api/v1/orders/${orderId}`, { token: owner.token }),
    t.http.get(`/api/v1/orders/${orderId}/payments`, { token: owner.token }),
    t.http.get(`/api/v1/me/addresses/${addressId}`, { token: owner.token }),
  ]);
  expect(order.status).toBe(200);
  expect(pays.status).toBe(200);
  expect(address.status).toBe(200);
  const rows = await t.ctx.db.select().from(payments).where(eq(payments.orderId, orderId));
  return {
    order: order.body,
    payments: pays.body,
    paymentRows: rows.length,
    address: address.body,
  };
}

/** What a path's `{id}` names: `orders` in /api/v1/orders/{id}, `addresses` in /api/v1/me/addresses/{id}. */
const resourceOf = (path: string) => path.replace(/^\/api\/v1\/(me\/)?/, '').split('/')[0]!;

function attack(o: Operation, ids: Record<string, string>, token: string) {
  const path = pathWith(o.path, (param) => {
    // `/api/v1/<resource>/{id}`: the object is the owner's object of that resource.
    const resource = resourceOf(o.path);
    const id = param === 'id' ? ids[resource] : undefined;
    expect([o.id, param, id]).toEqual([o.id, param, expect.any(String)]);
    return id!;
  });
  const body = o.op.requestBody ? BODIES[o.id] : undefined;
  return t.http.request(o.method, path, body, { token });
}

describe('API1:2023 Broken Object Level Authorization', () => {
  it('the document’s customer operations on an object are the ones this file attacks', () => {
    const ops = customerObjectOperations().map((o) => o.id);
    // The orders and payments an owner reaches by id, at least; any new one joins automatically.
    expect(ops).toEqual(
      expect.arrayContaining([
        'GET /api/v1/orders/{id}',
        'POST /api/v1/orders/{id}/cancel',
        'GET /api/v1/orders/{id}/payments',
        'POST /api/v1/orders/{id}/payments',
        'POST /api/v1/orders/{id}/checkout-session',
        'GET /api/v1/me/addresses/{id}',
        'PATCH /api/v1/me/addresses/{id}',
        'DELETE /api/v1/me/addresses/{id}',
      ]),
    );
    for (const o of customerObjectOperations().filter((o) => o.op.requestBody)) {
      expect([o.id, BODIES[o.id]]).toEqual([o.id, expect.anything()]);
    }
  });

  it.each(['unpaid', 'paid'] as const)(
    'another customer gets 404 NOT_FOUND on every one of them for an %s order, and changes nothing',
    async (which) => {
      const ids = objects[which];
      const before = await ownerView(ids.orders!);
      const stockBefore = (await findProduct(t.ctx.db, productId))!.stock;
      const checked = new Set<string>();
      for (const o of customerObjectOperations()) {
        const res = await attack(o, ids, other.token);
        // Not 403: a 403 would tell the caller the object exists.
        expect([o.id, res.status, res.body.code]).toEqual([o.id, 404, 'NOT_FOUND']);
        expect([o.id, JSON.stringify(res.body)]).not.toEqual([
          o.id,
          expect.stringContaining(owner.email),
        ]);
        checked.add(o.id);
      }
      expect([...checked].sort()).toEqual(
        customerObjectOperations()
          .map((o) => o.id)
          .sort(),
      );
      // Nothing the owner sees moved: no cancellation, no payment, no history entry, no stock.
      expect(await ownerView(ids.orders!)).toEqual(before);
      expect((await findProduct(t.ctx.db, productId))!.stock).toBe(stockBefore);
    },
  );

  it('the same operations work for the owner, so the 404s above are about ownership', async () => {
    // Read-only operations only, and the cancel last: they must not spoil the cases above.
    for (const o of customerObjectOperations().filter((o) => o.method === 'GET')) {
      const res = await attack(o, objects.paid, owner.token);
      expect([o.id, res.status]).toEqual([o.id, 200]);
    }
    const cancel = await t.http.post(
      `/api/v1/orders/${objects.unpaid.orders}/cancel`,
      {},
      { token: owner.token },
    );
    expect(cancel.status).toBe(200);
  });

  it('a guest order’s token opens that order alone: 404 NOT_FOUND with another order’s token, a forged one or none, on every operation a token opens', async () => {
    let n = 0;
    const guestOrder = async () => {
      const res = await t.http.post('/api/v1/orders', {
        items: [{ productId, quantity: 1 }],
        shippingAddress,
        email: `bola-guest-${Date.now()}-${++n}@example.test`,
      });
      expect(res.status).toBe(201);
      return res.body as { id: string; guestToken: string; email: string };
    };
    const [victim, attacker] = [await guestOrder(), await guestOrder()];
    const ops = customerObjectOperations().filter(openedByOrderToken);
    expect(ops.map((o) => o.id).sort()).toEqual([
      'GET /api/v1/orders/{id}',
      'GET /api/v1/orders/{id}/payments',
      'POST /api/v1/orders/{id}/cancel',
      'POST /api/v1/orders/{id}/checkout-session',
      'POST /api/v1/orders/{id}/payments',
    ]);
    const stockBefore = (await findProduct(t.ctx.db, productId))!.stock;
    for (const o of ops) {
      for (const [what, headers] of [
        ['another order’s token', { 'x-order-token': attacker.guestToken }],
        ['a forged token', { 'x-order-token': `ogt_${'x'.repeat(43)}` }],
        ['no token', {}],
      ] as const) {
        const path = pathWith(o.path, () => victim.id);
        const body = o.op.requestBody ? BODIES[o.id] : undefined;
        const res = await t.http.request(o.method, path, body, { headers });
        expect([o.id, what, res.status, res.body.code]).toEqual([o.id, what, 404, 'NOT_FOUND']);
        expect([o.id, JSON.stringify(res.body)]).not.toEqual([
          o.id,
          expect.stringContaining(victim.email),
        ]);
      }
    }
    expect((await findProduct(t.ctx.db, productId))!.stock).toBe(stockBefore);
    // Its own token opens it: the 404s above are about the token.
    for (const o of ops.filter((o) => o.method === 'GET')) {
      const res = await t.http.get(
        pathWith(o.path, () => victim.id),
        {
          headers: { 'x-order-token': victim.guestToken },
        },
      );
      expect([o.id, res.status]).toEqual([o.id, 200]);
    }
  });

  it('an unknown id and another customer’s id answer alike (no existence oracle)', async () => {
    const mine = await t.http.get(`/api/v1/orders/${objects.paid.orders}`, { token: other.token });
    const none = await t.http.get('/api/v1/orders/ord_00000000000000000000000000', {
      token: other.token,
    });
    expect(mine.status).toBe(none.status);
    expect(mine.body.code).toBe(none.body.code);
    expect(mine.body.title).toBe(none.body.title);
  });

  it('lists hold only the caller’s own objects, whatever the query', async () => {
    const seen = new Set<string>();
    for (const query of ['', '?status=paid', '?status=pending_payment', '?pageSize=100']) {
      const res = await t.http.get(`/api/v1/orders${query}`, { token: other.token });
      expect(res.status).toBe(200);
      for (const item of res.body.items as { id: string }[]) seen.add(item.id);
      expect(res.body.total).toBe(0);
    }
    expect(seen.size).toBe(0);
    // The address book lists only one's own addresses.
    const book = await t.http.get('/api/v1/me/addresses?pageSize=100', { token: other.token });
    expect([book.status, book.body.total]).toEqual([200, 0]);
    // A filter naming another account is not a filter a customer has: refused, not obeyed.
    const byUser = await t.http.get(`/api/v1/orders?userId=${owner.user.id}`, {
      token: other.token,
    });
    expect(byUser.status).toBe(400);
    const mine = await t.http.get('/api/v1/orders', { token: owner.token });
    expect(mine.body.total).toBe(2);
    // The owner's orders are still theirs in the database.
    const rows = await t.ctx.db.select().from(orders).where(eq(orders.userId, owner.user.id));
    expect(rows).toHaveLength(2);
  });
});
