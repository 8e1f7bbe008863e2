import type { AppContext } from '../../app-context.js';
import type { Actor } from '../auth/auth.service.js';
import { changeStatus } from './lifecycle.js';
import { lockOrderFor, orderFor, type Order } from './orders.service.js';

/** Staff hand a paid order to a carrier: `shipped`, with carrier and tracking number, and an email. */
export async function shipOrder(
  ctx: Pick<AppContext, 'db' | 'clock' | 'jobs' | 'redis' | 'logger'>,
  actor: Actor,
  orderId: string,
  input: { carrier?: string | undefined; trackingNumber?: string | undefined },
): Promise<Order> {
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    const order = await lockOrderFor(tx, actor, orderId);
    const shipped = await changeStatus(
      tx,
      ctx,
      order,
      'shipped',
      { actor, reason: input.carrier ? `shipped with ${input.carrier}` : 'shipped', now },
      { changes: { carrier: input.carrier ?? null, trackingNumber: input.trackingNumber ?? null } },
    );
    return orderFor(tx, ctx, actor, shipped);
  });
}

/** Staff confirm a shipped order arrived: `delivered`, and an email. */
export async function deliverOrder(
  ctx: Pick<AppContext, 'db' | 'clock' | 'jobs' | 'redis' | 'logger'>,
  actor: Actor,
  orderId: string,
): Promise<Order> {
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    const order = await lockOrderFor(tx, actor, orderId);
    const delivered = await changeStatus(tx, ctx, order, 'delivered', {
      actor,
      reason: 'delivered',
      now,
    });
    return orderFor(tx, ctx, actor, delivered);
  });
}
