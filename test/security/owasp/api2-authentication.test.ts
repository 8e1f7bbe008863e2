import { createSigner } from 'fast-jwt';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFRESH_REUSE_GRACE_MS } from '../../../src/modules/auth/auth.service.js';
import { userTokens } from '../../../src/modules/auth/user.table.js';
import { tokenSecret } from '../../../src/modules/auth/user-token.js';
import { createUser, type TestUser } from '../../helpers/factories.js';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import {
  countChecks,
  createUserFromOwnAddress,
  freshAddress,
  needsUser,
  openApi,
  openedByOrderToken,
  openToGuests,
  operationsOf,
  type Json,
  type Operation,
} from './owasp.js';

countChecks('API2:2023 Broken Authentication');

// The revocation paths one by one (logout, password change and reset, role changes, deleted
// accounts, other processes, create-admin) are in test/security/token-revocation.test.ts;
// this file attacks every operation with bad tokens and the login and refresh flows.

const AUTH_LIMIT = 5;
let t: TestApp;
let throttled: TestApp;
let doc: Json;
let u: TestUser;
beforeAll(async () => {
  [t, throttled] = await Promise.all([
    buildTestApp(),
    buildTestApp({ RATE_LIMIT_AUTH: String(AUTH_LIMIT) }),
  ]);
  doc = await openApi(t);
  u = await createUser(t);
});
afterAll(async () => {
  await Promise.all([t.close(), throttled.close()]);
});

const userOperations = () => operationsOf(doc).filter(needsUser);
const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Json;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

const call = (o: Operation, authorization?: string) =>
  t.http.request(
    o.method,
    o.path.replace(/\{[^}]+\}/g, 'x_missing'),
    o.method === 'GET' || o.method === 'DELETE' ? undefined : {},
    authorization ? { headers: { authorization } } : {},
  );

/** Tokens that must never pass, each built from the real one's claims. */
function badTokens(): [string, string | undefined, string][] {
  const claims = claimsOf(u.token);
  const { sub, role, sid, ver } = claims;
  const now = t.clock.now().getTime();
  const sign = (options: Json, payload: Json = { sub, role, sid, ver }) =>
    createSigner({
      key: t.ctx.jwtSecret,
      algorithm: 'HS256',
      iss: 'ordo',
      aud: 'ordo-api',
      expiresIn: 60_000,
      clockTimestamp: now,
      ...options,
    })(payload);
  const [header, payload] = u.token.split('.');
  return [
    ['no Authorization header', undefined, 'UNAUTHENTICATED'],
    ['an empty bearer', 'Bearer ', 'UNAUTHENTICATED'],
    [
      'another scheme',
      `Basic ${Buffer.from(`${u.email}:${u.password}`).toString('base64')}`,
      'UNAUTHENTICATED',
    ],
    ['garbage', 'Bearer not-a-token', 'UNAUTHENTICATED'],
    ['a token without its signature', `Bearer ${header}.${payload}.`, 'UNAUTHENTICATED'],
    ['alg none', `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`, 'UNAUTHENTICATED'],
    [
      'another secret',
      `Bearer ${sign({ key: 'someone-elses-secret-that-is-long-enough-0123456789' })}`,
      'UNAUTHENTICATED',
    ],
    ['HS512 with our secret', `Bearer ${sign({ algorithm: 'HS512' })}`, 'UNAUTHENTICATED'],
    ['another issuer', `Bearer ${sign({ iss: 'not-ordo' })}`, 'UNAUTHENTICATED'],
    ['another audience', `Bearer ${sign({ aud: 'not-ordo-api' })}`, 'UNAUTHENTICATED'],
    ['expired', `Bearer ${sign({ clockTimestamp: now - 3_600_000 })}`, 'TOKEN_EXPIRED'],
    [
      'an admin role it does not have',
      `Bearer ${sign({}, { sub, role: 'admin', sid, ver })}`,
      'UNAUTHENTICATED',
    ],
    [
      'another session id',
      `Bearer ${sign({}, { sub, role, sid: 'fam_forged', ver })}`,
      'UNAUTHENTICATED',
    ],
    ['the refresh token', `Bearer ${u.refreshToken}`, 'UNAUTHENTICATED'],
  ];
}

describe('API2:2023 Broken Authentication', () => {
  it('every operation behind a user token refuses each bad token with 401 and its code', async () => {
    const ops = userOperations();
    expect(ops.length).toBeGreaterThan(35);
    const cases = badTokens();
    for (const o of ops) {
      for (const [what, authorization, code] of cases) {
        // Without any Authorization header, a guest's operation is a guest's (the next test).
        if (authorization === undefined && openToGuests(o)) continue;
        const res = await call(o, authorization);
        expect([o.id, what, res.status, res.body.code]).toEqual([o.id, what, 401, code]);
      }
    }
    // The real token still works: the refusals above are about the tokens.
    expect((await t.http.get('/api/v1/me', { token: u.token })).status).toBe(200);
  });

  it('without a session, the operations open to guests take a guest: nothing opens an order without its token, and no other operation is open', async () => {
    const guestOps = userOperations().filter(openToGuests);
    // Pricing and placing an order, and the five operations on one order a token opens.
    expect(guestOps.map((o) => o.id).sort()).toEqual([
      'GET /api/v1/orders/{id}',
      'GET /api/v1/orders/{id}/payments',
      'POST /api/v1/orders',
      'POST /api/v1/orders/quote',
      'POST /api/v1/orders/{id}/cancel',
      'POST /api/v1/orders/{id}/checkout-session',
      'POST /api/v1/orders/{id}/payments',
    ]);
    for (const o of guestOps) {
      // A valid body, so the answer is about the order and not the request's shape.
      const res =
        o.id === 'POST /api/v1/orders/{id}/payments'
          ? await t.http.post('/api/v1/orders/x_missing/payments', {
              paymentMethod: 'pm_card_visa',
            })
          : await call(o);
      if (openedByOrderToken(o)) {
        expect([o.id, res.status, res.body.code]).toEqual([o.id, 404, 'NOT_FOUND']);
      } else {
        // An empty body is a guest's invalid order, not a missing session.
        expect([o.id, res.status, res.body.code]).toEqual([o.id, 400, 'VALIDATION_FAILED']);
      }
    }
  });

  it('after logout, the session’s access and refresh tokens stop on every operation', async () => {
    const v = await createUser(t);
    expect(
      (await t.http.post('/api/v1/auth/logout', { refreshToken: v.refreshToken })).status,
    ).toBe(204);
    for (const o of userOperations()) {
      const res = await call(o, `Bearer ${v.token}`);
      expect([o.id, res.status, res.body.code]).toEqual([o.id, 401, 'UNAUTHENTICATED']);
    }
    const refreshed = await t.http.post('/api/v1/auth/refresh', { refreshToken: v.refreshToken });
    expect(refreshed.status).toBe(401);
    expect(refreshed.body.code).toBe('INVALID_REFRESH_TOKEN');
  });

  it('a password change or reset ends the other sessions; a reset link works once', async () => {
    const v = await createUser(t);
    const second = await t.http.post('/api/v1/auth/login', {
      email: v.email,
      password: v.password,
    });
    const changed = await t.http.post(
      '/api/v1/me/password',
      { currentPassword: v.password, newPassword: 'a completely new passphrase' },
      { token: v.token },
    );
    expect(changed.status).toBe(204);
    expect((await t.http.get('/api/v1/me', { token: second.body.accessToken })).status).toBe(401);
    expect(
      (await t.http.post('/api/v1/auth/refresh', { refreshToken: second.body.refreshToken }))
        .status,
    ).toBe(401);
    // The old password is gone.
    expect(
      (await t.http.post('/api/v1/auth/login', { email: v.email, password: v.password })).status,
    ).toBe(401);

    expect(
      (await t.http.post('/api/v1/auth/password-reset/request', { email: v.email })).status,
    ).toBe(202);
    const [row] = await t.ctx.db
      .select()
      .from(userTokens)
      .where(and(eq(userTokens.userId, v.user.id), eq(userTokens.kind, 'password_reset')));
    const token = tokenSecret(t.ctx.jwtSecret, row!);
    const confirm = () =>
      t.http.post('/api/v1/auth/password-reset/confirm', { token, password: 'reset once only' });
    expect((await confirm()).status).toBe(204);
    const again = await confirm();
    expect(again.status).toBe(422);
    expect(again.body.code).toBe('INVALID_TOKEN');
    expect((await t.http.get('/api/v1/me', { token: v.token })).status).toBe(401);
  });

  it('refresh rotates: a new pair each time; a rotated token reused after the grace ends the whole session', async () => {
    const v = await createUser(t);
    const first = await t.http.post('/api/v1/auth/refresh', { refreshToken: v.refreshToken });
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.body.refreshToken).not.toBe(v.refreshToken);
    const second = await t.http.post('/api/v1/auth/refresh', {
      refreshToken: first.body.refreshToken,
    });
    expect(second.status).toBe(200);

    t.clock.advance(REFRESH_REUSE_GRACE_MS + 1_000);
    const stolen = await t.http.post('/api/v1/auth/refresh', { refreshToken: v.refreshToken });
    expect(stolen.status).toBe(401);
    expect(stolen.body.code).toBe('INVALID_REFRESH_TOKEN');
    // The thief's reuse revoked the family: the legitimate newest pair is dead too.
    expect(
      (await t.http.post('/api/v1/auth/refresh', { refreshToken: second.body.refreshToken }))
        .status,
    ).toBe(401);
    expect((await t.http.get('/api/v1/me', { token: second.body.accessToken })).status).toBe(401);
  });

  it('refuses garbage and forged refresh tokens with 401 INVALID_REFRESH_TOKEN', async () => {
    const [id] = u.refreshToken.split('.');
    for (const refreshToken of ['x', `${id}.forged-secret-part`, `${u.refreshToken}x`]) {
      const res = await t.http.post('/api/v1/auth/refresh', { refreshToken });
      expect([refreshToken, res.status, res.body.code]).toEqual([
        refreshToken,
        401,
        'INVALID_REFRESH_TOKEN',
      ]);
    }
  });

  it('a wrong password and an unknown email answer alike; reset requests do not say who has an account', async () => {
    const wrong = await t.http.post('/api/v1/auth/login', {
      email: u.email,
      password: 'not the password',
    });
    const unknown = await t.http.post('/api/v1/auth/login', {
      email: `nobody-${Date.now()}@example.test`,
      password: 'not the password',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
    expect([unknown.status, unknown.body.code, unknown.body.detail]).toEqual([
      wrong.status,
      wrong.body.code,
      wrong.body.detail,
    ]);
    for (const email of [u.email, `nobody-${Date.now()}@example.test`]) {
      const res = await t.http.post('/api/v1/auth/password-reset/request', { email });
      expect(res.status).toBe(202);
    }
  });

  it(`throttles login per address after RATE_LIMIT_AUTH (${AUTH_LIMIT}) with 429 RATE_LIMITED and Retry-After, even with the right password`, async () => {
    const v = await createUserFromOwnAddress(throttled);
    const ip = freshAddress();
    const login = (password: string, remoteAddress = ip) =>
      throttled.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: v.email, password },
        remoteAddress,
      });
    const guesses = [];
    for (let i = 0; i < AUTH_LIMIT; i++)
      guesses.push((await login(`guess number ${i}`)).statusCode);
    expect(guesses).toEqual(Array(AUTH_LIMIT).fill(401));
    const cut = await login(v.password);
    expect(cut.statusCode).toBe(429);
    expect(cut.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(cut.json()).toMatchObject({ code: 'RATE_LIMITED' });
    expect(Number(cut.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(cut.headers['retry-after'])).toBeLessThanOrEqual(60);
    // Another address is not held back by this one.
    expect((await login(v.password, freshAddress())).statusCode).toBe(200);
  });

  // POST /api/v1/auth/verify-email is not throttled: its token carries a 256-bit HMAC, so
  // guessing one is hopeless at any rate (and logout needs a live refresh token).
  it.each([
    '/api/v1/auth/refresh',
    '/api/v1/auth/password-reset/request',
    '/api/v1/auth/password-reset/confirm',
    '/api/v1/auth/register',
  ])('%s is throttled per address too', async (url) => {
    const ip = freshAddress();
    const payload: Json = url.endsWith('/request')
      ? { email: 'x@example.test' }
      : url.endsWith('/register')
        ? { email: 'not-an-email', password: 'x', name: '' }
        : url.endsWith('/refresh')
          ? { refreshToken: 'x' }
          : { token: 'x', password: 'long enough password' };
    const statuses = [];
    for (let i = 0; i <= AUTH_LIMIT; i++) {
      statuses.push(
        (await throttled.app.inject({ method: 'POST', url, payload, remoteAddress: ip }))
          .statusCode,
      );
    }
    expect(statuses.slice(0, AUTH_LIMIT)).not.toContain(429);
    expect(statuses[AUTH_LIMIT]).toBe(429);
  });
});
