import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { AppError } from './errors.js';
import { addErrorResponses } from './openapi-errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route takes a `promoCode` in its body: requests carrying one are throttled per
     * customer and per client address (RATE_LIMIT_PROMO, RATE_LIMIT_PROMO_ADDRESS).
     */
    promoAttempts?: boolean;
  }
}

/** A route as it was declared, for the check that every served route is documented. */
export interface DeclaredRoute {
  method: string;
  url: string;
  /** In the OpenAPI document: it has a schema that is not hidden. */
  documented: boolean;
}

const declared = new WeakMap<FastifyInstance, DeclaredRoute[]>();

/** Every route declared after the plugin was registered (HEAD routes fastify adds included). */
export const declaredRoutes = (app: FastifyInstance): readonly DeclaredRoute[] =>
  declared.get(app) ?? [];

/** The auth module's refresh cookie (`REFRESH_COOKIE`); shared code does not import modules. */
export const AUTH_COOKIE = 'ordo_refresh';

export interface HttpSecurityOptions {
  config: Pick<Config, 'metricsToken' | 'rateLimitPromo'>;
}

/**
 * Cross-cutting protections, applied to every route as it is declared (register it after
 * @fastify/rate-limit and @fastify/swagger, before the routes):
 * - `Cache-Control: no-store` on every response to an authenticated request (a bearer token,
 *   the refresh cookie or a guest order's token), so no browser or proxy cache keeps personal
 *   data;
 * - the promo-code throttle on routes marked `config.promoAttempts`;
 * - `/metrics` behind METRICS_TOKEN, or loopback only when it is unset;
 * - every operation's error responses documented with the problem schema, and nullable enums
 *   that list `null`, in the OpenAPI document.
 * Security headers themselves (CSP, nosniff, frame-ancestors, referrer policy) come from helmet
 * (`src/web/security-headers.ts`).
 */
export const httpSecurity = fp<HttpSecurityOptions>(
  async (app, { config }) => {
    app.addHook('onSend', async (request, reply) => {
      if (isAuthenticated(request)) void reply.header('cache-control', 'no-store');
    });

    const promoThrottle = promoThrottleHook(app, config.rateLimitPromo);
    const metricsGuard = metricsGuardHook(config.metricsToken);
    const routes: DeclaredRoute[] = [];
    declared.set(app, routes);
    app.addHook('onRoute', (route) => {
      const schema = route.schema;
      for (const method of [route.method].flat()) {
        routes.push({ method, url: route.url, documented: !!schema && !schema.hide });
      }
      if (route.url === '/metrics') route.onRequest = [metricsGuard, ...hooks(route.onRequest)];
      if (route.config?.promoAttempts) {
        route.preHandler = [...hooks(route.preHandler), promoThrottle];
      }
      addErrorResponses(route);
    });

    listNullInNullableEnums(app);
  },
  { name: 'ordo-http-security', dependencies: ['@fastify/rate-limit', '@fastify/swagger'] },
);

type RequestHook = (request: FastifyRequest) => Promise<void>;

const hooks = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

function isAuthenticated(request: FastifyRequest): boolean {
  // A guest order's token (X-Order-Token) opens an order as a session would.
  if (request.headers.authorization || request.headers['x-order-token']) return true;
  const cookie = request.headers.cookie;
  return cookie !== undefined && new RegExp(`(^|;)\\s*${AUTH_COOKIE}=`).test(cookie);
}

/**
 * Counts every quote or order request that carries a promo code, once per customer and once
 * per client address, in the shared rate-limit store (Redis when configured). Counting every
 * attempt, not only failed ones, is what makes the count atomic: a burst of 300 parallel
 * guesses is cut off at the limit, where counting failures after the fact would let the whole
 * burst through. Requests without a code are never counted, so checkout stays open.
 */
function promoThrottleHook(app: FastifyInstance, limits: Config['rateLimitPromo']): RequestHook {
  // A guest (no session) is counted by address twice over: one shared bucket for all of them
  // would let one guesser shut every guest out of promo codes.
  const actorId = (request: FastifyRequest) =>
    (request as FastifyRequest & { actor?: { userId: string } }).actor?.userId ??
    `guest:${request.ip}`;
  const perCustomer = app.createRateLimit({
    max: limits.perCustomer,
    timeWindow: 60_000,
    keyGenerator: (request) => `promo:customer:${actorId(request)}`,
  });
  const perAddress = app.createRateLimit({
    max: limits.perAddress,
    timeWindow: 60_000,
    keyGenerator: (request) => `promo:address:${request.ip}`,
  });
  return async (request) => {
    const body = request.body as { promoCode?: unknown } | null | undefined;
    if (typeof body?.promoCode !== 'string') return;
    for (const [limit, who] of [
      [perCustomer, 'this account'],
      [perAddress, 'this address'],
    ] as const) {
      const state = await limit(request);
      if (!state.isAllowed && state.isExceeded) {
        throw new AppError(
          'RATE_LIMITED',
          `Too many promo code attempts from ${who}; retry in ${state.ttlInSeconds} s`,
          { retryAfter: Math.max(1, state.ttlInSeconds) },
        );
      }
    }
  };
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const FORWARDED = ['forwarded', 'x-forwarded-for', 'x-real-ip'];
const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * With METRICS_TOKEN, `/metrics` needs `Authorization: Bearer <token>` (401 without, 403 for a
 * wrong one). Without it, only a caller on this machine is answered, and not through a proxy
 * (no Forwarded / X-Forwarded-For / X-Real-IP header): a reverse proxy on the same host would
 * otherwise make every visitor look local.
 */
function metricsGuardHook(token: string | undefined): RequestHook {
  const expected = token ? digest(token) : undefined;
  return async (request) => {
    if (!expected) {
      const local = LOOPBACK.has(request.socket.remoteAddress ?? '');
      if (!local || FORWARDED.some((h) => request.headers[h] !== undefined)) {
        throw new AppError(
          'FORBIDDEN',
          '/metrics answers only local callers; set METRICS_TOKEN to scrape it from elsewhere',
        );
      }
      return;
    }
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    if (!match)
      throw new AppError('UNAUTHENTICATED', '/metrics needs the METRICS_TOKEN bearer token');
    if (!timingSafeEqual(digest(match[1]!), expected)) {
      throw new AppError('FORBIDDEN', 'Wrong metrics token');
    }
  };
}

/**
 * OpenAPI 3.0 spells a nullable enum `nullable: true` with `null` among the `enum` values
 * (without it, a strict validator refuses `null`); zod's converter leaves `null` out. Fixed
 * on the generated document, so every schema (order history `from`, an order's payment
 * status, …) is covered, present and future.
 */
function listNullInNullableEnums(app: FastifyInstance): void {
  const generate = app.swagger.bind(app) as (options?: unknown) => unknown;
  const fixed = (options?: unknown) => {
    const document = generate(options);
    if (document && typeof document === 'object') visit(document);
    return document;
  };
  (app as unknown as { swagger: typeof fixed }).swagger = fixed;
}

function visit(node: unknown, seen = new Set<object>()): void {
  if (!node || typeof node !== 'object' || seen.has(node)) return;
  seen.add(node);
  if (Array.isArray(node)) {
    for (const item of node) visit(item, seen);
    return;
  }
  const record = node as Record<string, unknown>;
  if (record.nullable === true && Array.isArray(record.enum) && !record.enum.includes(null)) {
    record.enum = [...(record.enum as unknown[]), null];
  }
  for (const value of Object.values(record)) visit(value, seen);
}
