import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, type TestUser } from '../../helpers/factories.js';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import {
  countChecks,
  needsUser,
  openApi,
  operationsOf,
  type Json,
  type Operation,
} from './owasp.js';

countChecks('API8:2023 Security Misconfiguration');

// The headers, no-store and /metrics cases one by one are in
// test/security/headers-and-metrics.test.ts; every served route being documented is API9.

const SHOP = 'https://shop.example';
const EVIL = 'https://evil.example';

let t: TestApp;
let cors: TestApp;
let doc: Json;
let customer: TestUser;
beforeAll(async () => {
  [t, cors] = await Promise.all([buildTestApp(), buildTestApp({ CORS_ORIGINS: SHOP })]);
  doc = await openApi(t);
  customer = await createUser(t);
});
afterAll(async () => {
  await Promise.all([t.close(), cors.close()]);
});

const call = (o: Operation, token?: string, headers: Record<string, string> = {}) =>
  t.http.request(
    o.method,
    o.path.replace(/\{[^}]+\}/g, 'x_missing'),
    o.method === 'GET' || o.method === 'DELETE' ? undefined : {},
    { token, headers },
  );

/** A request with any method, written on a socket (fetch and inject refuse TRACE and friends). */
function rawRequest(method: string, path: string, headers: Record<string, string>) {
  const { port } = new URL(t.baseUrl);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('close', () =>
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), body: text }),
    );
    const lines = Object.entries({ host: 'localhost', connection: 'close', ...headers });
    socket.end(
      `${method} ${path} HTTP/1.1\r\n${lines.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`,
    );
  });
}

/** What must never be in an answer: stack frames, source paths, SQL, driver errors. */
const INTERNALS =
  /\bat .+:\d+:\d+|node_modules|\/work\/|src\/|\.ts\b|select .* from|insert into|syntax error at|duplicate key|ECONNREFUSED|pglite|drizzle|TypeError|ReferenceError/i;

function expectHardened(what: string, headers: Headers) {
  expect([what, headers.get('x-content-type-options')]).toEqual([what, 'nosniff']);
  const csp = headers.get('content-security-policy') ?? '';
  expect([what, csp]).toEqual([what, expect.stringContaining("frame-ancestors 'none'")]);
  expect([what, csp]).toEqual([what, expect.stringContaining("default-src 'self'")]);
  expect([what, headers.get('x-frame-options')]).toEqual([what, 'DENY']);
  expect([what, headers.get('referrer-policy')]).toEqual([what, 'strict-origin-when-cross-origin']);
  // Nothing that names the software and its version.
  expect([what, headers.get('x-powered-by')]).toEqual([what, null]);
  expect([what, headers.get('server')]).toEqual([what, null]);
}

describe('API8:2023 Security Misconfiguration', () => {
  it('every operation answers with the security headers, anonymous or signed in, success or error', async () => {
    const ops = operationsOf(doc);
    expect(ops.length).toBeGreaterThan(40);
    for (const o of ops) {
      const anonymous = await call(o);
      expectHardened(`${o.id} anonymous ${anonymous.status}`, anonymous.headers);
      if (needsUser(o)) {
        const signedIn = await call(o, customer.token);
        expectHardened(`${o.id} signed in ${signedIn.status}`, signedIn.headers);
        // A signed-in answer is never kept by a cache, whatever its status.
        expect([o.id, signedIn.headers.get('cache-control')]).toEqual([o.id, 'no-store']);
      }
    }
  });

  it('errors are problem+json without stack traces, paths, SQL or driver messages', async () => {
    const cases: [string, () => Promise<{ status: number; headers: Headers; body: unknown }>][] = [
      ['malformed JSON', () => t.http.post('/api/v1/auth/login', undefined, { raw: '{"email":' })],
      ['a wrong type', () => t.http.post('/api/v1/auth/login', { email: ['a'], password: {} })],
      [
        'a NUL byte',
        () => t.http.post('/api/v1/auth/login', { email: 'a\u0000@x.test', password: 'x' }),
      ],
      ['an unknown route', () => t.http.get('/api/v1/nothing/here')],
      ['a malformed id', () => t.http.get("/api/v1/products/'%20or%201=1--", {})],
      ['a huge page', () => t.http.get('/api/v1/products?page=99999999999999999999')],
      ['a bad sort', () => t.http.get('/api/v1/products?sort=password')],
      [
        'a method the route does not have',
        () => t.http.post('/api/v1/me', {}, { token: customer.token }),
      ],
      [
        'a wrong content type',
        () =>
          t.http.post('/api/v1/orders/quote', undefined, {
            raw: '<xml/>',
            token: customer.token,
            headers: { 'content-type': 'application/xml' },
          }),
      ],
      ['a bad bearer', () => t.http.get('/api/v1/me', { token: 'eyJhbGciOiJIUzI1NiJ9.e30.x' })],
    ];
    for (const [what, send] of cases) {
      const res = await send();
      expect([what, res.status >= 400 && res.status < 500]).toEqual([what, true]);
      if (res.status !== 200) {
        expect([what, res.headers.get('content-type')]).toEqual([
          what,
          expect.stringMatching(/^application\/problem\+json/),
        ]);
        expect([what, JSON.stringify(res.body)]).not.toEqual([
          what,
          expect.stringMatching(INTERNALS),
        ]);
        expect([what, (res.body as Json).requestId]).toEqual([what, expect.any(String)]);
      }
    }
  });

  it('TRACE, TRACK, CONNECT and unknown methods are refused and never echo the request', async () => {
    for (const method of ['TRACE', 'TRACK', 'PROPFIND', 'SEARCH', 'PURGE']) {
      const res = await rawRequest(method, '/api/v1/products', {
        authorization: `Bearer ${customer.token}`,
        'x-secret-probe': 'echo-me',
      });
      expect([method, res.status]).toEqual([method, expect.toBeOneOf([400, 404, 405])]);
      expect([method, res.body]).not.toEqual([method, expect.stringContaining('echo-me')]);
      expect([method, res.body]).not.toEqual([method, expect.stringContaining(customer.token)]);
    }
  });

  it('without CORS_ORIGINS, no origin is allowed: no Access-Control-Allow-Origin, preflights included', async () => {
    const simple = await t.http.get('/api/v1/products', { headers: { origin: EVIL } });
    expect(simple.status).toBe(200);
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await t.http.request('OPTIONS', '/api/v1/orders', undefined, {
      headers: {
        origin: EVIL,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('with CORS_ORIGINS, only those origins are allowed, without credentials, and never a wildcard', async () => {
    const allowed = await cors.http.request('OPTIONS', '/api/v1/orders', undefined, {
      headers: {
        origin: SHOP,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(allowed.status).toBeLessThan(300);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();
    for (const origin of [EVIL, `${SHOP}.evil.example`, 'null', 'http://shop.example']) {
      const refused = await cors.http.get('/api/v1/products', { headers: { origin } });
      expect([origin, refused.headers.get('access-control-allow-origin')]).toEqual([origin, null]);
      const preflight = await cors.http.request('OPTIONS', '/api/v1/orders', undefined, {
        headers: { origin, 'access-control-request-method': 'POST' },
      });
      expect([origin, preflight.headers.get('access-control-allow-origin')]).toEqual([
        origin,
        null,
      ]);
    }
    const simple = await cors.http.get('/api/v1/products', { headers: { origin: SHOP } });
    expect(simple.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(simple.headers.get('access-control-allow-origin')).not.toBe('*');
  });

  it('/metrics is not open: refused from another address and through a proxy', async () => {
    const remote = await t.app.inject({ url: '/metrics', remoteAddress: '100.64.9.9' });
    expect(remote.statusCode).toBe(403);
    expect(remote.body).not.toContain('ordo_');
    const proxied = await t.http.get('/metrics', { headers: { 'x-forwarded-for': '100.64.9.9' } });
    expect(proxied.status).toBe(403);
  });

  it('the refresh cookie is HttpOnly, SameSite=Strict and scoped to the auth routes', async () => {
    const login = await t.http.post('/api/v1/auth/login', {
      email: customer.email,
      password: customer.password,
    });
    const cookie = login.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Path=\/api\/v1\/auth/);
    expect(login.headers.get('cache-control')).toBe('no-store');
  });
});
