import { GUEST_ROLE, type Caller } from './order-access.js';
import type { OrderHistoryRow } from './order.repository.js';

/**
 * An order's history as its customer reads it. Staff type reasons for themselves (why an
 * order was cancelled or refunded, a note): those stay in the back office. The customer reads
 * what happened, in the shop's words, and their own words where they gave a reason.
 */
export function customerReason(entry: OrderHistoryRow, caller: Caller): string | null {
  if (entry.actorId !== null && entry.actorId === caller.userId) return entry.reason;
  // The customer's own words, signed in or as a guest with the order's token (only the order's
  // customer reads this view, and only its customer acts on it in these roles).
  if (entry.actorRole === GUEST_ROLE || entry.actorRole === 'customer') return entry.reason;
  if (entry.fromStatus === null) return 'Order placed';
  if (entry.fromStatus === entry.toStatus) return sameStatusReason(entry.reason ?? '');
  switch (entry.toStatus) {
    case 'pending_payment':
      return null;
    case 'paid':
      return 'Payment received';
    case 'shipped':
      // Written by shipOrder from the carrier staff chose for the customer's tracking.
      return entry.reason?.startsWith('shipped with ') ? capitalize(entry.reason) : 'Shipped';
    case 'delivered':
      return 'Delivered';
    case 'cancelled':
      return entry.actorRole === 'system' ? 'Cancelled' : 'Cancelled by the shop';
    case 'expired':
      return 'Not paid in time';
  }
}

/**
 * An entry that leaves the status as it was: a refund ("<reason>: refunded $10.00", written
 * by the payments path), the provider's refund total, a tracking change. Anything else (a
 * refused refund, a late payment's note) is for staff.
 */
function sameStatusReason(reason: string): string | null {
  const refunded = /: refunded ([^:]+)$/.exec(reason);
  if (refunded) return `Refunded ${refunded[1]}`;
  const atProvider = /^refunded at the provider: (.+) in all$/.exec(reason);
  if (atProvider) return `Refunded ${atProvider[1]} in all`;
  const tracking = /^tracking: (.+)$/.exec(reason);
  if (tracking) return `Tracking updated: ${tracking[1]}`;
  return null;
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
