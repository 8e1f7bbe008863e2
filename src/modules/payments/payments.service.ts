import type { AppContext } from '../../app-context.js';
import type { Executor, Tx } from '../../db/client.js';
import { AppError, notFound } from '../../shared/errors.js';
import { failpoint } from '../../shared/failpoints.js';
import { newId } from '../../shared/ids.js';
import type { Actor } from '../auth/auth.service.js';
import {
  lockOrderForPayment,
  paymentAttemptFailed,
  paymentStatusFollowsProvider,
  paymentSucceeded,
  requireVisibleOrder,
  startPayment,
} from '../orders/order-payments.js';
import { ProviderRefused, ProviderUnavailable, type IntentSnapshot } from './payment-provider.js';
import * as repo from './payment.repository.js';
import type { PaymentRow } from './payment.repository.js';
import type { PaymentRecordStatus } from './payment.table.js';
import type { Payment } from './payments.schemas.js';

type Ctx = Pick<AppContext, 'db' | 'clock' | 'config' | 'jobs' | 'payments' | 'logger' | 'redis'>;

const toPayment = (row: PaymentRow): Payment => ({
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
  await requireVisibleOrder(ctx, actor, orderId);
  return (await repo.paymentsOfOrder(ctx.db, orderId)).map(toPayment);
}

/**
 * What payOrder commits before it calls the provider: the order marked as being paid and the
 * attempt's `processing` row, in one statement (startPayment).
 */
export async function beginAttempt(
  ctx: Ctx,
  actor: Actor,
  orderId: string,
  id: string = newId('pay', ctx.clock.now().getTime()),
): Promise<PaymentRow> {
  const now = ctx.clock.now();
  const provider = ctx.payments.name;
  const { amount, currency } = await startPayment(ctx.db, actor, orderId, now, (started) =>
    repo.insertAttemptSql(started, { id, provider, now }),
  );
  return {
    id,
    orderId,
    provider,
    providerPaymentId: null,
    status: 'processing',
    amount,
    refundedAmount: 0,
    currency,
    failureCode: null,
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * Pays an order. The order decides, under its row lock, whether it takes a payment now (one
 * attempt at a time); the payment row is committed with that, before the provider is called, so a crash
 * leaves a `processing` payment for reconciliation instead of an unknown charge. The provider
 * creates and confirms the intent in one call, with an idempotency key derived from the
 * payment id (a retry never charges twice) and the payment id in its metadata: if the process
 * dies before the intent's id is recorded, reconciliation finds the intent by that id.
 */
export async function payOrder(
  ctx: Ctx,
  actor: Actor,
  orderId: string,
  paymentMethod: string,
): Promise<Payment> {
  const payment = await beginAttempt(ctx, actor, orderId);
  failpoint('payment-before-provider');

  let snapshot: IntentSnapshot;
  try {
    snapshot = await ctx.payments.createIntent({
      amount: payment.amount,
      currency: payment.currency,
      metadata: { order_id: orderId, payment_id: payment.id },
      idempotencyKey: `${payment.id}:create`,
      paymentMethod,
    });
  } catch (error) {
    if (error instanceof ProviderRefused) {
      // Refused for good (e.g. an unknown payment method): nothing was charged, the attempt
      // is over, and the customer may try again with another method.
      const failed = await failAttempt(
        ctx,
        payment,
        error.code === 'resource_missing' ? 'invalid_payment_method' : error.code,
      );
      throw new AppError('PAYMENT_DECLINED', `The payment was refused (${failed.failureCode})`, {
        details: [{ paymentId: failed.id, failureCode: failed.failureCode }],
      });
    }
    if (!(error instanceof ProviderUnavailable)) throw error;
    ctx.logger.warn({ err: error, paymentId: payment.id }, 'payment provider unavailable');
    // A request that never reached the provider charged nothing: the attempt fails and the
    // customer may retry. One that may have reached it (a timeout, a 5xx) stays processing
    // until reconciliation asks the provider what became of it.
    if (error.notSent) await failAttempt(ctx, payment, 'provider_unavailable');
    throw new AppError('UNAVAILABLE', 'The payment provider is unavailable; try again shortly');
  }
  failpoint('payment-after-provider');

  const settled = await applySnapshot(ctx, snapshot, payment);
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

/**
 * Ends an attempt that never reached a charge (refused, unreachable, abandoned): the payment
 * `failed`, and the order free to be paid again. Forward only, under the order's lock.
 */
async function failAttempt(
  ctx: Ctx,
  payment: PaymentRow,
  failureCode: string,
): Promise<PaymentRow & { failureCode: string | null }> {
  return ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now();
    const order = await lockOrderForPayment(tx, payment.orderId);
    const current = (await repo.lockPayment(tx, payment.id))!;
    if (current.status !== 'processing') return current;
    await paymentAttemptFailed(tx, order, now);
    return repo.updatePayment(tx, payment.id, { status: 'failed', failureCode, updatedAt: now });
  });
}

const rank: Record<PaymentRecordStatus, number> = {
  processing: 0,
  failed: 1,
  succeeded: 2,
  partially_refunded: 3,
  refunded: 4,
};

/**
 * What a snapshot makes of a payment, forward only: its next status and refunded amount, and
 * whether anything changes (recording the provider's id for the first time counts). Pure: the
 * same answer on a locked row as on an unlocked read of it.
 */
function nextState(payment: PaymentRow, snapshot: IntentSnapshot) {
  let next: PaymentRecordStatus = payment.status;
  if (snapshot.status === 'succeeded' && rank[payment.status] < rank.succeeded) next = 'succeeded';
  if (snapshot.status === 'failed' && payment.status === 'processing') next = 'failed';
  // Refunds made at the provider directly (Ordo's own are reserved before they are made).
  const refundedAmount = Math.max(payment.refundedAmount, snapshot.amountRefunded);
  if (refundedAmount > payment.refundedAmount && rank[next] >= rank.succeeded) {
    next = refundedAmount >= payment.amount ? 'refunded' : 'partially_refunded';
  }
  const recordsId = payment.providerPaymentId === null;
  const changes = recordsId || next !== payment.status || refundedAmount !== payment.refundedAmount;
  return { next, refundedAmount, recordsId, changes };
}

/**
 * Whether a snapshot can be applied to this payment at all: its intent, amount and currency.
 * A mismatch is logged unless `quiet` (a first look that the locked path repeats).
 */
function matches(ctx: Ctx, payment: PaymentRow, snapshot: IntentSnapshot, quiet = false): boolean {
  const sameIntent =
    payment.providerPaymentId === null || payment.providerPaymentId === snapshot.providerPaymentId;
  const sameMoney =
    snapshot.amount === payment.amount &&
    snapshot.currency.toUpperCase() === payment.currency.toUpperCase();
  if (quiet) return sameIntent && sameMoney;
  if (!sameIntent) {
    ctx.logger.error(
      { paymentId: payment.id, snapshot },
      'provider intent is not the payment’s; ignored',
    );
    return false;
  }
  if (!sameMoney) {
    ctx.logger.error(
      { paymentId: payment.id, snapshot },
      'provider amount or currency does not match the payment; ignored',
    );
    return false;
  }
  return true;
}

/**
 * Brings a payment up to what the provider says, forward only, under the payment's row lock:
 * whichever arrives first (the confirm response, a webhook, reconciliation) makes the change,
 * the others find nothing to do. A success pays the order, or, when the order was cancelled or
 * expired meanwhile, is refunded automatically. Amount and currency must match the payment,
 * and the intent must be the payment's (the first snapshot records its id).
 */
export async function applySnapshot(
  ctx: Ctx,
  snapshot: IntentSnapshot,
  payment?: Pick<PaymentRow, 'id' | 'orderId'>,
): Promise<PaymentRow> {
  const result = await ctx.db.transaction((tx) => settle(ctx, tx, snapshot, payment));
  if (!result.payment) throw notFound('Payment');
  if (result.lateSuccess) {
    ctx.logger.warn(
      { paymentId: result.payment.id },
      'payment succeeded for an order that no longer takes it; refunding',
    );
  }
  return result.payment;
}

/**
 * The payment a provider's event is about: by the intent's id, or, when that id was never
 * recorded (a process died between the provider's answer and its record, or the event came
 * first), by the payment id Ordo put in the intent's metadata.
 */
async function paymentOfSnapshot(
  ctx: Ctx,
  tx: Executor,
  snapshot: IntentSnapshot,
): Promise<PaymentRow | undefined> {
  const byId = await repo.findPaymentByProviderId(
    tx,
    ctx.payments.name,
    snapshot.providerPaymentId,
  );
  if (byId) return byId;
  const paymentId = snapshot.metadata.payment_id;
  if (!paymentId) return undefined;
  const byMetadata = await repo.findPayment(tx, paymentId);
  return byMetadata?.provider === ctx.payments.name &&
    byMetadata.orderId === snapshot.metadata.order_id
    ? byMetadata
    : undefined;
}

/**
 * applySnapshot's work, in the caller's transaction (the webhook's, with its event record).
 * The order's lock comes first, then the payment's (the order the whole system keeps), and
 * the order decides what a success means under its lock: paid, or too late and refunded.
 * Without a known payment (a webhook), a read without locks finds it, and when the snapshot
 * changes nothing there (the confirm response settled it first, the usual case) no lock is
 * taken: forward only, a later state could not make it change anything either.
 */
async function settle(
  ctx: Ctx,
  tx: Tx,
  snapshot: IntentSnapshot,
  known?: Pick<PaymentRow, 'id' | 'orderId'>,
): Promise<{ payment: PaymentRow | undefined; lateSuccess: boolean }> {
  const now = ctx.clock.now();
  let target = known;
  if (!target) {
    const found = await paymentOfSnapshot(ctx, tx, snapshot);
    if (!found) return { payment: undefined, lateSuccess: false };
    if (!nextState(found, snapshot).changes && matches(ctx, found, snapshot, true)) {
      return { payment: found, lateSuccess: false };
    }
    target = found;
  }
  const order = await lockOrderForPayment(tx, target.orderId);
  const payment = await repo.lockPayment(tx, target.id);
  if (!payment) return { payment: undefined, lateSuccess: false };
  if (!matches(ctx, payment, snapshot)) return { payment, lateSuccess: false };
  const { next, refundedAmount, recordsId, changes } = nextState(payment, snapshot);
  if (!changes) return { payment, lateSuccess: false };

  const wasPaid = rank[payment.status] >= rank.succeeded;
  const updated = await repo.updatePayment(tx, payment.id, {
    ...(recordsId ? { providerPaymentId: snapshot.providerPaymentId } : {}),
    status: next,
    refundedAmount,
    failureCode: next === 'failed' ? (snapshot.failureCode ?? 'declined') : null,
    updatedAt: now,
  });
  if (next === payment.status && refundedAmount === payment.refundedAmount) {
    return { payment: updated, lateSuccess: false }; // only the intent's id recorded
  }
  if (next === 'failed') {
    await paymentAttemptFailed(tx, order, now);
    return { payment: updated, lateSuccess: false };
  }
  if (rank[next] < rank.succeeded) return { payment: updated, lateSuccess: false };

  if (!wasPaid) {
    const outcome = await paymentSucceeded(tx, ctx, {
      order,
      paymentId: payment.id,
      now,
    });
    if (outcome === 'paid') return { payment: updated, lateSuccess: false };
    // Paid after the order ended (cancelled, expired) or after another payment paid it: the
    // refund is a job, enqueued with this decision.
    await ctx.jobs.enqueue(tx, 'refund-late-payment', { paymentId: payment.id });
    return { payment: updated, lateSuccess: true };
  }
  if (next !== payment.status && (next === 'refunded' || next === 'partially_refunded')) {
    await paymentStatusFollowsProvider(tx, order, next, {
      refundedAmount,
      now,
    });
  }
  return { payment: updated, lateSuccess: false };
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
  // A refund event implies the payment had succeeded: settle that first (reordered events).
  const snapshot =
    event.payment && event.type === 'payment_refunded'
      ? { ...event.payment, status: 'succeeded' as const }
      : event.payment;
  // The usual event changes nothing: the confirm response settled the payment first. Seen so
  // on a read without locks (forward only, no later state could make it change anything), the
  // event is only recorded: two statements, no transaction, no row lock.
  if (snapshot && event.type !== 'other') {
    const found = await paymentOfSnapshot(ctx, ctx.db, snapshot);
    if (found && !nextState(found, snapshot).changes && matches(ctx, found, snapshot, true)) {
      const recorded = await repo.recordEvent(
        ctx.db,
        provider,
        event.id,
        event.type,
        ctx.clock.now(),
      );
      return recorded ? 'handled' : 'duplicate';
    }
  }
  // Otherwise the event id and the change it causes commit together: a failure rolls both
  // back and the provider delivers the event again; a redelivery after success is a no-op.
  return ctx.db.transaction(async (tx) => {
    if (!(await repo.recordEvent(tx, provider, event.id, event.type, ctx.clock.now()))) {
      return 'duplicate' as const;
    }
    if (!snapshot || event.type === 'other') return 'ignored' as const;
    const { payment } = await settle(ctx, tx, snapshot);
    return payment ? ('handled' as const) : ('ignored' as const);
  });
}

/**
 * Asks the provider about payments left processing (no webhook came): the reconciliation job.
 * A payment whose intent id was never recorded is looked up by its payment id (the intent's
 * metadata), once the provider's lookups can be trusted to see it (`lookupLagMs`): found, it
 * is settled like any other; not found, it never reached the provider and nothing was charged.
 */
export async function reconcilePayments(ctx: Ctx, olderThanMs = 30_000): Promise<number> {
  const now = ctx.clock.now().getTime();
  const stale = await repo.staleProcessing(ctx.db, new Date(now - olderThanMs), 50);
  let settled = 0;
  for (const payment of stale) {
    let snapshot: IntentSnapshot | undefined;
    if (payment.providerPaymentId) {
      snapshot = await ctx.payments.retrieve(payment.providerPaymentId);
    } else {
      if (payment.updatedAt.getTime() > now - ctx.payments.lookupLagMs) continue;
      snapshot = await ctx.payments.findIntent('payment_id', payment.id);
      if (!snapshot) {
        // Never reached the provider (the process died first): nothing was charged.
        await failAttempt(ctx, payment, 'abandoned');
        settled++;
        continue;
      }
    }
    if (snapshot.status === 'succeeded' || snapshot.status === 'failed') {
      await applySnapshot(ctx, snapshot, payment);
      settled++;
    } else if (snapshot.status === 'pending') {
      // Created but never confirmed: nothing was charged.
      await applySnapshot(
        ctx,
        { ...snapshot, status: 'failed', failureCode: 'abandoned' },
        payment,
      );
      settled++;
    } else if (!payment.providerPaymentId) {
      await applySnapshot(ctx, snapshot, payment); // still processing: its id, at least
    }
  }
  return settled;
}

/** A payment as its receipt email needs it, or undefined when it is gone. Jobs only. */
export async function findPaymentForEmail(
  ctx: Pick<AppContext, 'db'>,
  paymentId: string,
): Promise<Payment | undefined> {
  const row = await repo.findPayment(ctx.db, paymentId);
  return row && toPayment(row);
}

/** A recorded refund and its payment, for the refund email. Jobs only. */
export async function findRefundForEmail(
  ctx: Pick<AppContext, 'db'>,
  refundId: string,
): Promise<
  { refund: { id: string; orderId: string; amount: number }; payment: Payment } | undefined
> {
  const refund = await repo.findRefund(ctx.db, refundId);
  if (refund?.status !== 'succeeded') return undefined;
  const payment = await repo.findPayment(ctx.db, refund.paymentId);
  return payment
    ? {
        refund: { id: refund.id, orderId: refund.orderId, amount: refund.amount },
        payment: toPayment(payment),
      }
    : undefined;
}
