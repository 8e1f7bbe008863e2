import type { AppContext } from '../../app-context.js';
import { AppError } from '../../shared/errors.js';
import { savedShippingAddress } from '../addresses/addresses.service.js';
import { normaliseEmail, type Actor } from '../auth/auth.service.js';
import { guestOrderToken, guestTokenHash } from './guest-token.js';
import { GUEST_ROLE, type Caller } from './order-access.js';
import type { ShippingAddress } from './order.table.js';
import type { Order } from './orders.service.js';

/**
 * Who places an order: a signed-in account, or a guest (guest checkout), known by the email
 * they give. A guest's order belongs to whoever holds its token until an account verifies
 * that email (then it joins the account: `claimGuestOrders`).
 */
export type Orderer = Actor | GuestOrderer;

export interface GuestOrderer {
  role: typeof GUEST_ROLE;
  userId?: undefined;
  /** Normalised (trimmed, lower case), as accounts store theirs. */
  email: string;
}

export const isGuest = (orderer: Orderer): orderer is GuestOrderer => orderer.role === GUEST_ROLE;

/**
 * The orderer of a request: the session's account, or, without one, a guest with the email the
 * body gives (required then; refused with a session, whose orders go to the account's email).
 */
export function ordererOf(actor: Actor | undefined, email: string | undefined): Orderer {
  if (actor) {
    if (email !== undefined) {
      throw new AppError(
        'VALIDATION_FAILED',
        "body.email: a signed-in customer's orders go to the account's email",
        {
          errors: [
            {
              path: 'body.email',
              message: "signed in, the order goes to the account's email: leave it out",
            },
          ],
        },
      );
    }
    return actor;
  }
  if (email === undefined) {
    throw new AppError('VALIDATION_FAILED', 'body.email: required to order without an account', {
      errors: [{ path: 'body.email', message: 'required to order without an account' }],
    });
  }
  return { role: GUEST_ROLE, email: normaliseEmail(email) };
}

/**
 * Whose Idempotency-Key an order request uses: the account's, or a guest's email (a replay
 * answers the guest's token, so another guest's key must not replay it: the same key, email
 * and body are needed).
 */
export const idempotencyOwner = (orderer: Orderer): string =>
  isGuest(orderer) ? `guest:${orderer.email}` : orderer.userId;

/**
 * The customer key a guest's promo code uses count under (a customer's per-code limit): their
 * email, until their orders join an account.
 */
export const guestCustomerKey = (email: string): string => `guest:${email}`;

/** The address an order or quote names: given, or one of the account's saved addresses. */
export async function shippingAddressFor(
  ctx: Pick<AppContext, 'db'>,
  orderer: Pick<Orderer, 'userId'> | undefined,
  input: { shippingAddress?: ShippingAddress | undefined; shippingAddressId?: string | undefined },
): Promise<ShippingAddress | undefined> {
  if (input.shippingAddressId === undefined) return input.shippingAddress;
  if (orderer?.userId === undefined) {
    throw new AppError('UNAUTHENTICATED', 'Sign in to ship to a saved address');
  }
  return savedShippingAddress(ctx.db, orderer.userId, input.shippingAddressId);
}

/** What placing an order answers: the order, and a guest its token (this once). */
export const placedAnswer = (
  ctx: Pick<AppContext, 'jwtSecret'>,
  orderer: Orderer,
  order: Order,
): Order & { guestToken?: string } =>
  isGuest(orderer) ? { ...order, guestToken: guestOrderToken(ctx.jwtSecret, order.id) } : order;

/**
 * Whose Idempotency-Key a request about one order uses (paying it): the account's, or a
 * guest's token's (by its hash), so a stored answer replays only to whoever holds the token.
 */
export const paymentOwner = (caller: Caller): string =>
  caller.userId ??
  `guest:${caller.orderToken === undefined ? 'no-token' : guestTokenHash(caller.orderToken)}`;
