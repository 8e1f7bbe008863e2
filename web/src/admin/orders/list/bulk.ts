import { z } from 'zod';
import type { Order } from '../../../api/types';
import { problemMessage } from '../../../api/problem';
import { cancelSchema, shipSchema } from '../order/order-actions';

export type BulkAction = 'ship' | 'cancel';

export interface BulkResult {
  id: string;
  number: string;
  ok: boolean;
  /** The new status on success, the API problem's detail on failure. */
  message: string;
}

/** Whether the server lists the action for the order (it still decides when asked). */
export function bulkEligible(action: BulkAction, order: Pick<Order, 'allowedActions'>): boolean {
  return order.allowedActions.includes(action);
}

/**
 * Runs one action on each selected order, one at a time (each is its own request and its own
 * transition under the order's lock), and reports each order's own outcome: one refusal never
 * hides the others' success.
 */
export async function runBulk(
  orders: Pick<Order, 'id' | 'number'>[],
  perform: (id: string) => Promise<Pick<Order, 'status'>>,
  describe: (status: Order['status']) => string,
): Promise<BulkResult[]> {
  const results: BulkResult[] = [];
  for (const order of orders) {
    try {
      const updated = await perform(order.id);
      results.push({
        id: order.id,
        number: order.number,
        ok: true,
        message: describe(updated.status),
      });
    } catch (error) {
      results.push({
        id: order.id,
        number: order.number,
        ok: false,
        message: problemMessage(error),
      });
    }
  }
  return results;
}

export function summarizeBulk(action: BulkAction, results: BulkResult[]): string {
  const done = results.filter((r) => r.ok).length;
  const failed = results.length - done;
  const verb = action === 'ship' ? 'shipped' : 'cancelled';
  const parts = [
    `${done} of ${results.length} ${results.length === 1 ? 'order' : 'orders'} ${verb}`,
  ];
  if (failed > 0) parts.push(`${failed} refused`);
  return parts.join(', ');
}

/** The bulk dialog's fields: a carrier for all (ship), a reason and restocking (cancel). */
export const bulkFormSchema = z.object({
  carrier: shipSchema.shape.carrier,
  ...cancelSchema.shape,
});
