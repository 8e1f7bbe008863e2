import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../app-context.js';
import { bearerSecurity, requireRoleOrGuest } from '../auth/auth.guard.js';
import type { Caller } from './order-access.js';

/** The request header that carries a guest order's token. */
export const ORDER_TOKEN_HEADER = 'x-order-token';

/** OpenAPI security of the routes that open one order: a bearer token, or the order's token. */
export const orderTokenSecurity = [...bearerSecurity, { orderToken: [] }];

/** OpenAPI security of the routes a guest may call without anything: a bearer token, or none. */
export const optionalBearerSecurity = [...bearerSecurity, {}];

const orderTokenOf = (request: FastifyRequest): string | undefined => {
  const token = request.headers[ORDER_TOKEN_HEADER];
  return typeof token === 'string' && token !== '' ? token : undefined;
};

/**
 * Who asks about one order: the signed-in account, or a guest; either with the order token
 * the request carries. A token opens its order whether or not guest checkout is still on (the
 * orders it opened stay the guest's); without a session or a token, the request is a guest's
 * only while guest checkout is on (it then finds no order: 404), and 401 otherwise.
 */
export function orderCallerHook(ctx: Pick<AppContext, 'tokens' | 'config'>) {
  return requireRoleOrGuest(
    ctx.tokens,
    (request) => ctx.config.allowGuestCheckout || orderTokenOf(request) !== undefined,
  );
}

/** Routes that place or price an order: a guest's too, while guest checkout is on. */
export function checkoutCallerHook(ctx: Pick<AppContext, 'tokens' | 'config'>) {
  return requireRoleOrGuest(ctx.tokens, () => ctx.config.allowGuestCheckout);
}

/** The caller of a route behind orderCallerHook or checkoutCallerHook. */
export function orderCallerOf(request: FastifyRequest): Caller {
  const orderToken = orderTokenOf(request);
  return request.actor ? { ...request.actor, orderToken } : { role: 'guest', orderToken };
}
