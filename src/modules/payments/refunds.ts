import type { AppContext } from '../../app-context.js';
import { inTransaction } from '../../db/commit-events.js';
import type { Tx } from '../../db/client.js';
import { AppError } from '../../shared/errors.js';
import { failpoint } from '../../shared/failpoints.js';
import { newId } from '../../shared/ids.js';
import type { Actor } from '../auth/auth.service.js';
import type { Role } from '../auth/user.table.js';
import { SYSTEM_ACTOR, type ActorOrSystem } from '../auth/system-actor.js';
import { requireStaff } from '../orders/order-access.js';
import {
  chooseRestock,
  lockOrderForPayment,
  notePaymentEvent,
  type RestockChoice,
  type RestockLine,
  type RestockUnits,
} from '../orders/order-payments.js';
import { changePayment, lockPaymentOfOrder } from './payment-lifecycle.js';
import { ProviderBusy, ProviderUnavailable, type RefundOutcome } from './payment-provider.js';
import * as repo from './payment.repository.js';
import type { RefundRow } from './payment.repository.js';

/**
 * Refunds, in three steps that survive a crash between any two:
 *
 * 1. **Request** (a transaction, holding the order's lock, then the payment's): a `pending`
 *    refund row, one per payment and cause (`requestKey`), and its amount reserved on the
 *    payment by a conditional update, so concurrent refunds never exceed what was paid and a
 *    retried request never reserves twice.
 * 2. **Call the provider** (no lock held), with an idempotency key derived from the refund's
 *    id and the id in the refund's metadata.
 * 3. **Record** (a transaction): the refund `succeeded`, once; the payment's and the order's
 *    payment status, the order's history, the refund email, the units it chose back in stock.
 *
 * A refund left pending (the provider did not answer, the process died) is completed by its
 * job's retry or by reconciliation, which first asks the provider for the payment's refunds
 * and records the one carrying this refund's id instead of asking for it again.
 */

type Ctx = Pick<AppContext, 'db' | 'clock' | 'jobs' | 'payments' | 'logger' | 'redis'>;

interface RefundRequest {
  /** The cause: `cancel`, `late`, or `staff:<Idempotency-Key>`; one refund per payment and key. */
  key: string;
  /** Minor units, or the rest of the payment. */
  amount: number | 'rest';
  reason: string;
  /** The units it puts back, decided once its amount is known (whether it refunds all that is left); none when absent. */
  restock?: (inFull: boolean) => Promise<RestockLine[]>;
  actor: ActorOrSystem;
}

/**
 * Step 1, in the caller's transaction, which has locked the order. Returns the refund (an
 * existing one for a key already used, with `created: false`), or undefined when `rest` finds
 * nothing left to refund.
 */
async function requestRefund(
  tx: Tx,
  ctx: Pick<Ctx, 'clock'>,
  paymentId: string,
  request: RefundRequest,
): Promise<{ refund: RefundRow; created: boolean } | undefined> {
  const now = ctx.clock.now();
  // The payment's lock first, then the key: a request racing one with the same key waits
  // here and then finds the other's refund.
  const payment = await repo.lockPayment(tx, paymentId);
  const existing = await repo.findRefundByKey(tx, paymentId, request.key);
  if (existing) return { refund: existing, created: false };
  const refundable =
    payment?.providerPaymentId && ['succeeded', 'partially_refunded'].includes(payment.status);
  // A job asking for "the rest" finds nothing to do when it is all back already.
  if (!refundable && request.amount === 'rest') return undefined;
  if (!payment?.providerPaymentId || !refundable)
    throw new AppError('INVALID_TRANSITION', 'This order has no payment left to refund');
  const left = payment.amount - payment.refundedAmount;
  const amount = request.amount === 'rest' ? left : request.amount;
  if (request.amount === 'rest' && amount <= 0) return undefined;
  if (!(await repo.reserveRefund(tx, payment.id, amount, now))) {
    throw new AppError('REFUND_EXCEEDS_PAYMENT', `At most ${left} can still be refunded`);
  }
  const restockLines = (await request.restock?.(amount === left)) ?? [];
  const refund = await repo.insertRefund(tx, {
    id: newId('rf', now.getTime()),
    paymentId,
    orderId: payment.orderId,
    requestKey: request.key,
    status: 'pending',
    amount,
    reason: request.reason,
    restock: restockLines.length > 0,
    restockLines,
    ...refundActorColumns(request.actor),
    createdAt: now,
    updatedAt: now,
  });
  return { refund, created: true };
}

/**
 * Steps 2 and 3 for a pending refund. `reconcile` first looks for it among the provider's
 * refunds (a retry: an earlier attempt may have got through). Returns the refund as it ends:
 * `succeeded`, `failed` (the provider refused: the reservation is given back), or still
 * `pending` when the provider could not be reached.
 */
export async function completeRefund(
  ctx: Ctx,
  refundId: string,
  options: { reconcile: boolean },
): Promise<RefundRow | undefined> {
  const refund = await repo.findRefund(ctx.db, refundId);
  if (refund?.status !== 'pending') return refund;
  const payment = await repo.findPayment(ctx.db, refund.paymentId);
  if (!payment?.providerPaymentId) return refund;

  let outcome: RefundOutcome | undefined;
  try {
    if (options.reconcile) {
      const made = (await ctx.payments.listRefunds(payment.providerPaymentId)).find(
        (r) => r.metadata.ordo_refund_id === refund.id,
      );
      if (made) outcome = { ok: true, refundId: made.refundId, amount: made.amount };
    }
    outcome ??= await ctx.payments.refund({
      providerPaymentId: payment.providerPaymentId,
      amount: refund.amount,
      idempotencyKey: `refund:${refund.id}`,
      metadata: { ordo_refund_id: refund.id, order_id: refund.orderId },
    });
  } catch (error) {
    if (error instanceof ProviderBusy) {
      // Another attempt at this very refund is talking to the provider: it will record it.
      throw new AppError(
        'IDEMPOTENCY_KEY_IN_FLIGHT',
        'This refund is still being processed; retry shortly',
      );
    }
    if (!(error instanceof ProviderUnavailable)) throw error;
    ctx.logger.warn({ err: error, refundId }, 'payment provider unavailable; the refund waits');
    return refund;
  }
  failpoint('refund-after-provider');
  return outcome.ok
    ? recordSucceeded(ctx, refund, outcome.refundId)
    : recordRefused(ctx, refund, outcome);
}

/** Who asked for a refund, as its row stores it: no actor id or role for Ordo itself. */
const refundActorColumns = (actor: ActorOrSystem): Pick<RefundRow, 'actorId' | 'actorRole'> =>
  actor === SYSTEM_ACTOR
    ? { actorId: null, actorRole: null }
    : { actorId: actor.userId, actorRole: actor.role };

const actorOfRefund = (refund: RefundRow): ActorOrSystem =>
  refund.actorId && refund.actorRole
    ? { userId: refund.actorId, role: refund.actorRole as Role }
    : SYSTEM_ACTOR;

/** What a refund puts back: its chosen units, or all for a row from before units were chosen. */
const unitsOfRefund = (refund: RefundRow): RestockUnits =>
  refund.restockLines.length === 0 && refund.restock ? 'all' : refund.restockLines;

/** The payment's row locks, the order's first; a refund's payment is never deleted. */
async function lockRefundedPayment(tx: Tx, refund: RefundRow) {
  const locked = await lockPaymentOfOrder(tx, { id: refund.paymentId, orderId: refund.orderId });
  if (!locked) throw new Error(`refund ${refund.id}: its payment ${refund.paymentId} is gone`);
  return locked;
}

async function recordSucceeded(ctx: Ctx, refund: RefundRow, providerRefundId: string) {
  // inTransaction: a refund that restocks tells the catalog cache once it has committed.
  return inTransaction(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const locked = await lockRefundedPayment(tx, refund);
    const done = await repo.finishRefund(tx, refund.id, {
      status: 'succeeded',
      providerRefundId,
      updatedAt: now,
    });
    if (!done) return repo.findRefund(tx, refund.id); // another attempt recorded it first
    // What has really gone back: the reserved total less what other refunds still hold.
    const { payment } = locked;
    const settled =
      payment.refundedAmount - (await repo.pendingRefundTotal(tx, payment.id, refund.id));
    await changePayment(tx, ctx, locked, {
      to: settled >= payment.amount ? 'refunded' : 'partially_refunded',
      cause: 'refund',
      now,
      refund: {
        id: refund.id,
        amount: refund.amount,
        restock: unitsOfRefund(refund),
        reason: refund.reason ?? 'refunded',
        actor: actorOfRefund(refund),
      },
    });
    return done;
  });
}

async function recordRefused(
  ctx: Ctx,
  refund: RefundRow,
  outcome: { code: string; message: string },
) {
  return ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now();
    const locked = await lockRefundedPayment(tx, refund);
    const failed = await repo.finishRefund(tx, refund.id, {
      status: 'failed',
      failureCode: outcome.code,
      updatedAt: now,
    });
    if (!failed) return repo.findRefund(tx, refund.id);
    await repo.releaseRefund(tx, refund.paymentId, refund.amount);
    ctx.logger.error({ refundId: refund.id, outcome }, 'the provider refused a refund');
    await notePaymentEvent(tx, locked.order, {
      actor: actorOfRefund(refund),
      reason: `refund of ${refund.amount} refused by the provider: ${outcome.message}`,
      now,
    });
    return failed;
  });
}

/**
 * Staff refund part or all of an order's payment. With an `Idempotency-Key`, a retry finds
 * the same refund (never a second reservation). The provider is asked at once; when it cannot
 * be reached the refund stays saved and reconciliation completes it (503, and the detail says
 * not to send it again).
 */
export async function refundOrder(
  ctx: Ctx,
  actor: Actor,
  orderId: string,
  input: {
    amount?: number | undefined;
    /** The units back to stock (see `chooseRestock`): by default, all only for a refund in full before shipping. */
    restock?: RestockChoice;
    reason?: string | undefined;
    idempotencyKey?: string | undefined;
  },
): Promise<void> {
  // The route guards it too; the service refuses on its own, whoever calls it.
  requireStaff(actor);
  const requested = await ctx.db.transaction(async (tx) => {
    const order = await lockOrderForPayment(tx, orderId);
    const payment = (await repo.paymentsOfOrder(tx, orderId)).find(
      (p) => p.status === 'succeeded' || p.status === 'partially_refunded',
    );
    if (!payment)
      throw new AppError('INVALID_TRANSITION', 'This order has no payment left to refund');
    const result = await requestRefund(tx, ctx, payment.id, {
      key: `staff:${input.idempotencyKey ?? newId('rq')}`,
      amount: input.amount ?? 'rest',
      reason: input.reason ?? 'refunded by staff',
      restock: async (inFull) =>
        chooseRestock(tx, order, input.restock, {
          inFull,
          pending: await repo.pendingRestock(tx, orderId),
        }),
      actor,
    });
    if (!result) throw new AppError('INVALID_TRANSITION', 'This order has been refunded in full');
    return result;
  });
  const refund = await completeRefund(ctx, requested.refund.id, {
    reconcile: !requested.created,
  });
  if (refund?.status === 'failed') {
    throw new AppError('REFUND_FAILED', `The provider refused the refund (${refund.failureCode})`);
  }
  if (refund?.status === 'pending') {
    throw new AppError(
      'UNAVAILABLE',
      'The payment provider did not answer. The refund is saved and will be completed automatically: do not send it again',
    );
  }
}

/**
 * The refund job of a cancelled paid order (enqueued by its cancel): the rest of each paid
 * payment goes back. Idempotent by its cause (`cancel`), so a retry or a second run finds the
 * refund it started and completes it.
 */
export async function refundCancelledOrder(ctx: Ctx, orderId: string): Promise<void> {
  const requested = await ctx.db.transaction(async (tx) => {
    await lockOrderForPayment(tx, orderId);
    const results = [];
    for (const payment of await repo.paymentsOfOrder(tx, orderId)) {
      if (payment.status !== 'succeeded' && payment.status !== 'partially_refunded') continue;
      const result = await requestRefund(tx, ctx, payment.id, {
        key: 'cancel',
        amount: 'rest',
        reason: 'order cancelled', // the cancel restocked, if it was asked to
        actor: SYSTEM_ACTOR,
      });
      if (result) results.push(result);
    }
    return results;
  });
  await completeAll(ctx, requested);
}

/** The refund job of a payment that succeeded after its order stopped taking it. */
export async function refundLatePayment(ctx: Ctx, paymentId: string): Promise<void> {
  const payment = await repo.findPayment(ctx.db, paymentId);
  if (!payment) return;
  const requested = await ctx.db.transaction(async (tx) => {
    await lockOrderForPayment(tx, payment.orderId);
    const result = await requestRefund(tx, ctx, paymentId, {
      key: 'late',
      amount: 'rest',
      reason: 'payment arrived after the order ended',
      actor: SYSTEM_ACTOR,
    });
    return result ? [result] : [];
  });
  await completeAll(ctx, requested);
}

/** Completes refunds a job requested; one still pending fails the job, so it is retried. */
async function completeAll(ctx: Ctx, requested: { refund: RefundRow; created: boolean }[]) {
  for (const { refund, created } of requested) {
    const done = await completeRefund(ctx, refund.id, { reconcile: !created });
    if (done?.status === 'pending') throw new Error(`refund ${refund.id} is still pending`);
  }
}

/** Reconciliation: refunds left pending (a crash, an unreachable provider) are completed. */
export async function reconcileRefunds(ctx: Ctx, olderThanMs = 30_000): Promise<number> {
  const stale = await repo.stalePendingRefunds(
    ctx.db,
    new Date(ctx.clock.now().getTime() - olderThanMs),
    50,
  );
  let completed = 0;
  for (const refund of stale) {
    try {
      const done = await completeRefund(ctx, refund.id, { reconcile: true });
      if (done?.status !== 'pending') completed++;
    } catch (error) {
      ctx.logger.warn({ err: error, refundId: refund.id }, 'refund not reconciled this time');
    }
  }
  return completed;
}
