import type { AppContext } from '../../app-context.js';
import { inTransaction } from '../../db/commit-events.js';
import { failpoint } from '../../shared/failpoints.js';
import { changeStatus } from './lifecycle.js';
import { isOwner, type Caller } from './order-access.js';
import { getOrder, lockOrderFor, type Order } from './orders.service.js';

/**
 * Cancels an order, for its customer (unpaid orders only; signed in, or a guest with the
 * order's token) or for staff (unpaid or paid). The
 * path is chosen from the order as it is under its row lock, never from an earlier read: an
 * unpaid order releases its stock and promo use; a paid one is refunded in full and its goods
 * restocked unless `restock` is false (see the lifecycle table). A payment that settles after
 * the cancel commits finds a cancelled order and is refunded by the payments module.
 */
export async function cancelOrder(
  ctx: AppContext,
  caller: Caller,
  orderId: string,
  input: { reason?: string | undefined; restock?: boolean | undefined } = {},
): Promise<Order> {
  const now = ctx.clock.now();
  const wasPaid = await inTransaction(ctx.db, async (tx) => {
    const order = await lockOrderFor(tx, caller, orderId);
    await changeStatus(
      tx,
      ctx,
      order,
      'cancelled',
      {
        actor: caller,
        reason:
          input.reason ?? (isOwner(caller, order) ? 'cancelled by customer' : 'cancelled by staff'),
        now,
      },
      { restock: input.restock },
    );
    return order.status === 'paid';
  });
  // The refund job was enqueued with the cancel; running it now only makes it prompt. If this
  // fails or the process dies, the queued job does it.
  if (wasPaid) {
    failpoint('after-cancel-commit');
    await ctx.jobs.runNow(ctx, 'refund-cancelled-order', { orderId });
  }
  return getOrder(ctx, caller, orderId);
}
