import { createSigner } from 'fast-jwt';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAdmin, REFRESH_REUSE_GRACE_MS } from '../../src/modules/auth/auth.service.js';
import { SESSION_CACHE_MS } from '../../src/modules/auth/session-check.js';
import { refreshTokens, users, userTokens } from '../../src/modules/auth/user.table.js';
import { tokenSecret } from '../../src/modules/auth/user-token.js';
import { createUser, type TestUser } from '../helpers/factories.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

const me = (token: string) => t.http.get('/api/v1/me', { token });
const login = (u: TestUser) =>
  t.http.post('/api/v1/auth/login', { email: u.email, password: u.password });

async function expectRevoked(token: string) {
  const res = await me(token);
  expect(res.status).toBe(401);
  expect(res.body.code).toBe('UNAUTHENTICATED');
}

describe('access tokens stop working when what issued them is revoked', () => {
  it('logout ends the access token of that session at once, and only of that session', async () => {
    const u = await createUser(t);
    const other = await login(u);
    expect((await me(u.token)).status).toBe(200);

    expect(
      (await t.http.post('/api/v1/auth/logout', { refreshToken: u.refreshToken })).status,
    ).toBe(204);
    await expectRevoked(u.token);
    expect((await me(other.body.accessToken)).status).toBe(200);
  });

  it('a password change ends every other session’s access token at once; the current one keeps working', async () => {
    const u = await createUser(t);
    const other = await login(u);
    expect((await me(other.body.accessToken)).status).toBe(200);

    const changed = await t.http.post(
      '/api/v1/me/password',
      { currentPassword: u.password, newPassword: 'a completely new passphrase' },
      { token: u.token },
    );
    expect(changed.status).toBe(204);
    await expectRevoked(other.body.accessToken);
    expect((await me(u.token)).status).toBe(200);
  });

  it('a password reset ends every access token of the account at once', async () => {
    const u = await createUser(t);
    const second = await login(u);
    expect(
      (await t.http.post('/api/v1/auth/password-reset/request', { email: u.email })).status,
    ).toBe(202);
    const [row] = await t.ctx.db
      .select()
      .from(userTokens)
      .where(and(eq(userTokens.userId, u.user.id), eq(userTokens.kind, 'password_reset')));
    const confirmed = await t.http.post('/api/v1/auth/password-reset/confirm', {
      token: tokenSecret(t.ctx.jwtSecret, row!),
      password: 'reset to something new',
    });
    expect(confirmed.status).toBe(204);
    await expectRevoked(u.token);
    await expectRevoked(second.body.accessToken);
    const [after] = await t.ctx.db.select().from(users).where(eq(users.id, u.user.id));
    expect(after!.tokenVersion).toBe(1);
  });

  it('demoting a staff member ends their access token at once: no more staff routes', async () => {
    const admin = await createUser(t, { role: 'admin' });
    const staff = await createUser(t, { role: 'staff' });
    expect((await t.http.get('/api/v1/admin/orders', { token: staff.token })).status).toBe(200);

    const demoted = await t.http.patch(
      `/api/v1/admin/users/${staff.user.id}`,
      { role: 'customer' },
      { token: admin.token },
    );
    expect(demoted.status).toBe(200);
    const refused = await t.http.get('/api/v1/admin/orders', { token: staff.token });
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('UNAUTHENTICATED');

    // Logged in again, the account has the new role and nothing more.
    const again = await login(staff);
    expect(again.body.user.role).toBe('customer');
    const forbidden = await t.http.get('/api/v1/admin/orders', { token: again.body.accessToken });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe('FORBIDDEN');
  });

  it('promoting ends the old tokens too, so a token never carries a role the account lost or gained', async () => {
    const admin = await createUser(t, { role: 'admin' });
    const u = await createUser(t);
    await t.http.patch(
      `/api/v1/admin/users/${u.user.id}`,
      { role: 'staff' },
      { token: admin.token },
    );
    await expectRevoked(u.token);
  });

  it('a deleted account’s token is refused within the documented bound (SESSION_CACHE_MS)', async () => {
    const u = await createUser(t);
    expect((await me(u.token)).status).toBe(200);
    // Deleted behind Ordo's back (another process, or by hand): this process may still trust
    // what it read for SESSION_CACHE_MS, and never longer.
    await t.ctx.db.delete(users).where(eq(users.id, u.user.id));
    t.clock.advance(SESSION_CACHE_MS);
    await expectRevoked(u.token);
  });

  it('a session revoked by another process is refused within the bound', async () => {
    const u = await createUser(t);
    expect((await me(u.token)).status).toBe(200);
    await t.ctx.db
      .update(refreshTokens)
      .set({ revokedAt: t.clock.now() })
      .where(eq(refreshTokens.userId, u.user.id));
    t.clock.advance(SESSION_CACHE_MS);
    await expectRevoked(u.token);
  });

  it('reusing a rotated refresh token after the grace period ends that session’s access tokens', async () => {
    const u = await createUser(t);
    const rotated = await t.http.post('/api/v1/auth/refresh', { refreshToken: u.refreshToken });
    expect(rotated.status).toBe(200);
    expect((await me(rotated.body.accessToken)).status).toBe(200);
    t.clock.advance(REFRESH_REUSE_GRACE_MS + 1_000);
    const reused = await t.http.post('/api/v1/auth/refresh', { refreshToken: u.refreshToken });
    expect(reused.status).toBe(401);
    await expectRevoked(rotated.body.accessToken);
  });

  it('refuses a correctly signed token without a token version, or with a stale one', async () => {
    const u = await createUser(t);
    const claims = JSON.parse(Buffer.from(u.token.split('.')[1]!, 'base64url').toString());
    const sign = createSigner({
      key: t.ctx.jwtSecret,
      algorithm: 'HS256',
      iss: 'ordo',
      aud: 'ordo-api',
      expiresIn: 60_000,
      clockTimestamp: t.clock.now().getTime(),
    });
    const noVersion = sign({ sub: claims.sub, role: claims.role, sid: claims.sid });
    await expectRevoked(noVersion);
    const stale = sign({ sub: claims.sub, role: claims.role, sid: claims.sid, ver: 7 });
    await expectRevoked(stale);
    // A token claiming a higher role than the account has is refused, though well signed.
    const escalated = sign({ sub: claims.sub, role: 'admin', sid: claims.sid, ver: claims.ver });
    const res = await t.http.get('/api/v1/admin/users', { token: escalated });
    expect(res.status).toBe(401);
    expect((await me(u.token)).status).toBe(200);
  });
});

describe('create-admin on an existing account', () => {
  it('ends every access token of the account it promotes', async () => {
    const u = await createUser(t, { role: 'staff' });
    expect((await me(u.token)).status).toBe(200);
    const { created, user } = await ensureAdmin(t.ctx, {
      email: u.email,
      password: 'the operator set this one',
    });
    expect(created).toBe(false);
    expect(user.role).toBe('admin');
    await expectRevoked(u.token);
  });
});
