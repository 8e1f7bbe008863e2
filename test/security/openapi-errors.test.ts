import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorStatus } from '../../src/shared/errors.js';
import { declaredRoutes } from '../../src/shared/http-security.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
type Json = Record<string, any>;
let doc: Json;
beforeAll(async () => {
  t = await buildTestApp();
  const res = await t.http.get('/openapi.json');
  expect(res.status).toBe(200);
  doc = res.body;
});
afterAll(() => t.close());

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const operations = () =>
  Object.entries(doc.paths as Record<string, Json>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => ({
        id: `${method.toUpperCase()} ${path}`,
        path,
        method,
        op: op as Json,
      })),
  );

describe('the OpenAPI document', () => {
  it('documents the problem schema with every error code', () => {
    const problem = doc.components.schemas.Problem;
    expect(problem.required).toEqual(
      expect.arrayContaining(['type', 'title', 'status', 'detail', 'code', 'requestId']),
    );
    expect(problem.properties.code.enum).toEqual(Object.keys(errorStatus));
  });

  it('gives every operation its error responses as application/problem+json', () => {
    const ops = operations();
    expect(ops.length).toBeGreaterThan(40);
    for (const { id, path, op } of ops) {
      const errors = Object.keys(op.responses).filter((s) => Number(s) >= 400);
      // Every operation can at least meet a database that is down.
      expect([id, errors]).toEqual([id, expect.arrayContaining(['503'])]);
      for (const status of errors) {
        const response = op.responses[status];
        const schema = response.content?.['application/problem+json']?.schema;
        expect([id, status, schema?.$ref]).toEqual([id, status, '#/components/schemas/Problem']);
        // The description names the codes of that status.
        const codes = Object.entries(errorStatus)
          .filter(([, s]) => String(s) === status)
          .map(([c]) => c);
        for (const code of codes) expect(response.description).toContain(code);
      }
      if (op.security) expect([id, errors]).toEqual([id, expect.arrayContaining(['401', '403'])]);
      if (op.requestBody)
        expect([id, errors]).toEqual([id, expect.arrayContaining(['400', '415'])]);
      if (path.includes('{')) expect([id, errors]).toEqual([id, expect.arrayContaining(['404'])]);
    }
  });

  it('documents 401 on login and refresh, which refuse credentials without a bearer token', () => {
    for (const path of ['/api/v1/auth/login', '/api/v1/auth/refresh']) {
      expect(Object.keys(doc.paths[path].post.responses)).toContain('401');
    }
  });

  it('documents 429 on the throttled routes: auth and promo codes', () => {
    for (const id of [
      'post /api/v1/auth/login',
      'post /api/v1/orders/quote',
      'post /api/v1/orders',
    ]) {
      const [method, path] = id.split(' ') as [string, string];
      expect(Object.keys(doc.paths[path][method].responses)).toContain('429');
    }
  });

  it('has every served route, or excludes it by name: the document, its viewer and the web UI files', () => {
    /** Served, but not API operations: documented here as left out on purpose. */
    const EXCLUDED = [
      /^\/openapi\.json$/, // the document itself
      /^\/docs(\/|$)/, // Swagger UI, the document's viewer
      /^\/$/, // the web UI: index.html for page paths,
      /^\/\*$/, // its page fallback,
      /^\/admin(\/\*)?$/, // the back office's pages,
      /^\/[\w.-]+\.\w+$/, // and its top-level files (favicon, robots.txt)
      /^\/assets\//, // and its built assets
    ];
    const routes = declaredRoutes(t.app).filter((r) => r.method !== 'HEAD');
    expect(routes.length).toBeGreaterThan(40);
    const missing = routes.filter((r) => {
      const path = r.url.replace(/:(\w+)/g, '{$1}');
      const inDocument = doc.paths[path]?.[r.method.toLowerCase()] !== undefined;
      return !inDocument && !EXCLUDED.some((re) => re.test(r.url));
    });
    expect(missing).toEqual([]);
    // Nothing excluded is an API route.
    for (const r of routes.filter((r) => !r.documented)) expect(r.url).not.toMatch(/^\/api\//);
  });

  it('lists /metrics, behind a bearer token', () => {
    const metrics = doc.paths['/metrics']?.get;
    expect(metrics).toBeDefined();
    expect(metrics.security).toEqual([{ bearerAuth: [] }]);
    expect(Object.keys(metrics.responses)).toEqual(expect.arrayContaining(['200', '401', '403']));
  });

  it('every nullable enum lists null among its values', () => {
    const found: string[] = [];
    const walk = (node: unknown, where: string) => {
      if (!node || typeof node !== 'object') return;
      const n = node as Json;
      if (n.nullable === true && Array.isArray(n.enum)) {
        found.push(where);
        expect([where, n.enum]).toEqual([where, expect.arrayContaining([null])]);
      }
      for (const [k, v] of Object.entries(n)) walk(v, `${where}/${k}`);
    };
    walk(doc, '#');
    // The order history's `from` and the other nullable enums are among them.
    expect(found.length).toBeGreaterThanOrEqual(2);
    expect(found.some((w) => w.includes('from'))).toBe(true);
  });

  it('error responses still leave as problem+json that matches the schema (validation, auth, not found)', async () => {
    const bad = await t.http.post('/api/v1/auth/login', { email: 1 });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(bad.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(bad.body.errors[0]).toMatchObject({
      path: expect.any(String),
      message: expect.any(String),
    });
    const anonymous = await t.http.get('/api/v1/me');
    expect(anonymous.body).toMatchObject({
      status: 401,
      code: 'UNAUTHENTICATED',
      requestId: expect.any(String),
    });
    const wrongType = await t.http.post('/api/v1/auth/login', undefined, {
      raw: 'email=a',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect([400, 415]).toContain(wrongType.status);
    expect(wrongType.body.code).toMatch(/VALIDATION_FAILED|UNSUPPORTED_MEDIA_TYPE/);
  });
});
