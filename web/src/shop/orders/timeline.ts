import type { HistoryEntry } from '../../api/types';
import { orderStatusLabels } from '../../ui/order-status';

/** Who made a change, as a customer reads it. */
export function actorLabel(
  entry: Pick<HistoryEntry, 'actorId' | 'actorRole'>,
  selfId: string | undefined,
): string {
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
