import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../../../src/modules/auth/user.table.js';
import { findProduct } from '../../../src/modules/catalog/product.repository.js';
import { orders } from '../../../src/modules/orders/order.table.js';
import { payments } from '../../../src/modules/payments/payment.table.js';
import { createProduct, createUser, type TestUser } from '../../helpers/factories.js';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import {
  countChecks,
  isAdmin,
  jsonBodyOf,
  keysIn,
  needsUser,
  openApi,
  operationsOf,
  pathWith,
  resolve,
  schemasIn,
  shippingAddress,
  type Json,
  type Operation,
} from './owasp.js';

countChecks('API3:2023 Broken Object Property Level Authorization');

/** Properties a client must never set: who owns it, what it costs, what state it is in, who may. */
const EXTRAS = {
  role: 'admin',
  userId: 'usr_someone_else',
  customerId: 'usr_someone_else',
  priceMinor: 1,
  price: 1,
  total: 0,
  status: 'paid',
  paymentStatus: 'paid',
  emailVerified: true,
  tokenVersion: 0,
  passwordHash: 'x',
  id: 'chosen_id',
  createdAt: '2000-01-01T00:00:00Z',
};

/** Never in an answer, whoever asks. */
const SECRET_KEYS =
  /^(password|passwordHash|hash|tokenHash|tokenVersion|ver|sid|sessionId|familyId|secret|webhookSecret|clientSecret|client_secret|providerPaymentId|resetToken|verificationToken)$/i;
/** Token fields, which only the operations that hand out a session may carry. */
const TOKEN_KEYS = /^(accessToken|refreshToken)$/;
const HANDS_OUT_TOKENS = ['POST /api/v1/auth/login', 'POST /api/v1/auth/refresh'];

let t: TestApp;
let doc: Json;
let customer: TestUser;
let admin: TestUser;
let staff: TestUser;
let ids: Record<string, string>;
beforeAll(async () => {
  t = await buildTestApp({}, { gateway: true });
  doc = await openApi(t);
  [customer, admin, staff] = await Promise.all([
    createUser(t),
    createUser(t, { role: 'admin' }),
    createUser(t, { role: 'staff' }),
  ]);
  const product = await createProduct(t, { stock: 20, price: 1000 });
  const order = await t.http.post(
    '/api/v1/orders',
    { items: [{ productId: product.id, quantity: 1 }], shippingAddress },
    { token: customer.token },
  );
  expect(order.status).toBe(201);
  const paid = await t.http.post(
    `/api/v1/orders/${order.body.id}/payments`,
    { paymentMethod: 'pm_card_visa' },
    { token: customer.token },
  );
  expect(paid.status).toBe(201);
  const promo = await t.http.post(
    '/api/v1/admin/promo-codes',
    { code: `BOPLA${Date.now()}`, type: 'fixed', amountOff: 100, active: true },
    { token: admin.token },
  );
  expect(promo.status).toBe(201);
  const category = await t.http.post(
    '/api/v1/admin/categories',
    { name: `BOPLA ${Date.now()}` },
    { token: admin.token },
  );
  expect(category.status).toBe(201);
  const address = await t.http.post(
    '/api/v1/me/addresses',
    { ...shippingAddress, phone: '+44 113 496 0000' },
    { token: customer.token },
  );
  expect(address.status).toBe(201);
  ids = {
    addresses: address.body.id,
    categories: category.body.id,
    orders: order.body.id,
    products: product.id,
    variants: product.variants[0]!.id,
    'promo-codes': promo.body.id,
    users: customer.user.id,
  };
});
afterAll(() => t.close());

/** The token an operation needs to get past its guard: an admin's for the back office. */
const tokenFor = (o: Operation) =>
  isAdmin(o) ? admin.token : needsUser(o) ? customer.token : undefined;

/** The owner's real object for each `{id}`, by the resource the path names. */
/** What a path's `{id}` names: `orders` in /api/v1/orders/{id}, `addresses` in /api/v1/me/addresses/{id}. */
const resourceOf = (path: string) => path.replace(/^\/api\/v1\/(admin\/|me\/)?/, '').split('/')[0]!;

const bodyOperations = () =>
  operationsOf(doc).filter(
    (o) => jsonBodyOf(doc, o) && o.path !== '/api/v1/webhooks/payments/{provider}',
  );

describe('API3:2023 Broken Object Property Level Authorization', () => {
  describe('mass assignment', () => {
    it('every JSON request body in the document refuses unknown properties, at every level', () => {
      const ops = bodyOperations();
      expect(ops.length).toBeGreaterThan(15);
      for (const o of ops) {
        for (const { where, schema } of schemasIn(doc, jsonBodyOf(doc, o), 'body')) {
          // A map (a variant's option values by option name) has no properties to assign:
          // its keys are data, each value a bounded string.
          const isMap =
            !schema.properties &&
            typeof schema.additionalProperties === 'object' &&
            schema.additionalProperties.type === 'string' &&
            typeof schema.additionalProperties.maxLength === 'number';
          if (schema.type === 'object' && !isMap) {
            expect([o.id, where, schema.additionalProperties]).toEqual([o.id, where, false]);
          }
        }
      }
    });

    it('every JSON body operation answers 400 VALIDATION_FAILED naming each property it does not take', async () => {
      const covered: string[] = [];
      for (const o of bodyOperations()) {
        const declared = new Set(Object.keys(jsonBodyOf(doc, o)!.properties ?? {}));
        const extras = Object.fromEntries(Object.entries(EXTRAS).filter(([k]) => !declared.has(k)));
        const path = pathWith(o.path, (param) => ids[resourceOf(o.path)] ?? `x_${param}`);
        const res = await t.http.request(o.method, path, extras, { token: tokenFor(o) });
        expect([o.id, res.status, res.body.code]).toEqual([o.id, 400, 'VALIDATION_FAILED']);
        const said = JSON.stringify(res.body.errors);
        for (const key of Object.keys(extras))
          expect([o.id, said]).toEqual([o.id, expect.stringContaining(key)]);
        covered.push(o.id);
      }
      expect(covered).toEqual(bodyOperations().map((o) => o.id));
    });

    it('registration with a role or a verified flag is refused and creates no account', async () => {
      const email = `mass-${Date.now()}@example.test`;
      const res = await t.http.post('/api/v1/auth/register', {
        email,
        password: 'long enough password',
        name: 'Mallory',
        role: 'admin',
        emailVerified: true,
      });
      expect(res.status).toBe(400);
      expect(await t.ctx.db.select().from(users).where(eq(users.email, email))).toEqual([]);
    });

    it('an order with a price, a total, an owner or a status of its own is refused, and reserves nothing', async () => {
      const product = await createProduct(t, { stock: 5, price: 5000 });
      const items = [{ productId: product.id, quantity: 1 }];
      const before = await t.ctx.db
        .select()
        .from(orders)
        .where(eq(orders.userId, customer.user.id));
      for (const body of [
        { items, shippingAddress, total: 1 },
        { items, shippingAddress, status: 'paid' },
        { items, shippingAddress, userId: admin.user.id },
        { items: [{ ...items[0], price: 1 }], shippingAddress },
        { items: [{ ...items[0], unitPrice: 1 }], shippingAddress },
        { items, shippingAddress: { ...shippingAddress, userId: admin.user.id } },
      ]) {
        const res = await t.http.post('/api/v1/orders', body, { token: customer.token });
        expect([body, res.status]).toEqual([body, 400]);
      }
      const after = await t.ctx.db.select().from(orders).where(eq(orders.userId, customer.user.id));
      expect(after.length).toBe(before.length);
      expect((await findProduct(t.ctx.db, product.id))!.stock).toBe(5);
      // The price is the server's: the same order without the extras costs what the product does.
      const placed = await t.http.post(
        '/api/v1/orders',
        { items, shippingAddress },
        { token: customer.token },
      );
      expect(placed.status).toBe(201);
      expect(placed.body.subtotal).toBe(5000);
      expect(placed.body.status).toBe('pending_payment');
      expect(placed.body.customerId).toBe(customer.user.id);
    });

    it('a payment with an amount of its own, a cancel with a status, a role change with more than a role: refused, nothing applied', async () => {
      const product = await createProduct(t, { stock: 5, price: 700 });
      const order = await t.http.post(
        '/api/v1/orders',
        { items: [{ productId: product.id, quantity: 1 }], shippingAddress },
        { token: customer.token },
      );
      const pay = await t.http.post(
        `/api/v1/orders/${order.body.id}/payments`,
        { paymentMethod: 'pm_card_visa', amount: 1 },
        { token: customer.token },
      );
      expect(pay.status).toBe(400);
      expect(
        await t.ctx.db.select().from(payments).where(eq(payments.orderId, order.body.id)),
      ).toEqual([]);
      const cancel = await t.http.post(
        `/api/v1/orders/${order.body.id}/cancel`,
        { reason: 'x', status: 'refunded' },
        { token: customer.token },
      );
      expect(cancel.status).toBe(400);
      const unchanged = await t.http.get(`/api/v1/orders/${order.body.id}`, {
        token: customer.token,
      });
      expect(unchanged.body.status).toBe('pending_payment');

      const target = await createUser(t);
      const patch = await t.http.patch(
        `/api/v1/admin/users/${target.user.id}`,
        { role: 'staff', email: 'taken-over@example.test', emailVerified: true },
        { token: admin.token },
      );
      expect(patch.status).toBe(400);
      const [row] = await t.ctx.db.select().from(users).where(eq(users.id, target.user.id));
      expect(row).toMatchObject({ role: 'customer', email: target.email });
      // Staff, who may act on orders, may not use an order action's body to touch anything else.
      const ship = await t.http.post(
        `/api/v1/admin/orders/${order.body.id}/ship`,
        { carrier: 'X', total: 0 },
        { token: staff.token },
      );
      expect(ship.status).toBe(400);
    });

    it('a product edit cannot set its id, its stock history or its timestamps', async () => {
      const product = await createProduct(t, { stock: 3 });
      for (const extra of [
        { id: 'prd_mine' },
        { createdAt: '2000-01-01T00:00:00Z' },
        { archivedAt: null },
        { imageUrl: 'http://169.254.169.254/' },
      ]) {
        const res = await t.http.patch(
          `/api/v1/admin/products/${product.id}`,
          { name: 'Renamed', ...extra },
          { token: admin.token },
        );
        expect([extra, res.status]).toEqual([extra, 400]);
      }
      const after = await findProduct(t.ctx.db, product.id);
      expect(after!.name).toBe(product.name);
      expect(after!.stock).toBe(3);
    });
  });

  describe('excessive data exposure', () => {
    const answered = () =>
      operationsOf(doc).flatMap((o) =>
        Object.entries((o.op.responses ?? {}) as Record<string, Json>)
          .filter(([status]) => Number(status) < 400)
          .map(([status, response]) => ({ o, status, response })),
      );

    it('no response schema in the document has a secret or internal property; tokens only where a session is handed out', () => {
      let properties = 0;
      for (const { o, status, response } of answered()) {
        for (const media of Object.values((response.content ?? {}) as Record<string, Json>)) {
          for (const { where, schema } of schemasIn(
            doc,
            media.schema as Json,
            `${o.id} ${status}`,
          )) {
            for (const key of Object.keys(schema.properties ?? {})) {
              properties++;
              expect([where, key]).not.toEqual([where, expect.stringMatching(SECRET_KEYS)]);
              if (!HANDS_OUT_TOKENS.includes(o.id)) {
                expect([where, key]).not.toEqual([where, expect.stringMatching(TOKEN_KEYS)]);
              }
              // A guest order's token is answered once, by the placement that makes it.
              if (o.id !== 'POST /api/v1/orders') {
                expect([where, key]).not.toEqual([where, 'guestToken']);
              }
            }
          }
        }
      }
      expect(properties).toBeGreaterThan(100);
    });

    it('every JSON answer of every GET operation carries only the properties its schema declares, and no secret', async () => {
      const covered: string[] = [];
      const skipped: string[] = [];
      for (const o of operationsOf(doc).filter((o) => o.method === 'GET')) {
        const schema = resolve(doc, o.op.responses?.['200']?.content?.['application/json']?.schema);
        if (!schema) continue; // CSV, images, metrics: below
        const params = [...o.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
        const id = ids[resourceOf(o.path)];
        if (params.length > 0 && (!id || params.some((p) => p !== 'id'))) {
          skipped.push(o.id);
          continue;
        }
        for (const [who, token] of [
          ['customer', customer.token],
          ['staff', staff.token],
          ['admin', admin.token],
        ] as const) {
          if (needsUser(o) && token === customer.token && isAdmin(o)) continue;
          // The customer's own object under /me/: anybody else's id is 404 there (API1).
          if (o.path.startsWith('/api/v1/me/') && params.length > 0 && who !== 'customer') continue;
          const path = pathWith(o.path, () => id!);
          const res = await t.http.get(path, {
            token: needsUser(o) || who !== 'customer' ? token : undefined,
          });
          if (res.status === 403) continue; // not this role's
          expect([o.id, who, res.status]).toEqual([o.id, who, 200]);
          const declared = new Set<string>();
          for (const { schema: s } of schemasIn(doc, schema, o.id)) {
            for (const key of Object.keys(s.properties ?? {})) declared.add(key);
          }
          for (const key of keysIn(res.body)) {
            expect([o.id, who, key, declared.has(key)]).toEqual([o.id, who, key, true]);
            expect([o.id, key]).not.toEqual([o.id, expect.stringMatching(SECRET_KEYS)]);
          }
          expect([o.id, JSON.stringify(res.body)]).not.toEqual([
            o.id,
            expect.stringContaining('$argon2'),
          ]);
        }
        covered.push(o.id);
      }
      // Only operations on objects this file has no fixture for (jobs, images) are left out.
      for (const id of skipped) expect(id).toMatch(/\{(?!id\})|\/jobs\//);
      expect(covered).toEqual(
        expect.arrayContaining([
          'GET /api/v1/me',
          'GET /api/v1/orders/{id}',
          'GET /api/v1/orders/{id}/payments',
          'GET /api/v1/admin/users',
          'GET /api/v1/admin/orders/{id}',
          'GET /api/v1/admin/emails',
          'GET /api/v1/admin/promo-codes/{id}',
          'GET /api/v1/me/addresses',
          'GET /api/v1/me/addresses/{id}',
        ]),
      );
    });

    it('login and refresh hand out tokens and the user, never the hash, the token version or the session id in clear', async () => {
      const login = await t.http.post('/api/v1/auth/login', {
        email: customer.email,
        password: customer.password,
      });
      expect(login.status).toBe(200);
      expect(Object.keys(login.body.user).sort()).toEqual([
        'createdAt',
        'email',
        'emailVerified',
        'id',
        'name',
        'role',
      ]);
      expect(JSON.stringify(login.body)).not.toContain('$argon2');
      const refreshed = await t.http.post('/api/v1/auth/refresh', {
        refreshToken: login.body.refreshToken,
      });
      expect(refreshed.status).toBe(200);
      expect(keysIn(refreshed.body)).not.toContain('passwordHash');
    });

    it('the CSV export has no column of secrets', async () => {
      const res = await t.http.get('/api/v1/admin/orders/export.csv', { token: admin.token });
      expect(res.status).toBe(200);
      const header = String(res.body).split('\n')[0]!.split(',');
      expect(header.length).toBeGreaterThan(3);
      for (const column of header) expect(column).not.toMatch(/password|hash|token|secret/i);
    });
  });
});
