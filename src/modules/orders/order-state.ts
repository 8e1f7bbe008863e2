import type { Actor } from '../auth/auth.service.js';
import type { OrderStatus } from './order.table.js';

/**
 * The order lifecycle, declared once. Every status change goes through `assertTransition`
 * and leaves a history entry; anything not listed here is 409 INVALID_TRANSITION.
 *
 * Each transition names who may make it: `customer` (the order's owner), `staff` (staff and
 * admins), or `system` (Ordo itself: payments, the expiry sweep).
 */
export type TransitionActor = 'customer' | 'staff' | 'system';

export const orderTransitions: Record<
  OrderStatus,
  Partial<Record<OrderStatus, TransitionActor[]>>
> = {
  pending_payment: {
    paid: ['system'],
    cancelled: ['customer', 'staff'],
    expired: ['system'],
  },
  // Cancelling a paid order refunds it (payments module).
  paid: {
    shipped: ['staff'],
    cancelled: ['staff'],
  },
  shipped: {
    delivered: ['staff'],
  },
  delivered: {},
  cancelled: {},
  expired: {},
};

export function canTransition(from: OrderStatus, to: OrderStatus, actor: TransitionActor): boolean {
  return orderTransitions[from][to]?.includes(actor) ?? false;
}

/** The lifecycle role of an account acting on an order. */
export const transitionActorOf = (role: Actor['role'] | 'system'): TransitionActor =>
  role === 'system' ? 'system' : role === 'customer' ? 'customer' : 'staff';
