import type { HistoryEntry } from '../../api/types';
import { orderStatusLabels } from '../../ui/order-status';

/** Who made a change, as a customer reads it. */
export function actorLabel(
  entry: Pick<HistoryEntry, 'actorId' | 'actorRole'>,
  selfId: string | undefined,
): string {
  // A guest's change: made by the order's customer, the one person besides staff who sees it.
  if (entry.actorRole === 'guest') return 'You';
  if (!entry.actorId) return 'Ordo (automatic)';
  if (entry.actorId === selfId) return 'You';
  switch (entry.actorRole) {
    case 'admin':
    case 'staff':
      return 'Shop staff';
    case 'customer':
      return 'Customer';
    case null:
      return 'Someone';
    default:
      return entry.actorRole;
  }
}

export function transitionLabel(entry: Pick<HistoryEntry, 'from' | 'to'>): string {
  return entry.from === null ? 'Order placed' : orderStatusLabels[entry.to];
}

/** Oldest first, so the timeline reads top to bottom. */
export function sortHistory<T extends Pick<HistoryEntry, 'at'>>(history: T[]): T[] {
  return [...history].sort((a, b) => a.at.localeCompare(b.at));
}

/** A history entry's reason as a customer reads it: internal ids (pay_…, ord_…) left out. */
export function customerReason(reason: string | null): string | undefined {
  if (!reason) return undefined;
  const text = reason
    .replace(/\b[a-z]{2,5}_[0-9a-z]{10,}\b/g, '')
    .replace(/\s{2,}/g, ' ')
    .trim();
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : undefined;
}
