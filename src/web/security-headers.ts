import fastifyHelmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * The Content-Security-Policy of every response. The web UI is built by Vite into script and
 * style files served from this origin: no inline scripts, no eval, no third-party origins.
 * Swagger UI at /docs (bundled by @fastify/swagger-ui, also served from here) works under the
 * same policy. `style-src 'unsafe-inline'` is the one concession, needed by both: radix-ui's
 * dialogs lock page scrolling with an injected <style> element, and Swagger UI injects styles
 * too (e2e/docs.spec.ts and the dialog tests fail without it). Styles cannot run code.
 */
export const contentSecurityPolicy = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'object-src': ["'none'"],
} as const;

/**
 * Security headers on every response (@fastify/helmet): the CSP above, nosniff,
 * frame-ancestors 'none' (and X-Frame-Options DENY for old browsers), a strict referrer policy.
 * Upgrade-insecure-requests and HSTS are left to the TLS-terminating proxy: Ordo itself speaks
 * plain HTTP on loopback, and upgrading there would break every asset.
 */
export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(fastifyHelmet, {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { ...contentSecurityPolicy },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    strictTransportSecurity: false,
    crossOriginEmbedderPolicy: false,
  });
}
