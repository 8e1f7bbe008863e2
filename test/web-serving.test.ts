import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerProblemHandler } from '../src/shared/problem.js';
import { registerSecurityHeaders } from '../src/web/security-headers.js';
import { webRoutes } from '../src/web/web.routes.js';
import { buildTestApp, type TestApp } from './helpers/test-app.js';

function expectSecurityHeaders(headers: Headers) {
  const csp = headers.get('content-security-policy') ?? '';
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toMatch(/script-src[^;]*unsafe-(inline|eval)/);
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("object-src 'none'");
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('x-frame-options')).toBe('DENY');
  expect(headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
}

describe('the real app', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => t?.close());

  it('sends the security headers on pages, API answers, errors and /docs', async () => {
    for (const path of ['/', '/api/v1/products', '/api/v1/nope', '/docs', '/healthz']) {
      const response = await fetch(t.baseUrl + path);
      expectSecurityHeaders(response.headers);
    }
  });

  it('allows inline styles only on /docs and /admin; storefront pages get a fresh nonce', async () => {
    const styleSrc = (headers: Headers) =>
      /style-src ([^;]*)/.exec(headers.get('content-security-policy') ?? '')?.[1] ?? '';
    const docs = await fetch(`${t.baseUrl}/docs/`);
    expect(styleSrc(docs.headers)).toBe("'self' 'unsafe-inline'");
    expect(docs.headers.get('content-security-policy')).toMatch(/script-src 'self'(;|$)/);
    for (const path of ['/admin', '/admin/orders/o1']) {
      const admin = await fetch(t.baseUrl + path);
      expect(styleSrc(admin.headers), path).toBe("'self' 'unsafe-inline'");
    }
    const api = await fetch(`${t.baseUrl}/api/v1/products`);
    expect(styleSrc(api.headers)).toBe("'self'");
    const first = await fetch(`${t.baseUrl}/products/p1`);
    const second = await fetch(`${t.baseUrl}/`);
    const nonce = /^'self' 'nonce-([0-9a-f]{32})'$/.exec(styleSrc(first.headers))?.[1];
    expect(nonce).toBeDefined();
    expect(styleSrc(second.headers)).not.toContain(nonce);
    expect(styleSrc(first.headers)).not.toContain('unsafe-inline');
  });

  it('answers page routes with the app (or the "not built" page), never cached', async () => {
    for (const path of [
      '/',
      '/products/prd_123',
      '/cart',
      '/checkout',
      '/orders/ord_1',
      '/orders/ord_1/confirmation',
      '/account/orders/ord_1',
      '/verify-email?token=abc',
      '/reset-password?token=abc',
      '/login',
      '/admin',
      '/admin/orders/ord_1',
    ]) {
      const response = await t.http.get(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type'), path).toMatch(/^text\/html/);
      expect(response.headers.get('cache-control'), path).toBe('no-cache');
      expect(response.body, path).toMatch(/<div id="root">|npm run build/);
    }
  });

  it('keeps 404 problem+json for API, ops and unknown paths: no SPA fallback there', async () => {
    for (const path of [
      '/api/v1/nope',
      '/api/v1/products/x/y/z',
      '/api',
      '/docs/nope.js',
      '/openapi.json/x',
      '/metrics/x',
      '/images/nothing-320.webp',
      '/healthz/x',
      '/readyz/x',
      '/assets/missing-abc123.js',
      '/no-such-page',
      '/wp-login.php',
      '//api/v1/admin/users',
      '//products',
    ]) {
      const response = await t.http.get(path);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type'), path).toMatch(/^application\/problem\+json/);
      expect(response.body.code, path).toBe('NOT_FOUND');
    }
  });

  it('answers a browser that navigates to an unknown page with the app and status 404', async () => {
    const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
    for (const path of ['/no-such-page', '/wp-login.php', '/shop/x?y=1']) {
      const response = await fetch(t.baseUrl + path, { headers: html });
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type'), path).toMatch(/^text\/html/);
      expect(await response.text(), path).toMatch(/<div id="root">|npm run build/);
    }
    // The server's own paths, and a path that starts with an empty segment, stay problems.
    for (const path of [
      '/api/v1/nope',
      '//api/v1/admin/users',
      '/images/x-320.webp',
      '/docs/x.js',
    ]) {
      const response = await fetch(t.baseUrl + path, { headers: html });
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type'), path).toMatch(/^application\/problem\+json/);
    }
  });

  it('still serves the API, its documents and the metrics', async () => {
    expect((await t.http.get('/openapi.json')).body.openapi).toBe('3.0.3');
    expect((await t.http.get('/api/v1/products')).status).toBe(200);
    expect((await t.http.get('/metrics')).status).toBe(200);
    const docs = await t.http.get('/docs/');
    expect(docs.status).toBe(200);
    expect(docs.body).toContain('swagger-ui');
  });
});

describe('the built UI', () => {
  let root: string;
  let app: FastifyInstance;

  async function serve(webRoot: string): Promise<FastifyInstance> {
    const server = Fastify();
    registerProblemHandler(server);
    registerSecurityHeaders(server);
    await server.register(webRoutes({ root: webRoot }));
    return server;
  }

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ordo-web-'));
    await mkdir(join(root, 'assets'));
    await writeFile(
      join(root, 'index.html'),
      '<!doctype html><meta name="csp-nonce" content="__ORDO_CSP_NONCE__"><div id="root"></div>built-index',
    );
    await writeFile(join(root, 'assets', 'index-AbC123.js'), 'console.log(1)');
    await writeFile(
      join(root, 'assets', 'index-AbC123.js.br'),
      brotliCompressSync('console.log(1)'),
    );
    await writeFile(join(root, 'assets', 'index-AbC123.css'), 'body{}');
    await writeFile(join(root, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    app = await serve(root);
  });
  afterAll(async () => {
    await app?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('serves hashed assets with a year of immutable caching', async () => {
    const js = await app.inject('/assets/index-AbC123.js');
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers['x-content-type-options']).toBe('nosniff');
    const css = await app.inject('/assets/index-AbC123.css');
    expect(css.headers['content-type']).toMatch(/^text\/css/);
  });

  it('sends the precompressed file to a browser that accepts it, and never as a route', async () => {
    const js = await app.inject({
      url: '/assets/index-AbC123.js',
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-encoding']).toBe('br');
    expect(js.headers['vary']).toMatch(/accept-encoding/i);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(brotliDecompressSync(js.rawPayload).toString()).toBe('console.log(1)');
    expect((await app.inject('/assets/index-AbC123.js.br')).statusCode).toBe(404);
  });

  it('serves index.html for page routes only, with no-cache', async () => {
    for (const path of ['/', '/products/p1', '/admin', '/admin/products/p1?tab=images']) {
      const page = await app.inject(path);
      expect(page.statusCode, path).toBe(200);
      expect(page.body, path).toContain('built-index');
      expect(page.headers['cache-control'], path).toBe('no-cache');
    }
    expect((await app.inject('/api/v1/x')).statusCode).toBe(404);
    expect((await app.inject('/assets/nope.js')).statusCode).toBe(404);
    expect((await app.inject('/assets/../index.html')).statusCode).not.toBe(200);
  });

  it('writes the response’s style nonce into the page', async () => {
    const page = await app.inject('/cart');
    const csp = String(page.headers['content-security-policy']);
    // The style nonce: script-src carries one of its own.
    const nonce = /style-src 'self' 'nonce-([0-9a-f]{32})'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(page.body).toContain(`<meta name="csp-nonce" content="${nonce}">`);
  });

  it('serves the public files (favicon) with a day of caching', async () => {
    const icon = await app.inject('/favicon.svg');
    expect(icon.statusCode).toBe(200);
    expect(icon.headers['content-type']).toBe('image/svg+xml');
    expect(icon.headers['cache-control']).toBe('public, max-age=86400');
  });

  it('says to run npm run build when the UI is not built', async () => {
    const bare = await serve(join(root, 'missing'));
    try {
      const page = await bare.inject('/');
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.body).toContain('npm run build');
      expect((await bare.inject('/admin/orders')).body).toContain('npm run build');
      expect((await bare.inject('/api/v1/x')).statusCode).toBe(404);
    } finally {
      await bare.close();
    }
  });
});
