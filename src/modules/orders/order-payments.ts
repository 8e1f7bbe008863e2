import type { AppContext } from '../../app-context.js';
import { sql, type SQL } from 'drizzle-orm';
import { preparedRows, type Executor, type Tx } from '../../db/client.js';
import { AppError, notFound } from '../../shared/errors.js';
import { variantRequired } from '../catalog/stock.service.js';
import { formatMoney } from '../../shared/money.js';
import { SYSTEM_ACTOR, type ActorOrSystem } from '../auth/system-actor.js';
import {
  changeStatus,
  lineKey,
  noteOnOrder,
  recordRefund,
  type RestockLine,
  type RestockUnits,
} from './lifecycle.js';

export type { RestockLine, RestockUnits };
import { ownedBySql, requirePayer, visibleOrder, type Caller } from './order-access.js';
import * as repo from './order.repository.js';
import type { OrderRow } from './order.repository.js';
import type { PaymentStatus } from './order.table.js';

/**
 * What the payments module tells an order, and asks of it. Payments never read or write an
 * order row themselves: each function here is given the order as the caller locked it, first
 * in its transaction (`lockOrderForPayment`), and decides from that row. Lock order is always
 * the order first, then its payment, so a payment that settles while staff cancel can never
 * deadlock with it.
 */

type Ctx = Pick<AppContext, 'jobs' | 'db' | 'redis' | 'logger'>;

const lockedRow = Symbol('the locked order row');

/**
 * An order's row, locked by the caller's transaction: what `lockOrderForPayment` hands the
 * payments module and the functions below take. Its row is readable here only (the symbol is
 * not exported), so payments decide nothing from an order's fields. It stands for the row as
 * it was locked: each function below makes the one change its payment event calls for.
 */
export interface LockedOrder {
  readonly orderId: string;
  readonly [lockedRow]: OrderRow;
}

/** Takes the order's row lock (before a payment's), so changes of one order take turns. */
export async function lockOrderForPayment(tx: Tx, orderId: string): Promise<LockedOrder> {
  const order = await repo.lockOrder(tx, orderId);
  if (!order) throw notFound('Order');
  return { orderId, [lockedRow]: order };
}

/** Whether the order exists (a provider's event may name one that does not). */
export async function orderExists(db: Executor, orderId: string): Promise<boolean> {
  return (await repo.findOrder(db, orderId)) !== undefined;
}

/** 404 unless the caller may see the order (its customer, or staff). */
export async function requireVisibleOrder(
  ctx: Pick<AppContext, 'db'>,
  caller: Caller,
  orderId: string,
): Promise<void> {
  visibleOrder(caller, await repo.findOrder(ctx.db, orderId));
}

/**
 * A payment attempt begins: the order must be the actor's to pay (its customer's: staff see
 * it but do not pay it, see order-access), still take payment and have none in progress.
 * Marks it so, which keeps it from expiring and from a second attempt until this one settles,
 * and writes the attempt (`attempt`: the payments module's insert, selecting from `started`,
 * the order's id, total and currency) in the same statement. The update takes the order's row lock and checks under it, so it decides as a
 * locked read would, in one round trip and no transaction. When nothing started, the order is
 * read to say why; if by then it could start (a settling attempt ended in between), it is
 * tried again. Returns what to charge.
 */
export async function startPayment(
  db: Executor,
  caller: Caller,
  orderId: string,
  now: Date,
  attempt: (started: SQL) => SQL,
): Promise<{ amount: number; currency: string }> {
  // A token is checked in constant time before the statement compares its hash.
  if (caller.orderToken !== undefined) visibleOrder(caller, await repo.findOrder(db, orderId));
  for (;;) {
    const [started] = await preparedRows<{ total: number | string; currency: string }>(
      db,
      sql`
      with started as (
        update orders set payment_in_progress = true, updated_at = ${now}::timestamptz
         where id = ${orderId} and status = 'pending_payment' and not payment_in_progress
           and expires_at > ${now}::timestamptz
           and ${ownedBySql(caller)}
        returning id, total, currency
      ), attempt as (${attempt(sql`started`)})
      select total, currency from started`,
    );
    if (started) return { amount: Number(started.total), currency: started.currency };
    requirePayable(caller, visibleOrder(caller, await repo.findOrder(db, orderId)), now);
  }
}

/**
 * Why the actor may not pay the order now, thrown (`pay` is then missing from its
 * allowedActions): 403 for anyone but its customer, 409 INVALID_TRANSITION once it no longer
 * takes payment, 409 PAYMENT_IN_PROGRESS while an attempt settles.
 */
function requirePayable(caller: Caller, order: OrderRow, now: Date): void {
  requirePayer(caller, order);
  if (order.status !== 'pending_payment' || order.expiresAt <= now) {
    throw new AppError(
      'INVALID_TRANSITION',
      order.status === 'pending_payment'
        ? 'This order has expired'
        : `An order that is ${order.status} cannot be paid`,
    );
  }
  if (order.paymentInProgress) {
    throw new AppError(
      'PAYMENT_IN_PROGRESS',
      'A payment for this order is already being processed',
    );
  }
}

/** What a provider's hosted payment page is opened for: the order's balance, and its deadline. */
export interface OrderDue {
  number: number;
  amount: number;
  currency: string;
  email: string;
  expiresAt: Date;
}

/**
 * The balance of an order its customer is about to pay on the provider's page (its total,
 * while it is unpaid), refused exactly as a payment attempt would be (`startPayment`).
 * Nothing is marked: the order waits for no page, only for a payment made on one.
 */
export async function orderDue(
  db: Executor,
  caller: Caller,
  orderId: string,
  now: Date,
): Promise<OrderDue> {
  const order = visibleOrder(caller, await repo.findOrder(db, orderId));
  requirePayable(caller, order, now);
  return {
    number: order.number,
    amount: order.total,
    currency: order.currency,
    email: order.email,
    expiresAt: order.expiresAt,
  };
}

/**
 * A payment made on the provider's hosted page is processing: the order waits for it as for
 * an attempt of its own (it does not expire, and takes no second attempt, until it settles).
 * An order that moved on meanwhile is left alone: a success is then refunded as late.
 */
export async function hostedPaymentProcessing(
  tx: Tx,
  locked: LockedOrder,
  now: Date,
): Promise<void> {
  const order = locked[lockedRow];
  if (order.status === 'pending_payment' && !order.paymentInProgress) {
    await repo.updateOrder(tx, order.id, { paymentInProgress: true, updatedAt: now });
  }
}

/** A payment attempt ended without paying (declined, refused, abandoned): the order may be paid again. */
export async function paymentAttemptFailed(tx: Tx, locked: LockedOrder, now: Date): Promise<void> {
  const order = locked[lockedRow];
  if (order.paymentInProgress) {
    await repo.updateOrder(tx, order.id, { paymentInProgress: false, updatedAt: now });
  }
}

/**
 * A payment succeeded (`free`: one of 0 that Ordo settled itself, the order's total being
 * 0). An order still waiting for it becomes `paid` (and its receipt is sent). One that has
 * moved on (cancelled or expired meanwhile, or paid by another payment)
 * notes it in its history and answers `late`: the caller refunds that payment.
 */
export async function paymentSucceeded(
  tx: Tx,
  ctx: Ctx,
  payment: { order: LockedOrder; paymentId: string; now: Date; free?: boolean },
): Promise<'paid' | 'late'> {
  const order = payment.order[lockedRow];
  const by = { actor: SYSTEM_ACTOR, now: payment.now };
  if (order.status === 'pending_payment') {
    const reason = payment.free
      ? `paid without a payment: the total was ${formatMoney(0, order.currency)}, so the payment provider was not asked (payment ${payment.paymentId})`
      : `payment ${payment.paymentId} succeeded`;
    await changeStatus(
      tx,
      ctx,
      order,
      'paid',
      { ...by, reason },
      {
        paymentId: payment.paymentId,
        changes: { paymentStatus: 'paid', paymentInProgress: false },
      },
    );
    return 'paid';
  }
  if (order.paymentInProgress) {
    await repo.updateOrder(tx, order.id, { paymentInProgress: false, updatedAt: payment.now });
  }
  await noteOnOrder(tx, order, {
    ...by,
    reason: `payment ${payment.paymentId} succeeded after the order was ${order.status}; it is refunded`,
  });
  return 'late';
}

/**
 * A refund was made at the provider and recorded: the order's payment status follows, its
 * history says who and how much, the customer is emailed, the units it chose come back.
 */
export async function paymentRefunded(
  tx: Tx,
  ctx: Ctx,
  refund: {
    order: LockedOrder;
    refundId: string;
    amount: number;
    paymentStatus: PaymentStatus;
    restock: RestockUnits;
    actor: ActorOrSystem;
    reason: string;
    now: Date;
  },
): Promise<void> {
  const order = refund.order[lockedRow];
  await recordRefund(
    tx,
    ctx,
    order,
    { refundId: refund.refundId, paymentStatus: refund.paymentStatus, restock: refund.restock },
    {
      actor: refund.actor,
      reason: `${refund.reason}: refunded ${formatMoney(refund.amount, order.currency)}`,
      now: refund.now,
    },
  );
}

/** Units staff name for a restock: by `variantId`, or by `productId` for a product with one variant in the order. */
export interface RestockRequest {
  productId?: string | undefined;
  variantId?: string | undefined;
  quantity: number;
}

/**
 * What staff ask a refund to put back in stock: nothing (`false`), every unit the order still
 * holds (`true`: only with a refund of everything left, since a partial refund must say which
 * units), or units by variant (or by product, when the order has one variant of it). Unsaid, a
 * refund of everything left on an order not yet shipped puts every unit back, as a cancel
 * would; any other refund puts nothing back.
 */
export type RestockChoice = boolean | readonly RestockRequest[] | undefined;

/**
 * The units a staff refund puts back, decided on the locked order from its lines: what each
 * still holds is what was ordered less what is back already or reserved by refunds still
 * pending (`pending`). 422 RESTOCK_EXCEEDS_ORDER (details per variant: requested,
 * restockable) when a variant asks for more, or is not one of the order's; 422
 * VARIANT_REQUIRED when a productId names a product the order has several variants of.
 */
export async function chooseRestock(
  tx: Tx,
  locked: LockedOrder,
  choice: RestockChoice,
  refund: { inFull: boolean; pending: readonly RestockLine[] },
): Promise<RestockLine[]> {
  const order = locked[lockedRow];
  if (choice === false) return [];
  if (choice === undefined && !(refund.inFull && order.status === 'paid')) return [];
  if (choice === true && !refund.inFull) {
    throw new AppError(
      'VALIDATION_FAILED',
      'restock: true puts the whole order back, only with a refund of everything left; list the units to restock with a partial refund',
    );
  }
  const pending = new Map<string, number>();
  for (const p of refund.pending)
    pending.set(lineKey(p), (pending.get(lineKey(p)) ?? 0) + p.quantity);
  const lines = await repo.findLines(tx, [order.id]);
  // Each variant the order holds, with its product and the units it can still put back.
  const held = new Map<string, RestockLine>();
  for (const line of lines) {
    const key = lineKey(line);
    const entry = held.get(key) ?? {
      productId: line.productId,
      ...(line.variantId ? { variantId: line.variantId } : {}),
      quantity: -(pending.get(key) ?? 0),
    };
    entry.quantity += line.quantity - line.restockedQuantity;
    held.set(key, entry);
  }
  if (choice === undefined || choice === true) {
    return [...held.values()].filter((line) => line.quantity > 0).map((line) => ({ ...line }));
  }
  const asked = new Map<string, number>();
  const severalVariants: string[] = [];
  for (const c of choice) {
    let key = c.variantId;
    if (key === undefined) {
      const keys = new Set(lines.filter((l) => l.productId === c.productId).map(lineKey));
      if (keys.size > 1) severalVariants.push(c.productId!);
      key = keys.size === 1 ? [...keys][0]! : c.productId!;
    }
    asked.set(key, (asked.get(key) ?? 0) + c.quantity);
  }
  if (severalVariants.length > 0) throw variantRequired(severalVariants);
  const over = [...asked].flatMap(([key, requested]) => {
    const line = held.get(key);
    const restockable = Math.max(0, line?.quantity ?? 0);
    if (requested <= restockable) return [];
    const named = choice.find((c) => (c.variantId ?? c.productId) === key);
    return [
      {
        productId: line?.productId ?? named?.productId ?? null,
        variantId: line?.variantId ?? named?.variantId ?? null,
        requested,
        restockable,
      },
    ];
  });
  if (over.length > 0) {
    throw new AppError(
      'RESTOCK_EXCEEDS_ORDER',
      over
        .map(
          (l) =>
            `${l.variantId ?? l.productId}: ${l.requested} to restock, ${l.restockable} restockable`,
        )
        .join('; '),
      { details: over },
    );
  }
  return [...asked].map(([key, quantity]) => ({
    productId: held.get(key)!.productId,
    ...(held.get(key)!.variantId ? { variantId: held.get(key)!.variantId } : {}),
    quantity,
  }));
}

/** A payment event worth a line in the order's history (a refund the provider refused). */
export async function notePaymentEvent(
  tx: Tx,
  locked: LockedOrder,
  by: { actor: ActorOrSystem; reason: string; now: Date },
): Promise<void> {
  await noteOnOrder(tx, locked[lockedRow], by);
}

/**
 * A refund made at the provider outside Ordo (its dashboard) moved the payment's status: the
 * order's payment status follows, with a history entry. No email: Ordo did not make it.
 */
export async function paymentStatusFollowsProvider(
  tx: Tx,
  locked: LockedOrder,
  paymentStatus: PaymentStatus,
  by: { refundedAmount: number; now: Date },
): Promise<void> {
  const order = locked[lockedRow];
  await repo.updateOrder(tx, order.id, { paymentStatus, updatedAt: by.now });
  await noteOnOrder(tx, order, {
    actor: SYSTEM_ACTOR,
    reason: `refunded at the provider: ${formatMoney(by.refundedAmount, order.currency)} in all`,
    now: by.now,
  });
}
