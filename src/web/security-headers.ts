import fastifyHelmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * The Content-Security-Policy of every response. The web UI is built by Vite into script and
 * style files served from this origin: no inline scripts, no eval, no inline styles, no
 * third-party origins. The storefront's pages add a per-response style nonce (`pageSecurity`):
 * radix-ui's dialogs lock page scrolling with an injected <style> element, which carries it.
 */
export const contentSecurityPolicy = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'object-src': ["'none'"],
} as const;

/**
 * Pages whose code sets inline styles without a nonce get `style-src 'unsafe-inline'` and
 * nothing more: Swagger UI at /docs (bundled by @fastify/swagger-ui) and the back office at
 * /admin (its charts, recharts, write style attributes). Styles cannot run code; scripts stay
 * 'self' everywhere. e2e/docs.spec.ts and the back office's browser tests fail on a violation.
 */
export const inlineStylesContentSecurityPolicy = {
  ...contentSecurityPolicy,
  'style-src': ["'self'", "'unsafe-inline'"],
} as const;

const inlineStyles = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { ...inlineStylesContentSecurityPolicy },
  },
};

/** Route options for the storefront's HTML pages: a fresh style nonce (`reply.cspNonce`). */
export const pageSecurity = { helmet: { enableCSPNonces: true } } as const;

/** Route options for the back office's HTML pages. */
export const adminPageSecurity = { helmet: inlineStyles } as const;

/**
 * Security headers on every response (@fastify/helmet): the CSP above, nosniff,
 * frame-ancestors 'none' (and X-Frame-Options DENY for old browsers), a strict referrer policy.
 * Upgrade-insecure-requests and HSTS are left to the TLS-terminating proxy: Ordo itself speaks
 * plain HTTP on loopback, and upgrading there would break every asset. Register it before the
 * routes: the /docs policy is attached to routes as they are added.
 */
export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(fastifyHelmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: { ...contentSecurityPolicy } },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    strictTransportSecurity: false,
    crossOriginEmbedderPolicy: false,
  });
  app.addHook('onRoute', (route) => {
    if (route.url === '/docs' || route.url.startsWith('/docs/')) {
      // helmet reads its per-route options from the route's config at request time.
      route.config = Object.assign(route.config ?? {}, { helmet: inlineStyles });
    }
  });
}
