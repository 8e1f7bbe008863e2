import type { AppContext } from '../../app-context.js';
import { AppError } from '../../shared/errors.js';
import type { Actor } from '../auth/auth.service.js';
import { changeStatus } from './lifecycle.js';
import { mayTrack, requireStaff } from './order-access.js';
import * as repo from './order.repository.js';
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

/**
 * Staff add or correct a shipped order's tracking: the order's carrier and tracking number
 * change, a history entry says so (status unchanged), and the customer is emailed. The email
 * job names the history entry, so each change is told once (its Message-ID derives from it)
 * and a correction is told again. Before shipping there is nothing to track: 409
 * INVALID_TRANSITION, like any change the order's status does not allow.
 */
export async function updateTracking(
  ctx: Pick<AppContext, 'db' | 'clock' | 'jobs'>,
  actor: Actor,
  orderId: string,
  input: { carrier: string; trackingNumber: string },
): Promise<Order> {
  requireStaff(actor);
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    const order = await lockOrderFor(tx, actor, orderId);
    if (!mayTrack(actor, order)) {
      throw new AppError(
        'INVALID_TRANSITION',
        `An order that is ${order.status} has no shipment to track`,
      );
    }
    const updated = await repo.updateOrder(tx, order.id, {
      carrier: input.carrier,
      trackingNumber: input.trackingNumber,
      updatedAt: now,
    });
    const seq = await repo.insertHistoryReturningSeq(tx, {
      orderId: order.id,
      fromStatus: order.status,
      toStatus: order.status,
      actorId: actor.userId,
      actorRole: actor.role,
      reason: `tracking: ${input.carrier} ${input.trackingNumber}`,
      createdAt: now,
    });
    await ctx.jobs.enqueue(tx, 'tracking-updated-email', { orderId: order.id, historySeq: seq });
    return orderFor(tx, ctx, actor, updated);
  });
}
