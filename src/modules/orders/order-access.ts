import { sql, type SQL } from 'drizzle-orm';
import { AppError, notFound } from '../../shared/errors.js';
import { isStaff, type Actor } from '../auth/auth.service.js';
import { SYSTEM_ACTOR } from '../auth/system-actor.js';
import { guestTokenHash, tokenOpens } from './guest-token.js';
import { mayChangeStatus } from './lifecycle.js';
import { orders } from './order.table.js';
import type { OrderStatus, PaymentStatus } from './order.table.js';

/**
 * Who may see an order and what they may do with it, answered in one place. Staff and admins
 * see every order; a customer sees their own, and whoever holds a guest order's token
 * (X-Order-Token) sees that order as its customer does; anybody else's is 404 exactly like an
 * order that does not exist (a 403 would say it exists). What an account may do next is the
 * lifecycle table's answer for its role and the order's status, narrowed by what the order
 * knows of its payments; the API sends it with every order as `allowedActions`, and the route
 * that takes an action refuses one the list leaves out.
 */

/** The actions an order can list, in the order they are listed. */
export const orderActions = ['pay', 'ship', 'deliver', 'cancel', 'refund'] as const;
export type OrderAction = (typeof orderActions)[number];

/**
 * Who asks: an account, or a guest (nobody signed in). Either may hold an order's token (the
 * `X-Order-Token` header), which makes them that order's customer.
 */
export type Caller = AccountCaller | GuestCaller;

export type AccountCaller = Pick<Actor, 'userId' | 'role'> & { orderToken?: string | undefined };

/** The role a guest acts in, as order history records it (with no actor id). */
export const GUEST_ROLE = 'guest';

/** Somebody not signed in: a guest placing an order, or holding one's token. */
export interface GuestCaller {
  role: typeof GUEST_ROLE;
  userId?: undefined;
  orderToken?: string | undefined;
}

/** Who an order is shown to, and when: what its `allowedActions` are computed for. */
export interface Viewer {
  caller: Caller;
  now: Date;
}

/**
 * The order's customer as viewer: for what a job tells them (an email), where no request says
 * who is asking.
 */
export const asItsCustomer = (order: Pick<OrderFacts, 'userId'>, now: Date): Viewer => ({
  // A guest's order: its customer is not signed in (its emails carry the order's token).
  caller: order.userId === null ? { role: 'guest' } : { userId: order.userId, role: 'customer' },
  now,
});

/** What the rules read from an order (its row, or the row about to be written). */
export interface OrderFacts {
  /** Null for a guest's order that has joined no account. */
  userId: string | null;
  /** A guest's order: the hash of the token that opens it. */
  guestTokenHash: string | null;
  status: OrderStatus;
  paymentStatus: PaymentStatus;
  paymentInProgress: boolean;
  expiresAt: Date;
  /** What the order cost: one that a promo code made free holds no money to give back. */
  total: number;
}

/** The action that is a status change, and the status it leads to. */
const statusOf = {
  ship: 'shipped',
  deliver: 'delivered',
  cancel: 'cancelled',
} as const satisfies Partial<Record<OrderAction, OrderStatus>>;

/** Payment statuses that say the order holds money a refund can give back. */
const refundable: readonly PaymentStatus[] = ['paid', 'partially_refunded'];

/** What says whose an order is. */
type Ownership = Pick<OrderFacts, 'userId' | 'guestTokenHash'>;

/**
 * Whether the caller is the order's customer: the account it belongs to, or the holder of its
 * token (a guest, or an account that has not joined the order: its email not verified yet).
 */
export const isOwner = (caller: Caller, order: Ownership) =>
  (caller.userId !== undefined && order.userId === caller.userId) ||
  tokenOpens(caller.orderToken, order.guestTokenHash);

/**
 * `isOwner` as a condition on the order's row, for a statement that checks ownership as it
 * writes (a payment attempt starting). It compares the token's hash in the database, so a
 * caller with a token is first checked by `visibleOrder` (in constant time) before it runs.
 */
export const ownedBySql = (caller: Caller): SQL =>
  sql`(${orders.userId} = ${caller.userId ?? null} or ${orders.guestTokenHash} = ${
    caller.orderToken === undefined ? null : guestTokenHash(caller.orderToken)
  })`;

/** Whether the caller may see the order: its customer, or staff. */
export const maySee = (caller: Caller, order: Ownership) =>
  isOwner(caller, order) || isStaff(caller);

/**
 * The order when the caller may see it; 404 when it does not exist or is somebody else's, and
 * for a wrong, forged or missing token.
 */
export function visibleOrder<T extends Ownership>(caller: Caller, order: T | undefined): T {
  if (order === undefined || !maySee(caller, order)) throw notFound('Order');
  return order;
}

/** 403 unless the caller is staff or an admin (the whole-shop views). */
export function requireStaff(caller: Caller): void {
  if (!isStaff(caller)) throw new AppError('FORBIDDEN', 'Staff only');
}

/**
 * Only the order's customer pays it (staff never hold the customer's card), while the order
 * takes payment: a payment may still make it `paid`, no attempt is in progress, and its
 * deadline has not passed (the sweep may not have run yet; the deadline still counts).
 */
export const mayPay = (caller: Caller, order: OrderFacts, now: Date) =>
  isOwner(caller, order) &&
  mayChangeStatus(order.status, 'paid', SYSTEM_ACTOR) &&
  !order.paymentInProgress &&
  order.expiresAt > now;

/** 403 unless the caller is the order's customer (staff see the order but do not pay it). */
export function requirePayer(caller: Caller, order: Ownership): void {
  if (!isOwner(caller, order)) {
    throw new AppError('FORBIDDEN', "Only the order's customer pays for it");
  }
}

/**
 * Staff refund what a paid order still holds. The order knows its payments by its payment
 * status, which moves when a refund is recorded: a refund still waiting on the provider is not
 * seen here, and the refund route then answers 409 like any other refused action.
 */
const mayRefund = (caller: Caller, order: OrderFacts) =>
  isStaff(caller) && order.total > 0 && refundable.includes(order.paymentStatus);

/** Statuses whose goods are with the carrier or arrived: their tracking may be added or corrected. */
const trackable: readonly OrderStatus[] = ['shipped', 'delivered'];

/**
 * Staff add or correct tracking once the order has shipped. It is not a status change, so it is
 * not among allowedActions, whose names the API contract fixes.
 */
export const mayTrack = (caller: Caller, order: Pick<OrderFacts, 'status'>) =>
  isStaff(caller) && trackable.includes(order.status);

/** What the caller may do with the order now; nothing when they may not see it. */
export function allowedActions(caller: Caller, order: OrderFacts, now: Date): OrderAction[] {
  if (!maySee(caller, order)) return [];
  return orderActions.filter((action) => {
    switch (action) {
      case 'pay':
        return mayPay(caller, order, now);
      case 'refund':
        return mayRefund(caller, order);
      case 'ship':
      case 'deliver':
      case 'cancel':
        return mayChangeStatus(order.status, statusOf[action], caller);
    }
  });
}
