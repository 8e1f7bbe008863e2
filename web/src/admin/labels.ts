import type { components } from '../api/schema.gen';
import type { HistoryEntry } from '../api/types';
import { orderStatusLabels } from '../ui/order-status';

type Schemas = components['schemas'];
export type PaymentState = Schemas['Payment']['status'];
export type MovementKind = Schemas['StockMovement']['kind'];
export type EmailKind = Schemas['Email']['kind'];
export type JobStatus = Schemas['Job']['status'];
export type Role = Schemas['User']['role'];

export const paymentStateLabels: Record<PaymentState, string> = {
  processing: 'Processing',
  succeeded: 'Succeeded',
  failed: 'Failed',
  refunded: 'Refunded',
  partially_refunded: 'Partially refunded',
};

export const movementKindLabels: Record<MovementKind, string> = {
  adjustment: 'Adjustment',
  reserve: 'Reserved by an order',
  release: 'Released (order cancelled or expired)',
  restock: 'Restocked',
};

export const emailKindLabels: Record<EmailKind, string> = {
  verification: 'Email verification',
  'password-reset': 'Password reset',
  'order-confirmation': 'Order confirmation',
  'payment-receipt': 'Payment receipt',
  'order-shipped': 'Order shipped',
  'tracking-updated': 'Tracking updated',
  'order-delivered': 'Order delivered',
  'order-cancelled': 'Order cancelled',
  'order-refunded': 'Order refunded',
};

export const jobStatusLabels: Record<JobStatus, string> = {
  retrying: 'Failed, will retry',
  dead: 'Dead (no attempts left)',
};

export const roleLabels: Record<Role, string> = {
  customer: 'Customer',
  staff: 'Staff',
  admin: 'Admin',
};

/** Who made a change in an order's history, as staff read it: the role and the account id. */
/** Who made a change, by role and name (the API names people; ids mean nothing to staff). */
export function historyActor(
  entry: Pick<HistoryEntry, 'actorId' | 'actorRole' | 'actorName'>,
): string {
  // A guest's change: the customer of a guest checkout, with the order's token.
  if (entry.actorRole === 'guest') return 'Guest customer';
  if (!entry.actorId) return 'System (automatic)';
  const role = entry.actorRole ? (roleLabels[entry.actorRole as Role] ?? entry.actorRole) : 'User';
  return `${role} ${entry.actorName ?? '(a removed account)'}`;
}

export function historyTransition(
  entry: Pick<HistoryEntry, 'from' | 'to'> & { reason?: string | null },
): string {
  if (entry.from === null) return `Placed (${orderStatusLabels[entry.to]})`;
  // A refund or a tracking change writes history without changing the status; the server
  // writes a tracking change's reason as "tracking: <carrier> <number>".
  if (entry.from === entry.to) {
    const what = entry.reason?.startsWith('tracking: ') ? 'tracking changed' : 'payment changed';
    return `${orderStatusLabels[entry.to]}: ${what}`;
  }
  return `${orderStatusLabels[entry.from]} → ${orderStatusLabels[entry.to]}`;
}

/** A signed stock change as text: "+5", "−3". */
export function formatDelta(delta: number): string {
  return delta > 0 ? `+${delta}` : delta < 0 ? `−${Math.abs(delta)}` : '0';
}

/** What is left to refund: money taken minus money already given back, over the order's payments. */
export function refundableAmount(
  payments: { status: PaymentState; amount: number; refundedAmount: number }[],
): number {
  return payments
    .filter((p) => p.status === 'succeeded' || p.status === 'partially_refunded')
    .reduce((sum, p) => sum + p.amount - p.refundedAmount, 0);
}
