import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaredRoutes } from '../../../src/shared/http-security.js';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { countChecks, openApi, operationsOf, type Json } from './owasp.js';

countChecks('API9:2023 Improper Inventory Management');

/** Served on purpose outside the document: the document, its viewer and the web UI's files. */
const NOT_OPERATIONS = [
  /^\/openapi\.json$/,
  /^\/docs(\/|$)/,
  /^\/$/,
  /^\/\*$/,
  /^\/admin(\/\*)?$/,
  /^\/[\w.-]+\.\w+$/,
  /^\/assets\//,
];
/** Outside /api/v1/: the operations an operator or a browser reaches at fixed places. */
const UNVERSIONED = ['/healthz', '/readyz', '/metrics', '/images/{file}'];

let t: TestApp;
let doc: Json;
let index: string;
beforeAll(async () => {
  t = await buildTestApp({}, { gateway: true });
  doc = await openApi(t);
  index = String((await t.http.get('/')).body);
});
afterAll(() => t.close());

const routes = () =>
  declaredRoutes(t.app)
    .filter((r) => r.method !== 'HEAD')
    .map((r) => ({ ...r, path: r.url.replace(/:(\w+)/g, '{$1}') }));

describe('API9:2023 Improper Inventory Management', () => {
  it('every route fastify serves is in the document, or served on purpose outside it by name', () => {
    const served = routes();
    expect(served.length).toBeGreaterThan(40);
    for (const r of served) {
      const documented = doc.paths[r.path]?.[r.method.toLowerCase()] !== undefined;
      const excluded = NOT_OPERATIONS.some((re) => re.test(r.url));
      expect([r.method, r.url, documented || excluded]).toEqual([r.method, r.url, true]);
      // What is left out is never an API route.
      if (!documented) expect(r.url).not.toMatch(/^\/api\//);
    }
  });

  it('every operation in the document is served: the document lists nothing that is not there', () => {
    const served = new Set(routes().map((r) => `${r.method} ${r.path}`));
    for (const o of operationsOf(doc)) expect([o.id, served.has(o.id)]).toEqual([o.id, true]);
  });

  it('every API path is versioned under /api/v1/; only the fixed operator and image paths are not', () => {
    const paths = Object.keys(doc.paths as Json);
    for (const path of paths) {
      expect([path, path.startsWith('/api/v1/') || UNVERSIONED.includes(path)]).toEqual([
        path,
        true,
      ]);
    }
    expect(paths.filter((p) => !p.startsWith('/api/v1/')).sort()).toEqual([...UNVERSIONED].sort());
    expect(doc.openapi).toBe('3.0.3');
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('every operation is tagged with its area; a deprecated one says what replaces it (none is, today)', () => {
    const deprecated: string[] = [];
    for (const o of operationsOf(doc)) {
      expect([o.id, o.op.tags?.length > 0]).toEqual([o.id, true]);
      if (o.op.deprecated) {
        deprecated.push(o.id);
        expect([o.id, o.op.description]).toEqual([o.id, expect.stringMatching(/\/api\/v\d+\//)]);
      }
      // Words that mean "old" without the flag that tells a client.
      expect([
        o.id,
        o.op.deprecated ?? false,
        /deprecated|legacy|obsolete/i.test(`${o.op.summary ?? ''} ${o.op.description ?? ''}`),
      ]).not.toEqual([o.id, false, true]);
    }
    expect(deprecated).toEqual([]);
  });

  it.each([
    '/api/v0/products',
    '/api/v2/products',
    '/api/products',
    '/api/v1/debug',
    '/api/v1/internal/users',
    '/api/v1/admin/debug',
    '/api/v1/graphql',
    '/api/v1/swagger.json',
    '/api/v1/health',
    '/api/v1/users',
    '/api/v1/test',
  ])('%s is not served: 404 NOT_FOUND problem', async (path) => {
    const res = await t.http.get(path);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('NOT_FOUND');
  });

  it.each([
    '/debug',
    '/debug/pprof',
    '/actuator/env',
    '/server-status',
    '/.env',
    '/.git/config',
    '/graphql',
    '/swagger.json',
    '/v1/payment_intents',
    '/v1/refunds',
    '/phpinfo.php',
    '/config.json',
  ])(
    '%s is nothing but a 404 or the web UI’s page: no debug endpoint, no file, no gateway',
    async (path) => {
      const res = await t.http.get(path);
      if (res.status === 200) {
        // The web UI's page fallback: the same HTML as /, not a file or an endpoint.
        expect(res.headers.get('content-type')).toMatch(/^text\/html/);
        expect(String(res.body).replace(/nonce="[^"]*"/g, '')).toBe(
          index.replace(/nonce="[^"]*"/g, ''),
        );
      } else {
        expect(res.status).toBe(404);
      }
      expect(
        String(typeof res.body === 'string' ? res.body : JSON.stringify(res.body)),
      ).not.toMatch(/JWT_SECRET|DATABASE_URL|\[core\]|"object":"payment_intent"/);
    },
  );

  it('the built-in payment gateway is not reachable on the API port, only on its own', async () => {
    const form = {
      raw: 'amount=100&currency=usd',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: 'Bearer sk_test_builtin',
      },
    };
    const onApi = await t.http.post('/v1/payment_intents', undefined, form);
    expect(onApi.status).toBe(404);
    expect(JSON.stringify(onApi.body)).not.toContain('"object":"payment_intent"');
    // It is there, on its own loopback port: the refusal above is about where, not whether.
    const own = await fetch(`${t.gatewayUrl()}/v1/payment_intents`, {
      method: 'POST',
      headers: form.headers,
      body: form.raw,
    });
    expect(own.status).toBe(200);
    expect(((await own.json()) as Json).object).toBe('payment_intent');
    expect(new URL(t.gatewayUrl()).port).not.toBe(new URL(t.baseUrl).port);
  });
});
