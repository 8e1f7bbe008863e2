import type { AppContext } from '../../app-context.js';
import type { Tx } from '../../db/client.js';
import { AppError } from '../../shared/errors.js';
import type { JobName, JobPayloads } from '../../shared/jobs.js';
import { isStaff } from '../auth/auth.service.js';
import { GUEST_ACTOR, SYSTEM_ACTOR, type ActorOrSystem } from '../auth/system-actor.js';
import { returnStock } from '../catalog/stock.service.js';
import { releasePromo } from '../promotions/promotions.service.js';
import * as repo from './order.repository.js';
import type { GuestCaller } from './order-access.js';
import type { OrderRow } from './order.repository.js';
import type { OrderStatus, PaymentStatus } from './order.table.js';

/**
 * The order lifecycle, declared once: every status change an order can make, who may make
 * it, and the effects that come with it. `changeStatus` is the only way a status changes;
 * it runs in the caller's transaction, on a row the caller locked, so the decision and its
 * effects commit together or not at all. An effect that must reach the outside world (the
 * payment provider, an email) is a job enqueued in that transaction, never a call made here.
 *
 * Who: `customer` (the order's owner: its account, or a guest holding its token), `staff`
 * (staff and admins), `system` (Ordo itself: payment settlement, the expiry sweep).
 */
export type TransitionActor = 'customer' | 'staff' | 'system';

/** What effects use: the job queue, and the catalog cache's handles for stock that moves. */
type EffectContext = Pick<AppContext, 'jobs' | 'db' | 'redis' | 'logger'>;

/** What a transition's effects are told: the order before and after, who, why, and options. */
export interface StatusChange {
  before: OrderRow;
  after: OrderRow;
  /** A user id, or `system`. */
  actorId: string;
  reason: string;
  now: Date;
  /** Goods back to stock (paid → cancelled; default true). */
  restock: boolean;
  /** The payment that caused the change (pending_payment → paid). */
  paymentId?: string | undefined;
}

type Effect = (tx: Tx, ctx: EffectContext, change: StatusChange) => Promise<void>;

interface Transition {
  by: readonly TransitionActor[];
  effects: readonly Effect[];
}

// --- effects -------------------------------------------------------------------------------

/** Reserved stock of an unpaid order comes back, with a `release` movement per product. */
const releaseStock: Effect = async (tx, ctx, { after, actorId, reason, now }) => {
  await returnStock(ctx, tx, await repo.findLines(tx, [after.id]), {
    orderId: after.id,
    actorId,
    kind: 'release',
    reason,
    now,
  });
};

/** The promo code's use is given back, once (the redemption row is released only once). */
const releasePromoUse: Effect = (tx, _ctx, { after, now }) => releasePromo(tx, after.id, now);

/** A paid order's goods come back to stock, every unit not back yet, when the change asks. */
const restockGoods: Effect = async (tx, ctx, change) => {
  if (change.restock) await restockUnits(tx, ctx, change.after, 'all', change);
};

/**
 * The money goes back: a job (the provider is called outside any transaction), enqueued here
 * so a committed cancel cannot lose its refund. It starts a few seconds later because the
 * cancel runs it at once after commit (`cancelOrder`); this copy is the durable one, for when
 * that run fails or its process dies. The job is idempotent by its cause.
 */
const refundInFull: Effect = async (tx, ctx, { after }) => {
  await ctx.jobs.enqueue(tx, 'refund-cancelled-order', { orderId: after.id }, { startAfter: 5 });
};

type OrderEmail = {
  [N in JobName]: JobPayloads[N] extends { orderId: string } ? N : never;
}[JobName];

const email =
  (name: OrderEmail): Effect =>
  async (tx, ctx, { after }) => {
    await ctx.jobs.enqueue(tx, name, { orderId: after.id });
  };

const sendReceipt: Effect = async (tx, ctx, { paymentId }) => {
  if (!paymentId) throw new Error('a payment settles an order: paymentId is required');
  await ctx.jobs.enqueue(tx, 'payment-receipt-email', { paymentId });
};

// --- the table -----------------------------------------------------------------------------

export const orderLifecycle: Record<OrderStatus, Partial<Record<OrderStatus, Transition>>> = {
  pending_payment: {
    paid: { by: ['system'], effects: [sendReceipt] },
    cancelled: {
      by: ['customer', 'staff'],
      effects: [releaseStock, releasePromoUse, email('order-cancelled-email')],
    },
    expired: { by: ['system'], effects: [releaseStock, releasePromoUse] },
  },
  paid: {
    shipped: { by: ['staff'], effects: [email('order-shipped-email')] },
    cancelled: {
      by: ['staff'],
      effects: [refundInFull, restockGoods, releasePromoUse, email('order-cancelled-email')],
    },
  },
  shipped: {
    delivered: { by: ['staff'], effects: [email('order-delivered-email')] },
  },
  delivered: {},
  cancelled: {},
  expired: {},
};

/**
 * Who changes an order: an account (history keeps its id and role), a guest holding the
 * order's token (history keeps the role `guest`, no id), or Ordo itself.
 */
export type OrderActor = ActorOrSystem | GuestCaller;

/** The lifecycle role of an account acting on an order. */
const transitionActorOf = (actor: OrderActor): TransitionActor =>
  actor === SYSTEM_ACTOR ? 'system' : isStaff(actor) ? 'staff' : 'customer';

/** The actor id the stock ledger records. */
const ledgerActorId = (actor: OrderActor): string =>
  actor === SYSTEM_ACTOR ? SYSTEM_ACTOR : (actor.userId ?? GUEST_ACTOR);

/** Whether the table lets `actor` move an order from `from` to `to`. */
export const mayChangeStatus = (from: OrderStatus, to: OrderStatus, actor: OrderActor): boolean =>
  orderLifecycle[from][to]?.by.includes(transitionActorOf(actor)) ?? false;

export interface ChangeBy {
  actor: OrderActor;
  reason: string;
  now: Date;
}

/**
 * Moves a locked order to `to`: checked against the table, written with a history entry, and
 * followed by that transition's effects, all in the caller's transaction. An order that has
 * already moved on is 409 INVALID_TRANSITION: callers decide from the locked row, so a
 * change that raced another finds the other's result here.
 */
export async function changeStatus(
  tx: Tx,
  ctx: EffectContext,
  order: OrderRow,
  to: OrderStatus,
  by: ChangeBy,
  options: {
    restock?: boolean | undefined;
    paymentId?: string | undefined;
    changes?: {
      paymentStatus?: PaymentStatus;
      carrier?: string | null;
      trackingNumber?: string | null;
      paymentInProgress?: boolean;
    };
  } = {},
): Promise<OrderRow> {
  const transition = orderLifecycle[order.status][to];
  if (!transition || !mayChangeStatus(order.status, to, by.actor)) {
    throw new AppError(
      'INVALID_TRANSITION',
      `An order that is ${order.status} cannot become ${to}`,
    );
  }
  const after = await repo.updateOrderWithHistory(
    tx,
    order.id,
    { status: to, updatedAt: by.now, ...options.changes },
    historyEntry(order, to, by),
  );
  const change: StatusChange = {
    before: order,
    after,
    actorId: ledgerActorId(by.actor),
    reason: by.reason,
    now: by.now,
    restock: options.restock ?? true,
    paymentId: options.paymentId,
  };
  for (const effect of transition.effects) await effect(tx, ctx, change);
  return after;
}

/**
 * A change of payment status that leaves the order's status as it is (a refund): a history
 * entry with the same from and to, and the refund's effects: its email, and the units it chose
 * back to stock.
 */
export async function recordRefund(
  tx: Tx,
  ctx: EffectContext,
  order: OrderRow,
  refund: { refundId: string; paymentStatus: PaymentStatus; restock: RestockUnits },
  by: ChangeBy,
): Promise<OrderRow> {
  const after = await repo.updateOrderWithHistory(
    tx,
    order.id,
    { paymentStatus: refund.paymentStatus, updatedAt: by.now },
    historyEntry(order, order.status, by),
  );
  await restockUnits(tx, ctx, after, refund.restock, {
    actorId: ledgerActorId(by.actor),
    reason: by.reason,
    now: by.now,
  });
  await ctx.jobs.enqueue(tx, 'order-refunded-email', { refundId: refund.refundId });
  return after;
}

/** A history entry without a status change (a payment event on an order that has moved on). */
export async function noteOnOrder(tx: Tx, order: OrderRow, by: ChangeBy): Promise<void> {
  await repo.insertHistory(tx, historyEntry(order, order.status, by));
}

/** The history entry of a change of `order` to `to` (the same status for a note). */
function historyEntry(order: OrderRow, to: OrderStatus, by: ChangeBy): repo.NewHistory {
  return {
    orderId: order.id,
    fromStatus: order.status,
    toStatus: to,
    actorId: by.actor === SYSTEM_ACTOR ? null : (by.actor.userId ?? null),
    actorRole: by.actor === SYSTEM_ACTOR ? 'system' : by.actor.role,
    reason: by.reason,
    createdAt: by.now,
  };
}

/**
 * Units of an order's variant, as a refund chose them. `variantId` is absent only on rows
 * written for lines without one (before variants), which their `productId` names.
 */
export interface RestockLine {
  productId: string;
  variantId?: string | undefined;
  quantity: number;
}

/** Units of a paid order to put back: by variant, or `all` that are not back yet. */
export type RestockUnits = 'all' | readonly RestockLine[];

/** What a line's units are counted under: its variant (its product for a line without one). */
export const lineKey = (line: { productId: string; variantId?: string | null | undefined }) =>
  line.variantId ?? line.productId;

/**
 * Puts units of a paid order's lines back in stock, each unit once whatever asks for it (a
 * cancel, refunds): a line gives back at most what it holds (ordered less restocked), and
 * its count moves with a `restock` movement of its variant in the same transaction.
 */
async function restockUnits(
  tx: Tx,
  ctx: EffectContext,
  order: OrderRow,
  units: RestockUnits,
  by: { actorId: string; reason: string; now: Date },
): Promise<void> {
  if (units !== 'all' && units.length === 0) return;
  const wanted = new Map<string, number>();
  if (units !== 'all') {
    for (const u of units) wanted.set(lineKey(u), (wanted.get(lineKey(u)) ?? 0) + u.quantity);
  }
  const back: { variantId: string; quantity: number }[] = [];
  for (const line of await repo.findLines(tx, [order.id])) {
    const held = line.quantity - line.restockedQuantity;
    const key = lineKey(line);
    const take = units === 'all' ? held : Math.min(held, wanted.get(key) ?? 0);
    if (take > 0 && (await repo.restockLine(tx, line.id, take))) {
      back.push({ variantId: line.variantId, quantity: take });
      if (units !== 'all') wanted.set(key, (wanted.get(key) ?? 0) - take);
    }
  }
  if (back.length === 0) return;
  await repo.noteRestocked(tx, order.id, by.now);
  await returnStock(ctx, tx, back, {
    orderId: order.id,
    actorId: by.actorId,
    kind: 'restock',
    reason: by.reason,
    now: by.now,
  });
}
