import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, type TestUser } from '../../helpers/factories.js';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { countChecks, isAdmin, openApi, operationsOf, type Json, type Operation } from './owasp.js';

countChecks('API5:2023 Broken Function Level Authorization');

/**
 * What staff may use in the back office (roles: customer; staff: orders, their refunds, the
 * order emails, stats; admin: everything). Every other admin operation is admin-only.
 */
const STAFF_MAY = [/^\/api\/v1\/admin\/orders(\/|$)/, /^\/api\/v1\/admin\/(emails|stats)$/];

let t: TestApp;
let doc: Json;
let customer: TestUser;
let staff: TestUser;
let admin: TestUser;
beforeAll(async () => {
  t = await buildTestApp();
  doc = await openApi(t);
  [customer, staff, admin] = await Promise.all([
    createUser(t),
    createUser(t, { role: 'staff' }),
    createUser(t, { role: 'admin' }),
  ]);
});
afterAll(() => t.close());

const adminOperations = () => operationsOf(doc).filter(isAdmin);
const staffMay = (o: Operation) => STAFF_MAY.some((re) => re.test(o.path));

/** Ids that name nothing: the guard must answer before anything is looked up. */
const call = (o: Operation, token?: string) =>
  t.http.request(
    o.method,
    o.path.replace(/\{[^}]+\}/g, 'x_missing'),
    o.method === 'GET' || o.method === 'DELETE' ? undefined : {},
    { token },
  );

describe('API5:2023 Broken Function Level Authorization', () => {
  it('every back-office operation is under /api/v1/admin/ and behind a bearer token', () => {
    const ops = adminOperations();
    expect(ops.length).toBeGreaterThan(25);
    for (const o of ops) expect([o.id, o.op.security]).toEqual([o.id, [{ bearerAuth: [] }]]);
    // Nothing outside /api/v1/admin/ is tagged as the back office.
    for (const o of operationsOf(doc).filter((o) => !isAdmin(o))) {
      expect([o.id, o.op.tags]).not.toEqual([o.id, ['admin']]);
    }
  });

  it('every admin operation is 401 anonymously, with a garbage token, and 403 FORBIDDEN for a customer', async () => {
    const covered: string[] = [];
    for (const o of adminOperations()) {
      const anonymous = await call(o);
      expect([o.id, anonymous.status, anonymous.body.code]).toEqual([o.id, 401, 'UNAUTHENTICATED']);
      const garbage = await call(o, 'not.a.token');
      expect([o.id, garbage.status]).toEqual([o.id, 401]);
      const asCustomer = await call(o, customer.token);
      expect([o.id, asCustomer.status, asCustomer.body.code]).toEqual([o.id, 403, 'FORBIDDEN']);
      covered.push(o.id);
    }
    expect(covered.sort()).toEqual(
      adminOperations()
        .map((o) => o.id)
        .sort(),
    );
  });

  it('every admin-only operation is 403 FORBIDDEN for staff; every staff one is not refused to staff', async () => {
    const covered: string[] = [];
    for (const o of adminOperations()) {
      const res = await call(o, staff.token);
      if (staffMay(o)) expect([o.id, res.status]).not.toEqual([o.id, expect.toBeOneOf([401, 403])]);
      else expect([o.id, res.status, res.body.code]).toEqual([o.id, 403, 'FORBIDDEN']);
      // An answer past the guard is the operation's own: never a server error.
      expect([o.id, res.status < 500]).toEqual([o.id, true]);
      covered.push(o.id);
    }
    expect(covered.sort()).toEqual(
      adminOperations()
        .map((o) => o.id)
        .sort(),
    );
    // Users and roles, products and promo codes are among the admin-only ones.
    const adminOnly = adminOperations()
      .filter((o) => !staffMay(o))
      .map((o) => o.id);
    for (const id of [
      'PATCH /api/v1/admin/users/{id}',
      'GET /api/v1/admin/users',
      'POST /api/v1/admin/products',
      'POST /api/v1/admin/promo-codes',
      'POST /api/v1/admin/jobs/{id}/retry',
    ]) {
      expect(adminOnly).toContain(id);
    }
  });

  it('an admin passes the guard on every admin operation', async () => {
    for (const o of adminOperations()) {
      const res = await call(o, admin.token);
      expect([o.id, res.status]).not.toEqual([o.id, expect.toBeOneOf([401, 403])]);
      expect([o.id, res.status < 500]).toEqual([o.id, true]);
    }
  });

  it('role escalation: nobody below admin changes a role, registration makes customers, a token’s role is the account’s', async () => {
    for (const actor of [customer, staff]) {
      for (const target of [customer, staff]) {
        const res = await t.http.patch(
          `/api/v1/admin/users/${target.user.id}`,
          { role: 'admin' },
          { token: actor.token },
        );
        expect(res.status).toBe(403);
      }
    }
    const registered = await t.http.post('/api/v1/auth/register', {
      email: `escalate-${Date.now()}@example.test`,
      password: 'long enough password',
      name: 'Mallory',
      role: 'admin',
    });
    expect(registered.status).toBe(400);
    expect(registered.body.code).toBe('VALIDATION_FAILED');
    // The roles are still what they were.
    expect((await t.http.get('/api/v1/me', { token: customer.token })).body.role).toBe('customer');
    expect((await t.http.get('/api/v1/me', { token: staff.token })).body.role).toBe('staff');
    // A token claiming a role is not believed: see API2 (a well-signed token with role=admin).
  });

  it('an unknown method on an admin path is never a way past the guard', async () => {
    for (const method of ['PUT', 'PATCH', 'DELETE', 'POST']) {
      const res = await t.http.request(method, '/api/v1/admin/stats', undefined, {
        token: customer.token,
      });
      expect([method, res.status]).toEqual([method, expect.toBeOneOf([403, 404, 405])]);
      expect(JSON.stringify(res.body)).not.toContain('revenue');
    }
  });
});
