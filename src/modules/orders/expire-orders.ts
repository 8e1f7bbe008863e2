import type { AppContext } from '../../app-context.js';
import { inTransaction } from '../../db/commit-events.js';
import { SYSTEM_ACTOR } from '../auth/system-actor.js';
import { changeStatus } from './lifecycle.js';
import * as repo from './order.repository.js';

/**
 * The expiry sweep: unpaid orders past their deadline (by the clock module) become `expired`,
 * their stock and promo use returned. Each is decided under its row lock, so running the sweep
 * twice, or in two workers at once, or racing a payment, expires an order at most once, and
 * never one whose payment is still processing (it waits for that payment to settle).
 */
export async function expireOverdueOrders(
  ctx: Pick<AppContext, 'db' | 'clock' | 'jobs' | 'redis' | 'logger'>,
): Promise<number> {
  const now = ctx.clock.now();
  let expired = 0;
  for (const candidate of await repo.findOverdue(ctx.db, now, 100)) {
    const done = await inTransaction(ctx.db, async (tx) => {
      const order = await repo.lockOrder(tx, candidate.id);
      if (!order || order.status !== 'pending_payment' || order.expiresAt > now) return false;
      if (order.paymentInProgress) return false;
      await changeStatus(tx, ctx, order, 'expired', {
        actor: SYSTEM_ACTOR,
        reason: 'not paid in time',
        now,
      });
      return true;
    });
    if (done) expired++;
  }
  return expired;
}
