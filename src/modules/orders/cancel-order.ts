import type { AppContext } from '../../app-context.js';
import type { Actor } from '../auth/auth.service.js';
import { returnStock } from '../catalog/catalog.service.js';
import { releasePromo } from '../promotions/promotions.service.js';
import * as repo from './order.repository.js';
import { hydrate, lockOrderFor, transition, type Order } from './orders.service.js';

/**
 * Cancels an unpaid order and puts its stock back. The order's row lock and the status check
 * under it make the release happen exactly once, however many cancels race.
 */
export async function cancelOrder(
  ctx: Pick<AppContext, 'db' | 'clock' | 'jobs'>,
  actor: Actor,
  orderId: string,
  reason?: string,
): Promise<Order> {
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    const order = await lockOrderFor(tx, actor, orderId);
    const cancelled = await transition(tx, order, 'cancelled', {
      actor,
      reason:
        reason ?? (actor.userId === order.userId ? 'cancelled by customer' : 'cancelled by staff'),
      now,
    });
    const lines = await repo.findLines(tx, [order.id]);
    await returnStock(tx, lines, {
      orderId: order.id,
      actorId: actor.userId,
      kind: 'release',
      now,
    });
    await releasePromo(tx, order.id, now);
    await ctx.jobs.enqueue(tx, 'order-cancelled-email', { orderId: order.id });
    const [result] = await hydrate(tx, [cancelled]);
    return result!;
  });
}
