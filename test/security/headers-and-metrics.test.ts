import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFRESH_COOKIE } from '../../src/modules/auth/refresh-cookie.js';
import { AUTH_COOKIE } from '../../src/shared/http-security.js';
import { createUser, type TestUser } from '../helpers/factories.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';

const METRICS_TOKEN = 'scrape-me-with-this-long-token';

let t: TestApp;
let guarded: TestApp;
let u: TestUser;
beforeAll(async () => {
  [t, guarded] = await Promise.all([buildTestApp(), buildTestApp({ METRICS_TOKEN })]);
  u = await createUser(t);
});
afterAll(async () => {
  await Promise.all([t.close(), guarded.close()]);
});

describe('security headers on every response', () => {
  it.each([
    ['an API answer', '/api/v1/products'],
    ['a problem (404)', '/api/v1/nothing-here'],
    ['the API documentation', '/docs/'],
    ['the OpenAPI document', '/openapi.json'],
    ['a health check', '/healthz'],
  ])(
    '%s has nosniff, a CSP with frame-ancestors none, frame denial and a referrer policy',
    async (_what, path) => {
      const res = await t.http.get(path);
      expect(res.status).toBeLessThan(500);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    },
  );
});

describe('Cache-Control: no-store on authenticated responses', () => {
  it('on an answer to a bearer token, success or error', async () => {
    const me = await t.http.get('/api/v1/me', { token: u.token });
    expect(me.status).toBe(200);
    expect(me.headers.get('cache-control')).toBe('no-store');
    const refused = await t.http.get('/api/v1/admin/users', { token: u.token });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('cache-control')).toBe('no-store');
    const badToken = await t.http.get('/api/v1/me', { token: 'not-a-token' });
    expect(badToken.headers.get('cache-control')).toBe('no-store');
    // A public page read with a token (the signed-in storefront) is not kept either.
    const products = await t.http.get('/api/v1/products', { token: u.token });
    expect(products.headers.get('cache-control')).toBe('no-store');
  });

  it('on an answer to the refresh cookie, and the cookie name is the auth module’s', async () => {
    expect(AUTH_COOKIE).toBe(REFRESH_COOKIE);
    const login = await t.http.post('/api/v1/auth/login', { email: u.email, password: u.password });
    const cookie = `${REFRESH_COOKIE}=${encodeURIComponent(login.body.refreshToken)}`;
    const refreshed = await t.http.post('/api/v1/auth/refresh', undefined, { headers: { cookie } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.headers.get('cache-control')).toBe('no-store');
  });

  it('not on anonymous public answers, which may be cached as their routes say', async () => {
    const res = await t.http.get('/api/v1/products');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control') ?? '').not.toContain('no-store');
  });
});

describe('/metrics', () => {
  it('without METRICS_TOKEN answers a local caller, and nobody else', async () => {
    const local = await t.http.get('/metrics');
    expect(local.status).toBe(200);
    expect(local.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(local.body).toContain('ordo_http_request_duration_seconds');

    const remote = await t.app.inject({ url: '/metrics', remoteAddress: '203.0.113.9' });
    expect(remote.statusCode).toBe(403);
    expect(remote.json()).toMatchObject({ code: 'FORBIDDEN' });
    expect(remote.body).not.toContain('ordo_');

    // Through a reverse proxy on this machine, every visitor would look local: refused.
    const proxied = await t.http.get('/metrics', { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(proxied.status).toBe(403);
  });

  it('with METRICS_TOKEN needs that bearer token, from anywhere', async () => {
    const none = await guarded.http.get('/metrics');
    expect(none.status).toBe(401);
    expect(none.body.code).toBe('UNAUTHENTICATED');
    const wrong = await guarded.http.get('/metrics', { token: 'wrong-token-of-some-length' });
    expect(wrong.status).toBe(403);
    // A user's access token is not the metrics token.
    const user = await createUser(guarded, { role: 'admin' });
    expect((await guarded.http.get('/metrics', { token: user.token })).status).toBe(403);
    const right = await guarded.app.inject({
      url: '/metrics',
      remoteAddress: '203.0.113.9',
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(right.statusCode).toBe(200);
    expect(right.body).toContain('ordo_');
  });
});
