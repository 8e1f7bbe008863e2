import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

type ContentSecurityPolicyDirectives = NonNullable<
  NonNullable<Parameters<typeof helmet.contentSecurityPolicy>[0]>['directives']
>;

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

/**
 * The headers a route is sent with. `standard` everywhere, unless the route's `config` says
 * otherwise: `nonced-page` for the storefront's HTML pages (a fresh style and script nonce
 * per response, `reply.cspNonce`), `inline-styles` for the back office's pages and /docs.
 */
export type SecurityHeaders = 'standard' | 'nonced-page' | 'inline-styles';

declare module 'fastify' {
  interface FastifyContextConfig {
    securityHeaders?: SecurityHeaders;
  }
  interface FastifyReply {
    /** The nonces of a `nonced-page` response's CSP, to put into its page. */
    cspNonce?: { script: string; style: string };
  }
}

/** Route options for the storefront's HTML pages: a fresh style nonce (`reply.cspNonce`). */
export const pageSecurity = { config: { securityHeaders: 'nonced-page' } } as const;

/** Route options for the back office's HTML pages. */
export const adminPageSecurity = { config: { securityHeaders: 'inline-styles' } } as const;

const nonces = new WeakMap<ServerResponse, { script: string; style: string }>();
const nonce = (kind: 'script' | 'style') => (_req: IncomingMessage, res: ServerResponse) =>
  `'nonce-${nonces.get(res)?.[kind] ?? ''}'`;

function headersWith(directives: ContentSecurityPolicyDirectives) {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    strictTransportSecurity: false,
    crossOriginEmbedderPolicy: false,
  });
}

/**
 * The headers a helmet middleware sets when nothing in them depends on the request: run once
 * against a response that only records them.
 */
function staticHeaders(middleware: ReturnType<typeof helmet>): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: unknown) {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
    getHeader: (name: string) => headers[name.toLowerCase()],
  };
  let finished = false;
  middleware({} as IncomingMessage, recorder as unknown as ServerResponse, () => {
    finished = true;
  });
  if (!finished) throw new Error('helmet did not set its headers synchronously');
  return headers;
}

/**
 * The policies without a nonce as the headers helmet sets for them, computed once and added to
 * each reply as they are; the nonced page's helmet middleware, built once, runs per response.
 * (@fastify/helmet, which Ordo used before, built helmet afresh on every request, parsing the
 * CSP each time: about 7% of a cached catalog read; running even a prebuilt helmet per request
 * was 4% of an order's.)
 */
const fixedHeaders: Record<Exclude<SecurityHeaders, 'nonced-page'>, Record<string, string>> = {
  standard: staticHeaders(headersWith({ ...contentSecurityPolicy })),
  'inline-styles': staticHeaders(headersWith({ ...inlineStylesContentSecurityPolicy })),
};
const noncedPage = headersWith({
  ...contentSecurityPolicy,
  'script-src': [...contentSecurityPolicy['script-src'], nonce('script')],
  'style-src': [...contentSecurityPolicy['style-src'], nonce('style')],
});

/**
 * Security headers on every response (helmet): the CSP above, nosniff, frame-ancestors
 * 'none' (and X-Frame-Options DENY for old browsers), a strict referrer policy.
 * Upgrade-insecure-requests and HSTS are left to the TLS-terminating proxy: Ordo itself speaks
 * plain HTTP on loopback, and upgrading there would break every asset. Register it before the
 * routes: the /docs policy is attached to routes as they are added.
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (route.url === '/docs' || route.url.startsWith('/docs/')) {
      route.config = Object.assign(route.config ?? {}, {
        securityHeaders: 'inline-styles' satisfies SecurityHeaders,
      });
    }
  });
  app.addHook('onRequest', (request, reply, done) => {
    const policy = request.routeOptions.config.securityHeaders ?? 'standard';
    if (policy !== 'nonced-page') {
      void reply.headers(fixedHeaders[policy]);
      done();
      return;
    }
    const pair = {
      script: randomBytes(16).toString('hex'),
      style: randomBytes(16).toString('hex'),
    };
    nonces.set(reply.raw, pair);
    reply.cspNonce = pair;
    noncedPage(request.raw, reply.raw, (error) => done(error as Error | undefined));
  });
}
