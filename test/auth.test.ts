import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFRESH_REUSE_GRACE_MS } from '../src/modules/auth/auth.service.js';
import { createUser } from './helpers/factories.js';
import { buildTestApp, type TestApp } from './helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

describe('registration', () => {
  it('registers a customer with a normalised email and never returns the hash', async () => {
    const res = await t.http.post('/api/v1/auth/register', {
      email: '  Ada.Lovelace@Example.TEST ',
      password: 'a long passphrase with spaces',
      name: 'Ada',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      email: 'ada.lovelace@example.test',
      name: 'Ada',
      role: 'customer',
      emailVerified: false,
    });
    expect(JSON.stringify(res.body)).not.toMatch(/hash|argon/i);
  });

  it('refuses a second account for the same email in any case with EMAIL_TAKEN', async () => {
    await t.http.post('/api/v1/auth/register', {
      email: 'dup@example.test',
      password: 'first duplicate passphrase',
      name: 'A',
    });
    const res = await t.http.post('/api/v1/auth/register', {
      email: 'DUP@example.test',
      password: 'second duplicate passphrase',
      name: 'B',
    });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('EMAIL_TAKEN');
  });

  it('accepts a 200-character passphrase and has no composition rules', async () => {
    const passphrase = 'the quick brown fox jumps over the lazy dog '.repeat(5).slice(0, 200);
    const res = await t.http.post('/api/v1/auth/register', {
      email: 'long@example.test',
      password: passphrase,
      name: 'Long',
    });
    expect(res.status).toBe(201);
  });

  it.each(['password', 'password1', 'qwerty123', 'Summer2026', 'abcdefgh1', 'lovelace1234'])(
    'refuses the easily guessed password %j with 400 VALIDATION_FAILED on body.password, creating no account',
    async (password) => {
      const email = `weak-${password.replace(/\W/g, '')}@example.test`;
      const res = await t.http.post('/api/v1/auth/register', {
        // lovelace1234 would pass on its own: it is refused because it contains the name.
        email: password === 'lovelace1234' ? 'ada.lovelace@weak.test' : email,
        password,
        name: 'Ada Lovelace',
      });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.errors).toEqual([
        { path: 'body.password', message: expect.stringMatching(/^This password /) },
      ]);
      const login = await t.http.post('/api/v1/auth/login', { email, password });
      expect(login.status).toBe(401);
    },
  );

  it('refuses an easily guessed new password on a change and on a reset, keeping the old one', async () => {
    const u = await createUser(t);
    const change = await t.http.post(
      '/api/v1/me/password',
      { currentPassword: u.password, newPassword: 'password123' },
      { token: u.token },
    );
    expect(change.status).toBe(400);
    expect(change.body.errors).toEqual([
      {
        path: 'body.newPassword',
        message: 'This password is one of the most commonly used passwords',
      },
    ]);
    const reset = await t.http.post('/api/v1/auth/password-reset/confirm', {
      token: 'not-checked-before-the-password',
      password: 'iloveyou1',
    });
    expect(reset.status).toBe(400);
    expect(reset.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.password']);
    const login = await t.http.post('/api/v1/auth/login', { email: u.email, password: u.password });
    expect(login.status).toBe(200);
  });

  it.each([
    [{ email: 'a@b.test', password: 'short', name: 'A' }, 'body.password'],
    [{ email: 'not-an-email', password: 'password1', name: 'A' }, 'body.email'],
    [{ email: 'a@b.test', password: 'password1' }, 'body.name'],
    [{ email: 'a@b.test', password: 'password1', name: 'A', role: 'admin' }, 'body.role'],
    [{ email: 'a@b.test', password: 12345678, name: 'A' }, 'body.password'],
    [{ email: 'a@b.test', password: 'password1', name: 'n'.repeat(101) }, 'body.name'],
    [{ email: `${'e'.repeat(250)}@b.test`, password: 'password1', name: 'A' }, 'body.email'],
    [{ email: 'a@b.test', password: 'p'.repeat(257), name: 'A' }, 'body.password'],
  ])('rejects bad registration %j naming %s', async (body, path) => {
    const res = await t.http.post('/api/v1/auth/register', body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    const login = await t.http.post('/api/v1/auth/login', {
      email: 'a@b.test',
      password: 'password1',
    });
    expect(login.status).toBe(401);
  });
});

describe('login', () => {
  it('returns the same 401 INVALID_CREDENTIALS for an unknown email and a wrong password', async () => {
    const known = await createUser(t);
    const wrongPassword = await t.http.post('/api/v1/auth/login', {
      email: known.email,
      password: 'wrong password',
    });
    const unknownEmail = await t.http.post('/api/v1/auth/login', {
      email: 'nobody@example.test',
      password: 'wrong password',
    });
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    const strip = (b: Record<string, unknown>) => ({ ...b, requestId: undefined });
    expect(strip(wrongPassword.body)).toEqual(strip(unknownEmail.body));
    expect(wrongPassword.body.code).toBe('INVALID_CREDENTIALS');
  });

  it('logs in with any case of the email and returns a token pair', async () => {
    const u = await createUser(t);
    const res = await t.http.post('/api/v1/auth/login', {
      email: u.email.toUpperCase(),
      password: u.password,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ expiresIn: 900, user: { id: u.user.id } });
    const me = await t.http.get('/api/v1/me', { token: res.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body.email).toBe(u.email);
  });
});

describe('access tokens', () => {
  it('is 401 UNAUTHENTICATED without a token', async () => {
    const res = await t.http.get('/api/v1/me');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('UNAUTHENTICATED');
  });

  it('is 401 for a tampered token', async () => {
    const u = await createUser(t);
    const [header, payload, signature] = u.token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
    for (const token of [
      `${header}.${forged}.${signature}`,
      `${header}.${payload}.${signature.slice(0, -2)}xx`,
      'not-a-jwt',
    ]) {
      const res = await t.http.get('/api/v1/me', { token });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('UNAUTHENTICATED');
    }
  });

  it('refuses an unsigned (alg none) token', async () => {
    const u = await createUser(t);
    const payload = u.token.split('.')[1]!;
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const res = await t.http.get('/api/v1/me', { token: `${none}.${payload}.` });
    expect(res.status).toBe(401);
  });

  it('is 401 TOKEN_EXPIRED once the access token has outlived its lifetime', async () => {
    const u = await createUser(t);
    t.clock.advance(16 * 60_000);
    try {
      const res = await t.http.get('/api/v1/me', { token: u.token });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('TOKEN_EXPIRED');
    } finally {
      t.clock.advance(-16 * 60_000);
    }
  });

  it('is 403 FORBIDDEN for a customer on an admin route', async () => {
    const u = await createUser(t);
    for (const [method, path] of [
      ['GET', '/api/v1/admin/users'],
      ['GET', '/api/v1/admin/products'],
      ['POST', '/api/v1/admin/products'],
    ] as const) {
      const res = await t.http.request(
        method,
        path,
        method === 'POST' ? { sku: 'X', name: 'X', price: 1 } : undefined,
        { token: u.token },
      );
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('FORBIDDEN');
    }
  });
});

describe('refresh tokens', () => {
  it('rotates: the new refresh token works and the old one is spent', async () => {
    const u = await createUser(t);
    const first = await t.http.post('/api/v1/auth/refresh', { refreshToken: u.refreshToken });
    expect(first.status).toBe(200);
    expect(first.body.refreshToken).not.toBe(u.refreshToken);
    const me = await t.http.get('/api/v1/me', { token: first.body.accessToken });
    expect(me.status).toBe(200);
    const second = await t.http.post('/api/v1/auth/refresh', {
      refreshToken: first.body.refreshToken,
    });
    expect(second.status).toBe(200);
  });

  it('revokes the whole family when a rotated token is reused after the grace period', async () => {
    const u = await createUser(t);
    const rotated = await t.http.post('/api/v1/auth/refresh', { refreshToken: u.refreshToken });
    expect(rotated.status).toBe(200);
    t.clock.advance(REFRESH_REUSE_GRACE_MS + 1000);
    try {
      const reuse = await t.http.post('/api/v1/auth/refresh', { refreshToken: u.refreshToken });
      expect(reuse.status).toBe(401);
      expect(reuse.body.code).toBe('INVALID_REFRESH_TOKEN');
      // The thief's reuse also kills the legitimate holder's newer token.
      const legit = await t.http.post('/api/v1/auth/refresh', {
        refreshToken: rotated.body.refreshToken,
      });
      expect(legit.status).toBe(401);
    } finally {
      t.clock.advance(-(REFRESH_REUSE_GRACE_MS + 1000));
    }
  });

  it('lets two tabs refresh the same token at once within the grace period', async () => {
    const u = await createUser(t);
    const results = await Promise.all([
      t.http.post('/api/v1/auth/refresh', { refreshToken: u.refreshToken }),
      t.http.post('/api/v1/auth/refresh', { refreshToken: u.refreshToken }),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    for (const r of results) {
      expect(
        (await t.http.post('/api/v1/auth/refresh', { refreshToken: r.body.refreshToken })).status,
      ).toBe(200);
    }
  });

  it('logout ends the session and is idempotent', async () => {
    const u = await createUser(t);
    expect(
      (await t.http.post('/api/v1/auth/logout', { refreshToken: u.refreshToken })).status,
    ).toBe(204);
    expect(
      (await t.http.post('/api/v1/auth/logout', { refreshToken: u.refreshToken })).status,
    ).toBe(204);
    const res = await t.http.post('/api/v1/auth/refresh', { refreshToken: u.refreshToken });
    expect(res.status).toBe(401);
  });

  it('refuses an unknown refresh token', async () => {
    const res = await t.http.post('/api/v1/auth/refresh', { refreshToken: 'made-up' });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('INVALID_REFRESH_TOKEN');
  });
});

describe('password change', () => {
  it('needs the current password, then ends every other session', async () => {
    const u = await createUser(t);
    const other = await t.http.post('/api/v1/auth/login', { email: u.email, password: u.password });

    const wrong = await t.http.post(
      '/api/v1/me/password',
      { currentPassword: 'nope nope', newPassword: 'brand new passphrase' },
      { token: u.token },
    );
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');

    const ok = await t.http.post(
      '/api/v1/me/password',
      { currentPassword: u.password, newPassword: 'brand new passphrase' },
      { token: u.token },
    );
    expect(ok.status).toBe(204);

    expect(
      (await t.http.post('/api/v1/auth/refresh', { refreshToken: other.body.refreshToken })).status,
    ).toBe(401);
    expect(
      (await t.http.post('/api/v1/auth/refresh', { refreshToken: u.refreshToken })).status,
    ).toBe(200);
    expect(
      (await t.http.post('/api/v1/auth/login', { email: u.email, password: u.password })).status,
    ).toBe(401);
    expect(
      (
        await t.http.post('/api/v1/auth/login', {
          email: u.email,
          password: 'brand new passphrase',
        })
      ).status,
    ).toBe(200);
  });

  it('rejects a short new password and changes nothing', async () => {
    const u = await createUser(t);
    const res = await t.http.post(
      '/api/v1/me/password',
      { currentPassword: u.password, newPassword: 'short' },
      { token: u.token },
    );
    expect(res.status).toBe(400);
    expect(
      (await t.http.post('/api/v1/auth/login', { email: u.email, password: u.password })).status,
    ).toBe(200);
  });
});

describe('roles', () => {
  it('an admin searches users by part of their email or name (q), wildcards taken literally', async () => {
    const admin = await createUser(t, { role: 'admin' });
    const marker = `zq${Date.now().toString(36)}`;
    const byEmail = await createUser(t, { email: `${marker}-mail@example.test` });
    const byName = await createUser(t, { name: `Ada ${marker.toUpperCase()} Lovelace` });
    await createUser(t, { name: 'Someone Else' });
    const found = await t.http.get(`/api/v1/admin/users?q=${marker}`, { token: admin.token });
    expect(found.status).toBe(200);
    expect(found.body.items.map((x: { id: string }) => x.id).sort()).toEqual(
      [byEmail.user.id, byName.user.id].sort(),
    );
    expect(found.body.total).toBe(2);
    const wildcard = await t.http.get('/api/v1/admin/users?q=%25', { token: admin.token });
    expect(wildcard.body.items).toEqual([]);
  });

  it("an admin lists users and changes a role; the change ends that user's sessions", async () => {
    const admin = await createUser(t, { role: 'admin' });
    const u = await createUser(t);
    const list = await t.http.get('/api/v1/admin/users?role=customer&pageSize=100', {
      token: admin.token,
    });
    expect(list.status).toBe(200);
    expect(list.body.items.some((x: { id: string }) => x.id === u.user.id)).toBe(true);

    const res = await t.http.patch(
      `/api/v1/admin/users/${u.user.id}`,
      { role: 'staff' },
      { token: admin.token },
    );
    expect(res.status).toBe(200);
    expect(res.body.role).toBe('staff');
    expect(
      (await t.http.post('/api/v1/auth/refresh', { refreshToken: u.refreshToken })).status,
    ).toBe(401);
    const relogin = await t.http.post('/api/v1/auth/login', {
      email: u.email,
      password: u.password,
    });
    expect(relogin.body.user.role).toBe('staff');
  });

  it('rejects an unknown role and an unknown user', async () => {
    const admin = await createUser(t, { role: 'admin' });
    const u = await createUser(t);
    expect(
      (
        await t.http.patch(
          `/api/v1/admin/users/${u.user.id}`,
          { role: 'owner' },
          { token: admin.token },
        )
      ).status,
    ).toBe(400);
    const missing = await t.http.patch(
      '/api/v1/admin/users/usr_missing',
      { role: 'staff' },
      { token: admin.token },
    );
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('NOT_FOUND');
  });

  it('staff cannot manage users', async () => {
    const staff = await createUser(t, { role: 'staff' });
    expect((await t.http.get('/api/v1/admin/users', { token: staff.token })).status).toBe(403);
  });
});
