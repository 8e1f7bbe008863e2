import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { adminPageSecurity, pageSecurity } from './security-headers.js';

/** Where `npm run build` puts the web UI (vite.config.ts); the same from src/web and dist/web. */
export const defaultWebRoot = fileURLToPath(new URL('../../dist/ui', import.meta.url));

/**
 * The first path segments of the UI's pages (web/src/shop/routes.tsx, web/src/admin/routes.tsx).
 * Only these are answered with the app's index.html, so a deep link survives a reload; every
 * other unknown path, and everything under /api, /docs, /images, ..., keeps its 404 problem.
 */
export const pageSegments: ReadonlySet<string> = new Set([
  '',
  'products',
  'cart',
  'checkout',
  'orders',
  'account',
  'login',
  'register',
  'verify-email',
  'reset-password',
  'forgot-password',
  'admin',
]);

export function isPagePath(url: string): boolean {
  const path = url.split(/[?#]/, 1)[0] ?? '/';
  if (path === '/') return true;
  // `//api/v1/...` has an empty first segment: it is no page (the home page is `/` alone).
  const first = path.split('/')[1] ?? '';
  return first !== '' && pageSegments.has(first);
}

/**
 * Paths whose answers are the server's own (the API, its documents, ops, images, assets): an
 * unknown one is a 404 problem whoever asks, never the app.
 */
const serverSegments: ReadonlySet<string> = new Set([
  'api',
  'docs',
  'openapi.json',
  'metrics',
  'images',
  'assets',
  'healthz',
  'readyz',
]);

/**
 * A browser navigating to an unknown page gets the app with status 404, so the person sees the
 * shop's "Page not found" with its way back instead of a problem document; any other client (or
 * an unknown path under the server's own segments, or one with an empty segment such as
 * `//api/...`) keeps the 404 problem+json.
 */
export function isUnknownPageNavigation(url: string, accept: string | undefined): boolean {
  if (!accept?.includes('text/html')) return false;
  const path = url.split(/[?#]/, 1)[0] ?? '/';
  const first = path.split('/')[1] ?? '';
  return first !== '' && !serverSegments.has(first);
}

/** Written by web/index.html's `csp-nonce` meta tag, replaced per response. */
const NONCE_PLACEHOLDER = '__ORDO_CSP_NONCE__';

const MIME: Record<string, string> = {
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

const notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Ordo: web UI not built</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5">
<h1>The web UI is not built</h1>
<p>This Ordo server runs, but its storefront and back office have not been built yet.
Run <code>npm run build</code> (<code>npm ci</code> does it too), then restart the server.</p>
<p>The API works meanwhile: see <a href="/docs">the API documentation</a>.</p>
</body></html>`;

export interface WebOptions {
  /** The built UI (index.html, assets/, public files); defaults to dist/ui. */
  root?: string;
}

/**
 * Serves the web UI: hashed assets under /assets/ cached for a year (immutable), the few
 * public files (favicon) for a day, and index.html (never cached, so a new build shows at
 * once) for the page paths above.
 */
export function webRoutes(options: WebOptions = {}) {
  const root = options.root ?? defaultWebRoot;
  return async function web(app: FastifyInstance): Promise<void> {
    const indexFile = join(root, 'index.html');
    const built = existsSync(indexFile);
    const index = built ? readFileSync(indexFile, 'utf8') : notBuiltPage;

    if (built && existsSync(join(root, 'assets'))) {
      await app.register(fastifyStatic, {
        root: join(root, 'assets'),
        prefix: '/assets/',
        // One route per file that exists: a missing asset is the app's 404, not a directory walk.
        wildcard: false,
        // The build writes .br and .gz beside each asset (vite.config.ts); they are not routes.
        preCompressed: true,
        globIgnore: ['**/*.br', '**/*.gz'],
        cacheControl: true,
        maxAge: '365d',
        immutable: true,
        etag: true,
        lastModified: false,
        index: false,
        list: false,
        dotfiles: 'deny',
      });
    }

    if (built) {
      for (const entry of readdirSync(root, { withFileTypes: true })) {
        const type = MIME[extname(entry.name)];
        if (!entry.isFile() || !type) continue;
        const body = readFileSync(join(root, entry.name));
        app.get(`/${entry.name}`, { schema: { hide: true } }, async (_request, reply) =>
          reply
            .header('content-type', type)
            .header('cache-control', 'public, max-age=86400')
            .send(body),
        );
      }
    }

    // The page's CSP nonce goes into the page, where the app hands it to the code that injects
    // <style> elements (web/src/main.tsx). It is fresh for every response.
    const sendIndex = (reply: FastifyReply) =>
      reply
        .header('content-type', 'text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(index.replaceAll(NONCE_PLACEHOLDER, reply.cspNonce?.style ?? ''));

    const page = { schema: { hide: true }, ...pageSecurity };
    app.get('/', page, async (_request, reply) => sendIndex(reply));
    // The storefront opens /admin with a full page load, so the back office always runs under
    // its own policy (web/src/shop/layout.tsx, account/auth-forms.tsx).
    const adminPage = { schema: { hide: true }, ...adminPageSecurity };
    app.get('/admin', adminPage, async (_request, reply) => sendIndex(reply));
    app.get('/admin/*', adminPage, async (_request, reply) => sendIndex(reply));
    app.get('/*', page, async (request, reply) => {
      if (isPagePath(request.url)) return sendIndex(reply);
      if (isUnknownPageNavigation(request.url, request.headers.accept)) {
        return sendIndex(reply.code(404));
      }
      return reply.callNotFound();
    });
  };
}
