import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireOverdueOrders } from '../src/modules/orders/expire-orders.js';
import { createProduct, createUser, type TestUser } from './helpers/factories.js';
import { buildTestApp, type HttpResponse, type TestApp } from './helpers/test-app.js';
import { freePort } from './helpers/wait.js';

// Every order the API answers carries `allowedActions` for the caller. For each state an order
// reaches, and for its customer, staff and an admin, this file checks the exact list, then
// takes every listed action at once (it succeeds) and every other one (it is refused and
// changes nothing).

type Action = 'pay' | 'ship' | 'deliver' | 'cancel' | 'refund';
type Role = 'customer' | 'staff' | 'admin';
const actions: Action[] = ['pay', 'ship', 'deliver', 'cancel', 'refund'];
const roles: Role[] = ['customer', 'staff', 'admin'];

const shippingAddress = {
  name: 'Ada Actions',
  line1: '1 Button Row',
  city: 'Leeds',
  postalCode: 'LS1 1AA',
  country: 'GB',
};

/** What each role may do with an order in each state; staff and admins alike. */
const both = (staff: Action[]) => ({ staff, admin: staff });
const expected = {
  pending_payment: { customer: ['pay', 'cancel'], ...both(['cancel']) },
  'pending_payment, a payment processing': { customer: ['cancel'], ...both(['cancel']) },
  'pending_payment, past its deadline': { customer: ['cancel'], ...both(['cancel']) },
  paid: { customer: [], ...both(['ship', 'cancel', 'refund']) },
  'paid, partially refunded': { customer: [], ...both(['ship', 'cancel', 'refund']) },
  'paid, refunded': { customer: [], ...both(['ship', 'cancel']) },
  shipped: { customer: [], ...both(['deliver', 'refund']) },
  'shipped, refunded': { customer: [], ...both(['deliver']) },
  delivered: { customer: [], ...both(['refund']) },
  'delivered, partially refunded': { customer: [], ...both(['refund']) },
  'cancelled unpaid': { customer: [], ...both([]) },
  'cancelled paid (refunded)': { customer: [], ...both([]) },
  expired: { customer: [], ...both([]) },
} satisfies Record<string, Record<Role, Action[]>>;
type State = keyof typeof expected;
const states = Object.keys(expected) as State[];

let t: TestApp;
let staff: TestUser;
let admin: TestUser;

beforeAll(async () => {
  // Webhooks go nowhere and no worker runs, so a processing payment stays processing until the
  // test is done with it: every state here is reached through the API's own answers.
  const nowhere = `http://127.0.0.1:${await freePort()}/nowhere`;
  // Tokens outlive the clock's jumps past an order's deadline.
  t = await buildTestApp(
    { ORDER_PAYMENT_TTL: '10m', ACCESS_TOKEN_TTL: '2h' },
    { gateway: true, webhookUrl: nowhere },
  );
  [staff, admin] = await Promise.all([
    createUser(t, { role: 'staff' }),
    createUser(t, { role: 'admin' }),
  ]);
});
afterAll(() => t.close());

interface Placed {
  id: string;
  customer: TestUser;
  /** Moves the clock back when the state moved it forward. */
  restore: () => void;
}

/** A setup step that must succeed: a failure says which step and why. */
const ok = (res: HttpResponse, what: string) => {
  if (res.status >= 300) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res;
};

const asStaff = (path: string, body?: unknown) =>
  t.http.post(`/api/v1/admin/orders/${path}`, body, { token: staff.token });
const pay = (id: string, who: TestUser, method = 'pm_card_visa') =>
  t.http.post(`/api/v1/orders/${id}/payments`, { paymentMethod: method }, { token: who.token });

/** A new order (its own customer and product) brought to `state` through the API. */
async function orderIn(state: State): Promise<Placed> {
  const customer = await createUser(t);
  const product = await createProduct(t, { price: 2500, stock: 5 });
  const placed = ok(
    await t.http.post(
      '/api/v1/orders',
      { items: [{ productId: product.id, quantity: 1 }], shippingAddress },
      { token: customer.token },
    ),
    'place',
  );
  const id = placed.body.id as string;
  // The placement's own answer is the customer's view of a new order.
  expect(placed.body.allowedActions).toEqual(['pay', 'cancel']);
  let restore = () => {};
  const paid = async () => ok(await pay(id, customer), 'pay');
  const refund = async (amount?: number) =>
    ok(await asStaff(`${id}/refund`, amount ? { amount } : {}), 'refund');
  const ship = async () => ok(await asStaff(`${id}/ship`, { carrier: 'DHL' }), 'ship');
  const deliver = async () => ok(await asStaff(`${id}/deliver`), 'deliver');
  const ahead = () => {
    t.clock.advance(11 * 60_000);
    restore = () => t.clock.advance(-11 * 60_000);
  };
  switch (state) {
    case 'pending_payment':
      break;
    case 'pending_payment, a payment processing':
      expect((await pay(id, customer, 'pm_card_processing')).body.status).toBe('processing');
      break;
    case 'pending_payment, past its deadline':
      ahead();
      break;
    case 'paid':
      await paid();
      break;
    case 'paid, partially refunded':
      await paid();
      await refund(500);
      break;
    case 'paid, refunded':
      await paid();
      await refund();
      break;
    case 'shipped':
      await paid();
      await ship();
      break;
    case 'shipped, refunded':
      await paid();
      await ship();
      await refund();
      break;
    case 'delivered':
      await paid();
      await ship();
      await deliver();
      break;
    case 'delivered, partially refunded':
      await paid();
      await ship();
      await deliver();
      await refund(500);
      break;
    case 'cancelled unpaid':
      ok(await asStaff(`${id}/cancel`), 'cancel');
      break;
    case 'cancelled paid (refunded)':
      await paid();
      ok(await asStaff(`${id}/cancel`), 'cancel');
      break;
    case 'expired':
      ahead();
      await expireOverdueOrders(t.ctx);
      break;
  }
  return { id, customer, restore };
}

const tokenOf = (role: Role, order: Placed) =>
  role === 'customer' ? order.customer.token : role === 'staff' ? staff.token : admin.token;

/** The order as `role` reads it: the customer's route, or the back office's. */
const read = (role: Role, order: Placed) =>
  t.http.get(`/api/v1/${role === 'customer' ? '' : 'admin/'}orders/${order.id}`, {
    token: tokenOf(role, order),
  });

/** `action` on the order, by `role`, through the route a client of that role would call. */
function take(action: Action, role: Role, order: Placed): Promise<HttpResponse> {
  const who = { token: tokenOf(role, order) };
  const path = (tail: string) =>
    t.http.post(
      `/api/v1/${role === 'customer' ? '' : 'admin/'}orders/${order.id}/${tail}`,
      undefined,
      who,
    );
  switch (action) {
    case 'pay':
      return t.http.post(
        `/api/v1/orders/${order.id}/payments`,
        { paymentMethod: 'pm_card_visa' },
        who,
      );
    case 'cancel':
      return path('cancel');
    case 'ship':
    case 'deliver':
    case 'refund':
      // There is no customer route for these: a customer calls the back office's, and the
      // guard refuses it.
      return t.http.post(`/api/v1/admin/orders/${order.id}/${action}`, undefined, who);
  }
}

/** Why `action` is refused to `role` on an order in `state` (it is not listed). */
function refusal(action: Action, role: Role, state: State): { status: number; code: string } {
  if (role === 'customer' && action !== 'pay' && action !== 'cancel') {
    return { status: 403, code: 'FORBIDDEN' };
  }
  if (role !== 'customer' && action === 'pay') return { status: 403, code: 'FORBIDDEN' };
  if (action === 'pay' && state === 'pending_payment, a payment processing') {
    return { status: 409, code: 'PAYMENT_IN_PROGRESS' };
  }
  return { status: 409, code: 'INVALID_TRANSITION' };
}

/** What a refused action must leave as it was. */
async function snapshot(order: Placed) {
  const [view, payments] = await Promise.all([
    read('staff', order),
    t.http.get(`/api/v1/orders/${order.id}/payments`, { token: staff.token }),
  ]);
  return { order: view.body, payments: payments.body };
}

describe('allowedActions', () => {
  it.each(states)(
    '%s: the exact list for its customer, staff and an admin, in every answer',
    async (state) => {
      const order = await orderIn(state);
      try {
        for (const role of roles) {
          const want = expected[state][role];
          const detail = await read(role, order);
          expect([role, detail.status, detail.body.allowedActions]).toEqual([role, 200, want]);
          // The lists carry the same, for the same caller.
          const list =
            role === 'customer'
              ? await t.http.get('/api/v1/orders', { token: order.customer.token })
              : await t.http.get(
                  `/api/v1/admin/orders?email=${encodeURIComponent(order.customer.email)}`,
                  { token: tokenOf(role, order) },
                );
          const listed = (list.body.items as { id: string; allowedActions: Action[] }[]).find(
            (o) => o.id === order.id,
          );
          expect([role, listed?.allowedActions]).toEqual([role, want]);
        }
        // Another customer does not see the order at all.
        const stranger = await createUser(t);
        const hidden = await t.http.get(`/api/v1/orders/${order.id}`, { token: stranger.token });
        expect([hidden.status, hidden.body.code]).toEqual([404, 'NOT_FOUND']);
      } finally {
        order.restore();
      }
    },
  );

  const listed = states.flatMap((state) =>
    roles.flatMap((role) =>
      (expected[state][role] as Action[]).map((action) => [state, role, action] as const),
    ),
  );

  it.each(listed)(
    '%s: the %s may %s it, and doing so at once succeeds',
    async (state, role, action) => {
      const order = await orderIn(state);
      try {
        const before = await read(role, order);
        expect(before.body.allowedActions).toContain(action);
        const res = await take(action, role, order);
        expect([res.status, res.body.code]).toEqual([action === 'pay' ? 201 : 200, undefined]);
        if (action === 'pay') expect(res.body.status).toBe('succeeded');
        else {
          // An action that answers with the order answers it as the caller now sees it.
          expect(res.body.allowedActions).toEqual((await read(role, order)).body.allowedActions);
        }
      } finally {
        order.restore();
      }
    },
  );

  it.each(states)('%s: every action not listed is refused, and changes nothing', async (state) => {
    const order = await orderIn(state);
    try {
      const before = await snapshot(order);
      let refused = 0;
      for (const role of roles) {
        for (const action of actions) {
          if ((expected[state][role] as Action[]).includes(action)) continue;
          const res = await take(action, role, order);
          const why = refusal(action, role, state);
          expect([role, action, res.status, res.body.code]).toEqual([
            role,
            action,
            why.status,
            why.code,
          ]);
          expect(await snapshot(order)).toEqual(before);
          refused++;
        }
      }
      expect(refused).toBeGreaterThan(0);
    } finally {
      order.restore();
    }
  });

  it('lists pay for a staff member on their own unpaid order, and only there', async () => {
    const product = await createProduct(t, { price: 1200, stock: 2 });
    const placed = await t.http.post(
      '/api/v1/orders',
      { items: [{ productId: product.id, quantity: 1 }], shippingAddress },
      { token: staff.token },
    );
    expect(placed.body.allowedActions).toEqual(['pay', 'cancel']);
    const other = await t.http.get(`/api/v1/admin/orders/${placed.body.id}`, {
      token: admin.token,
    });
    expect(other.body.allowedActions).toEqual(['cancel']);
    const paid = await pay(placed.body.id, staff);
    expect(paid.status).toBe(201);
  });
});
