import type { AppContext } from '../../app-context.js';
import type { Tx } from '../../db/client.js';
import { AppError, notFound } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import type { Actor } from '../auth/auth.service.js';
import { cancelOrder } from '../orders/cancel-order.js';
import { releasePromo } from '../promotions/promotions.service.js';
import {
  getOrderRow,
  hydrate,
  lockOrderFor,
  lockOrderForSystem,
  recordPaymentStatus,
  restockOnce,
  transition,
  type Order,
} from '../orders/orders.service.js';
import { ProviderRefused, ProviderUnavailable, type IntentSnapshot } from './payment-provider.js';
import * as repo from './payment.repository.js';
import type { PaymentRow } from './payment.repository.js';
import type { PaymentRecordStatus } from './payment.table.js';

type Ctx = Pick<AppContext, 'db' | 'clock' | 'config' | 'jobs' | 'payments' | 'logger'>;

export interface Payment {
  id: string;
  orderId: string;
  status: PaymentRecordStatus;
  amount: number;
  refundedAmount: number;
  currency: string;
  failureCode?: string;
  createdAt: string;
  updatedAt: string;
}

export const toPayment = (row: PaymentRow): Payment => ({
  id: row.id,
  orderId: row.orderId,
  status: row.status,
  amount: row.amount,
  refundedAmount: row.refundedAmount,
  currency: row.currency,
  ...(row.failureCode ? { failureCode: row.failureCode } : {}),
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

export async function listPayments(
  ctx: Pick<AppContext, 'db'>,
  actor: Actor,
  orderId: string,
): Promise<Payment[]> {
  await getOrderRow(ctx, actor, orderId);
  return (await repo.paymentsOfOrder(ctx.db, orderId)).map(toPayment);
}

/**
 * Pays an order. The order's row lock and the "no payment in progress" check under it let one
 * request through per order; the payment row is committed before the provider is called, so a
 * crash leaves a `processing` payment for reconciliation instead of an unknown charge. Provider
 * calls carry idempotency keys derived from the payment id, so retries never charge twice.
 */
export async function payOrder(
  ctx: Ctx,
  actor: Actor,
  orderId: string,
  paymentMethod: string,
): Promise<Payment> {
  const now = ctx.clock.now();
  const payment = await ctx.db.transaction(async (tx) => {
    const order = await lockOrderFor(tx, actor, orderId);
    if (order.status !== 'pending_payment' || order.expiresAt <= now) {
      throw new AppError(
        'INVALID_TRANSITION',
        order.status === 'pending_payment'
          ? 'This order has expired'
          : `An order that is ${order.status} cannot be paid`,
      );
    }
    const existing = await repo.paymentsOfOrder(tx, orderId);
    if (existing.some((p) => p.status === 'processing')) {
      throw new AppError(
        'PAYMENT_IN_PROGRESS',
        'A payment for this order is already being processed',
      );
    }
    return repo.insertPayment(tx, {
      id: newId('pay', now.getTime()),
      orderId,
      provider: ctx.payments.name,
      providerPaymentId: null,
      status: 'processing',
      amount: order.total,
      currency: order.currency,
      createdAt: now,
      updatedAt: now,
    });
  });

  let snapshot: IntentSnapshot;
  try {
    const intent = await ctx.payments.createIntent({
      amount: payment.amount,
      currency: payment.currency,
      metadata: { order_id: orderId, payment_id: payment.id },
      idempotencyKey: `${payment.id}:create`,
    });
    await repo.updatePayment(ctx.db, payment.id, { providerPaymentId: intent.providerPaymentId });
    snapshot = await ctx.payments.confirm(
      intent.providerPaymentId,
      paymentMethod,
      `${payment.id}:confirm`,
    );
  } catch (error) {
    if (error instanceof ProviderRefused) {
      // Refused for good (e.g. an unknown payment method): nothing was charged, the attempt
      // is over, and the customer may try again with another method.
      const failed = await repo.updatePayment(ctx.db, payment.id, {
        status: 'failed',
        failureCode: error.code === 'resource_missing' ? 'invalid_payment_method' : error.code,
        updatedAt: ctx.clock.now(),
      });
      throw new AppError('PAYMENT_DECLINED', `The payment was refused (${failed.failureCode})`, {
        details: [{ paymentId: failed.id, failureCode: failed.failureCode }],
      });
    }
    if (!(error instanceof ProviderUnavailable)) throw error;
    ctx.logger.warn({ err: error, paymentId: payment.id }, 'payment provider unavailable');
    // Without an intent nothing can have been charged: fail the attempt so the customer may
    // retry. With one, reconciliation will learn its outcome.
    const current = await repo.findPayment(ctx.db, payment.id);
    if (!current?.providerPaymentId) {
      await repo.updatePayment(ctx.db, payment.id, {
        status: 'failed',
        failureCode: 'provider_unavailable',
        updatedAt: ctx.clock.now(),
      });
    }
    throw new AppError('UNAVAILABLE', 'The payment provider is unavailable; try again shortly');
  }

  const settled = await applySnapshot(ctx, snapshot, payment.id);
  if (settled.status === 'failed') {
    throw new AppError(
      'PAYMENT_DECLINED',
      `The payment was declined (${settled.failureCode ?? 'declined'})`,
      {
        details: [{ paymentId: settled.id, failureCode: settled.failureCode }],
      },
    );
  }
  return toPayment(settled);
}

const rank: Record<PaymentRecordStatus, number> = {
  processing: 0,
  failed: 1,
  succeeded: 2,
  partially_refunded: 3,
  refunded: 4,
};

/**
 * Brings a payment up to what the provider says, forward only, under the payment's row lock:
 * whichever arrives first (the confirm response, a webhook, reconciliation) makes the change,
 * the others find nothing to do. A success pays the order, or, when the order was cancelled or
 * expired meanwhile, is refunded automatically. Amount and currency must match the payment.
 */
export async function applySnapshot(
  ctx: Ctx,
  snapshot: IntentSnapshot,
  paymentId?: string,
): Promise<PaymentRow> {
  const result = await ctx.db.transaction((tx) => settle(ctx, tx, snapshot, paymentId));
  if (!result.payment) throw notFound('Payment');
  if (result.lateSuccess) {
    ctx.logger.warn(
      { paymentId: result.payment.id },
      'payment succeeded for an order that no longer takes it; refunding',
    );
  }
  return result.payment;
}

/** applySnapshot's work, in the caller's transaction (the webhook's, with its event record). */
async function settle(
  ctx: Ctx,
  tx: Tx,
  snapshot: IntentSnapshot,
  paymentId?: string,
): Promise<{ payment: PaymentRow | undefined; lateSuccess: boolean }> {
  const now = ctx.clock.now();
  const payment = paymentId
    ? await repo.lockPayment(tx, paymentId)
    : await repo.lockPaymentByProviderId(tx, ctx.payments.name, snapshot.providerPaymentId);
  if (!payment) return { payment: undefined, lateSuccess: false };
  if (
    snapshot.amount !== payment.amount ||
    snapshot.currency.toUpperCase() !== payment.currency.toUpperCase()
  ) {
    ctx.logger.error(
      { paymentId: payment.id, snapshot },
      'provider amount or currency does not match the payment; ignored',
    );
    return { payment, lateSuccess: false };
  }
  let next: PaymentRecordStatus = payment.status;
  if (snapshot.status === 'succeeded' && rank[payment.status] < rank.succeeded) next = 'succeeded';
  if (snapshot.status === 'failed' && payment.status === 'processing') next = 'failed';
  // Refunds made at the provider directly (or whose event arrived before ours was recorded).
  const refundedAmount = Math.max(payment.refundedAmount, snapshot.amountRefunded);
  if (refundedAmount > payment.refundedAmount && rank[next] >= rank.succeeded) {
    next = refundedAmount >= payment.amount ? 'refunded' : 'partially_refunded';
  }
  if (next === payment.status && refundedAmount === payment.refundedAmount)
    return { payment, lateSuccess: false };

  const wasPaid = rank[payment.status] >= rank.succeeded;
  const updated = await repo.updatePayment(tx, payment.id, {
    status: next,
    refundedAmount,
    failureCode: next === 'failed' ? (snapshot.failureCode ?? 'declined') : null,
    updatedAt: now,
  });
  if (rank[next] < rank.succeeded) return { payment: updated, lateSuccess: false };

  const order = await lockOrderForSystem(tx, payment.orderId);
  if (!wasPaid && order?.status === 'pending_payment') {
    await transition(
      tx,
      order,
      'paid',
      { actor: 'system', reason: `payment ${payment.id} succeeded`, now },
      { paymentStatus: 'paid' },
    );
    await ctx.jobs.enqueue(tx, 'payment-receipt-email', { paymentId: payment.id });
    return { payment: updated, lateSuccess: false };
  }
  if (wasPaid) {
    // Only the refunded amount moved: mirror it on the order.
    if (
      order &&
      next !== payment.status &&
      (next === 'refunded' || next === 'partially_refunded')
    ) {
      await recordPaymentStatus(tx, order, next, {
        actor: 'system',
        reason: `refunded at the provider: ${refundedAmount}`,
        now,
      });
    }
    return { payment: updated, lateSuccess: false };
  }
  // Paid after the order ended (cancelled, expired) or after another payment paid it.
  await ctx.jobs.enqueue(tx, 'refund-late-payment', { paymentId: payment.id });
  return { payment: updated, lateSuccess: true };
}

/**
 * An incoming provider webhook: signature checked on the raw body, the event id recorded
 * under a unique key (a duplicate is a no-op), then the payment brought forward. The record
 * and the change commit together, so a failure makes the provider retry.
 */
export async function handleWebhook(
  ctx: Ctx,
  provider: string,
  rawBody: string,
  signature: string | undefined,
): Promise<'handled' | 'duplicate' | 'ignored'> {
  if (provider !== ctx.payments.name) throw notFound('Webhook endpoint');
  const event = ctx.payments.parseWebhook(
    rawBody,
    signature,
    Math.floor(ctx.clock.now().getTime() / 1000),
  );
  if (!event)
    throw new AppError(
      'WEBHOOK_SIGNATURE_INVALID',
      'The webhook signature is missing, wrong or too old',
    );
  // The event id and the change it causes commit together: a failure rolls both back and
  // the provider delivers the event again; a redelivery after success is a no-op.
  return ctx.db.transaction(async (tx) => {
    if (!(await repo.recordEvent(tx, provider, event.id, event.type, ctx.clock.now()))) {
      return 'duplicate' as const;
    }
    if (!event.payment || event.type === 'other') return 'ignored' as const;
    // A refund event implies the payment had succeeded: settle that first (reordered events).
    const snapshot =
      event.type === 'payment_refunded'
        ? { ...event.payment, status: 'succeeded' as const }
        : event.payment;
    const { payment } = await settle(ctx, tx, snapshot);
    return payment ? ('handled' as const) : ('ignored' as const);
  });
}

/**
 * Refunds part or all of an order's payment. The amount is set aside on the payment first (a
 * conditional update: concurrent refunds never exceed what was paid), then the provider is
 * asked, then the refund, the order's payment status and its history are written. Goods come
 * back to stock when `restock` says so, once per order.
 */
export async function refundOrder(
  ctx: Ctx,
  actor: Actor | 'system',
  orderId: string,
  input: {
    amount?: number | undefined;
    /** Goods back to stock; false unless asked (a refund after shipping usually keeps them out). */
    restock?: boolean | undefined;
    reason?: string | undefined;
    idempotencyKey?: string | undefined;
  },
): Promise<{ payment: Payment; refundId: string; amount: number }> {
  const now = ctx.clock.now();
  const reason = input.reason ?? 'refunded by staff';
  const payments = await repo.paymentsOfOrder(ctx.db, orderId);
  const paid = payments.find((p) => p.status === 'succeeded' || p.status === 'partially_refunded');
  if (!paid) throw new AppError('INVALID_TRANSITION', 'This order has no payment left to refund');
  const amount = input.amount ?? paid.amount - paid.refundedAmount;
  if (amount <= 0) throw new AppError('INVALID_TRANSITION', 'This order has been refunded in full');
  const refund = await refundAtProvider(
    ctx,
    paid,
    amount,
    input.idempotencyKey
      ? `${paid.id}:refund:${input.idempotencyKey}`
      : `${paid.id}:${newId('rfq', now.getTime())}`,
  );
  const payment = await ctx.db.transaction(async (tx) => {
    const updated = await recordRefund(tx, paid.id, refund, reason, now);
    const order = (await lockOrderForSystem(tx, orderId))!;
    await recordPaymentStatus(tx, order, updated.status, {
      actor,
      reason: `${reason}: refunded ${refund.amount}`,
      now,
    });
    if (input.restock ?? false) {
      await restockOnce(tx, order, {
        actorId: actor === 'system' ? 'system' : actor.userId,
        reason,
        now,
      });
    }
    await ctx.jobs.enqueue(tx, 'order-refunded-email', { refundId: refund.refundId });
    return updated;
  });
  return { payment: toPayment(payment), refundId: refund.refundId, amount: refund.amount };
}

/**
 * Refunds `amount` of a payment at the provider. The amount is set aside on the payment first
 * (a conditional update: concurrent refunds never exceed what was paid) and given back when
 * the provider cannot be reached or refuses. No lock is held during the call.
 */
async function refundAtProvider(
  ctx: Ctx,
  payment: PaymentRow,
  amount: number,
  idempotencyKey: string,
): Promise<{ refundId: string; amount: number }> {
  const reserved =
    payment.providerPaymentId &&
    (await repo.reserveRefund(ctx.db, payment.id, amount, ctx.clock.now()));
  if (!payment.providerPaymentId || !reserved) {
    throw new AppError(
      'REFUND_EXCEEDS_PAYMENT',
      `At most ${payment.amount - payment.refundedAmount} can still be refunded`,
    );
  }
  let outcome;
  try {
    outcome = await ctx.payments.refund({
      providerPaymentId: payment.providerPaymentId,
      amount,
      idempotencyKey,
    });
  } catch (error) {
    await repo.releaseRefund(ctx.db, payment.id, amount);
    if (error instanceof ProviderUnavailable) {
      throw new AppError('UNAVAILABLE', 'The payment provider is unavailable; try again shortly');
    }
    throw error;
  }
  if (!outcome.ok) {
    await repo.releaseRefund(ctx.db, payment.id, amount);
    throw new AppError('REFUND_FAILED', `The provider refused the refund: ${outcome.message}`);
  }
  return outcome;
}

/** Writes a provider refund: its row, and the payment's status from what has been refunded. */
async function recordRefund(
  tx: Tx,
  paymentId: string,
  refund: { refundId: string; amount: number },
  reason: string,
  now: Date,
): Promise<PaymentRow & { status: 'refunded' | 'partially_refunded' }> {
  const current = (await repo.lockPayment(tx, paymentId))!;
  const status = current.refundedAmount >= current.amount ? 'refunded' : 'partially_refunded';
  await repo.insertRefund(tx, {
    id: refund.refundId,
    paymentId,
    orderId: current.orderId,
    providerRefundId: refund.refundId,
    requestKey: refund.refundId,
    status: 'succeeded',
    amount: refund.amount,
    reason,
    createdAt: now,
  });
  const updated = await repo.updatePayment(tx, paymentId, { status, updatedAt: now });
  return { ...updated, status };
}

/**
 * Cancels an order as staff: an unpaid order releases its stock and promo use; a paid one is
 * refunded in full first, then cancelled, its goods restocked unless `restock` is false.
 */
export async function cancelAsStaff(
  ctx: Ctx,
  actor: Actor,
  orderId: string,
  input: { reason?: string | undefined; restock?: boolean | undefined },
): Promise<Order> {
  const order = await getOrderRow(ctx, actor, orderId);
  if (order.status !== 'paid') {
    return cancelOrder(ctx, actor, orderId, input.reason);
  }
  const reason = input.reason ?? 'cancelled by staff';
  const now = ctx.clock.now();
  // Claim the cancellation first: a second cancel (or a ship) racing this one is refused here.
  await ctx.db.transaction(async (tx) => {
    const locked = await lockOrderFor(tx, actor, orderId);
    await transition(tx, locked, 'cancelled', { actor, reason, now });
    await releasePromo(tx, orderId, now);
    await ctx.jobs.enqueue(tx, 'order-cancelled-email', { orderId });
  });
  const paymentsOfOrder = await repo.paymentsOfOrder(ctx.db, orderId);
  const paid = paymentsOfOrder.find(
    (p) => p.status === 'succeeded' || p.status === 'partially_refunded',
  );
  if (paid && paid.amount > paid.refundedAmount) {
    await refundOrder(ctx, actor, orderId, { restock: input.restock ?? true, reason });
  } else if (input.restock ?? true) {
    await ctx.db.transaction(async (tx) => {
      const locked = (await lockOrderForSystem(tx, orderId))!;
      await restockOnce(tx, locked, { actorId: actor.userId, reason, now });
    });
  }
  const [result] = await hydrate(ctx.db, [await getOrderRow(ctx, actor, orderId)]);
  return result!;
}

/** The refund job for a payment that succeeded after its order stopped taking it. */
export async function refundLatePayment(ctx: Ctx, paymentId: string): Promise<void> {
  const payment = await repo.findPayment(ctx.db, paymentId);
  if (!payment?.providerPaymentId || payment.refundedAmount >= payment.amount) return;
  const refund = await refundAtProvider(
    ctx,
    payment,
    payment.amount - payment.refundedAmount,
    `${payment.id}:late-refund`,
  );
  await ctx.db.transaction((tx) =>
    recordRefund(tx, payment.id, refund, 'payment arrived after the order ended', ctx.clock.now()),
  );
}

/** Asks the provider about payments left processing (no webhook came): the reconciliation job. */
export async function reconcilePayments(ctx: Ctx, olderThanMs = 30_000): Promise<number> {
  const stale = await repo.staleProcessing(
    ctx.db,
    new Date(ctx.clock.now().getTime() - olderThanMs),
    50,
  );
  let settled = 0;
  for (const payment of stale) {
    if (!payment.providerPaymentId) {
      // Never reached the provider (the process died first): nothing was charged.
      await repo.updatePayment(ctx.db, payment.id, {
        status: 'failed',
        failureCode: 'abandoned',
        updatedAt: ctx.clock.now(),
      });
      settled++;
      continue;
    }
    const snapshot = await ctx.payments.retrieve(payment.providerPaymentId);
    if (snapshot.status === 'succeeded' || snapshot.status === 'failed') {
      await applySnapshot(ctx, snapshot, payment.id);
      settled++;
    } else if (snapshot.status === 'pending') {
      // Created but never confirmed (the process died in between): nothing was charged.
      await applySnapshot(
        ctx,
        { ...snapshot, status: 'failed', failureCode: 'abandoned' },
        payment.id,
      );
      settled++;
    }
  }
  return settled;
}

/** A payment as its receipt email needs it, or undefined when it is gone. Jobs only. */
export const findPaymentForEmail = (ctx: Pick<AppContext, 'db'>, paymentId: string) =>
  repo.findPayment(ctx.db, paymentId);

/** A refund and its payment, for the refund email. Jobs only. */
export async function findRefundForEmail(ctx: Pick<AppContext, 'db'>, refundId: string) {
  const refund = await repo.findRefund(ctx.db, refundId);
  if (!refund) return undefined;
  const payment = await repo.findPayment(ctx.db, refund.paymentId);
  return payment ? { refund, payment } : undefined;
}
