import type { AppContext } from '../../app-context.js';
import { returnStock } from '../catalog/catalog.service.js';
import {
  findOverdueOrders,
  lockOrderForSystem,
  orderLines,
  transition,
} from '../orders/orders.service.js';
import { releasePromo } from '../promotions/promotions.service.js';
import { hasProcessingPayment } from './payment.repository.js';

/**
 * The expiry sweep: unpaid orders past their deadline (by the clock module) become `expired`,
 * their stock and promo use returned. Each order is re-checked under its row lock, so running
 * the sweep twice, or in two workers at once, expires an order once. An order with a payment
 * still processing waits for that payment to settle.
 */
export async function expireOverdueOrders(
  ctx: Pick<AppContext, 'db' | 'clock' | 'jobs'>,
): Promise<number> {
  const now = ctx.clock.now();
  let expired = 0;
  for (const candidate of await findOverdueOrders(ctx, now)) {
    const done = await ctx.db.transaction(async (tx) => {
      const order = await lockOrderForSystem(tx, candidate.id);
      if (!order || order.status !== 'pending_payment' || order.expiresAt > now) return false;
      if (await hasProcessingPayment(tx, order.id)) return false;
      await transition(tx, order, 'expired', { actor: 'system', reason: 'not paid in time', now });
      await returnStock(tx, await orderLines(tx, order.id), {
        orderId: order.id,
        actorId: 'system',
        kind: 'release',
        reason: 'order expired',
        now,
      });
      await releasePromo(tx, order.id, now);
      return true;
    });
    if (done) expired++;
  }
  return expired;
}
