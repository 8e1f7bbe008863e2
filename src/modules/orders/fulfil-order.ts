import type { AppContext } from '../../app-context.js';
import type { Actor } from '../auth/auth.service.js';
import { hydrate, lockOrderFor, transition, type Order } from './orders.service.js';

/** Staff hand a paid order to a carrier: `shipped`, with carrier and tracking number, and an email. */
export async function shipOrder(
  ctx: Pick<AppContext, 'db' | 'clock' | 'jobs'>,
  actor: Actor,
  orderId: string,
  input: { carrier?: string | undefined; trackingNumber?: string | undefined },
): Promise<Order> {
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    const order = await lockOrderFor(tx, actor, orderId);
    const shipped = await transition(
      tx,
      order,
      'shipped',
      { actor, reason: input.carrier ? `shipped with ${input.carrier}` : 'shipped', now },
      { carrier: input.carrier ?? null, trackingNumber: input.trackingNumber ?? null },
    );
    await ctx.jobs.enqueue(tx, 'order-shipped-email', { orderId });
    const [result] = await hydrate(tx, [shipped]);
    return result!;
  });
}

export async function deliverOrder(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  actor: Actor,
  orderId: string,
): Promise<Order> {
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    const order = await lockOrderFor(tx, actor, orderId);
    const delivered = await transition(tx, order, 'delivered', { actor, reason: 'delivered', now });
    const [result] = await hydrate(tx, [delivered]);
    return result!;
  });
}
