import type { AppContext } from '../../app-context.js';
import type { Executor, Tx } from '../../db/client.js';
import { AppError, notFound } from '../../shared/errors.js';
import { failpoint } from '../../shared/failpoints.js';
import { newId } from '../../shared/ids.js';
import type { Caller } from '../orders/order-access.js';
import {
  hostedPaymentProcessing,
  lockOrderForPayment,
  orderExists,
  requireVisibleOrder,
  startPayment,
} from '../orders/order-payments.js';
import {
  changePayment,
  lockPaymentOfOrder,
  paymentCanChange,
  providerChange,
  snapshotMismatch,
} from './payment-lifecycle.js';
import {
  ProviderRefused,
  ProviderUnavailable,
  type IntentSnapshot,
  type WebhookEvent,
} from './payment-provider.js';
import * as repo from './payment.repository.js';
import type { PaymentRow } from './payment.repository.js';
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
  caller: Caller,
  orderId: string,
): Promise<Payment[]> {
  await requireVisibleOrder(ctx, caller, orderId);
  return (await repo.paymentsOfOrder(ctx.db, orderId)).map(toPayment);
}

/**
 * What payOrder commits before it calls the provider: the order marked as being paid and the
 * attempt's `processing` row, in one statement (startPayment).
 */
export async function beginAttempt(
  ctx: Ctx,
  caller: Caller,
  orderId: string,
  id: string = newId('pay', ctx.clock.now().getTime()),
): Promise<PaymentRow> {
  const now = ctx.clock.now();
  const provider = ctx.payments.name;
  const { amount, currency } = await startPayment(ctx.db, caller, orderId, now, (started) =>
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
  caller: Caller,
  orderId: string,
  paymentMethod: string,
): Promise<Payment> {
  const payment = await beginAttempt(ctx, caller, orderId);
  if (payment.amount === 0) return toPayment(await settleFree(ctx, payment));
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
 * Pays an order whose balance is 0 at once, as payOrder does, without a provider: a hosted
 * payment page has nothing to take. Undefined (and the attempt given up) if the order turns
 * out to owe something after all.
 */
export async function payFreeOrder(
  ctx: Ctx,
  caller: Caller,
  orderId: string,
): Promise<Payment | undefined> {
  const payment = await beginAttempt(ctx, caller, orderId);
  if (payment.amount !== 0) {
    await failAttempt(ctx, payment, 'abandoned');
    return undefined;
  }
  return toPayment(await settleFree(ctx, payment));
}

/**
 * An order whose total is 0 (a 100 % promo code) has nothing to charge, and providers refuse
 * an amount of 0: its attempt succeeds at once without the provider, a payment of 0 that pays
 * the order through the lifecycle like any other (history, receipt). Should the process die
 * first, reconciliation finds no intent and abandons the attempt; the customer pays again.
 */
async function settleFree(ctx: Ctx, payment: PaymentRow): Promise<PaymentRow> {
  return ctx.db.transaction(async (tx) => {
    const locked = await lockPaymentOfOrder(tx, payment);
    if (!locked) throw notFound('Payment');
    if (!paymentCanChange(locked.payment.status, 'succeeded', 'ordo')) return locked.payment;
    return changePayment(tx, ctx, locked, { to: 'succeeded', cause: 'ordo', now: ctx.clock.now() });
  });
}

/**
 * Ends an attempt that never reached a charge (refused, unreachable, abandoned): the payment
 * `failed`, and the order free to be paid again. Forward only, under the order's lock.
 */
async function failAttempt(
  ctx: Ctx,
  payment: PaymentRow,
  failureCode: string,
): Promise<PaymentRow> {
  return ctx.db.transaction(async (tx) => {
    const locked = await lockPaymentOfOrder(tx, payment);
    if (!locked) throw notFound('Payment');
    if (!paymentCanChange(locked.payment.status, 'failed', 'ordo')) return locked.payment;
    return changePayment(tx, ctx, locked, {
      to: 'failed',
      cause: 'ordo',
      now: ctx.clock.now(),
      fields: { failureCode },
    });
  });
}

/**
 * Brings a payment up to what the provider says, forward only, under the order's and the
 * payment's row locks: whichever arrives first (the confirm response, a webhook,
 * reconciliation) makes the change, the others find nothing to do. What the change does to
 * the order is the payment lifecycle's (`payment-lifecycle.ts`): a success pays the order, or,
 * when the order was cancelled or expired meanwhile, is refunded automatically.
 */
export async function applySnapshot(
  ctx: Ctx,
  snapshot: IntentSnapshot,
  payment: Pick<PaymentRow, 'id' | 'orderId'>,
): Promise<PaymentRow> {
  const settled = await ctx.db.transaction((tx) => settle(ctx, tx, snapshot, payment));
  if (!settled) throw notFound('Payment');
  return settled;
}

/**
 * applySnapshot's work, in the caller's transaction (the webhook's, with its event record):
 * the order's lock first, then the payment's, and the decision made on the locked payment. A
 * snapshot for another intent, or for other money, is logged and ignored.
 */
async function settle(
  ctx: Ctx,
  tx: Tx,
  snapshot: IntentSnapshot,
  target: Pick<PaymentRow, 'id' | 'orderId'>,
): Promise<PaymentRow | undefined> {
  const locked = await lockPaymentOfOrder(tx, target);
  if (!locked) return undefined;
  const mismatch = snapshotMismatch(locked.payment, snapshot);
  if (mismatch) {
    ctx.logger.error({ paymentId: locked.payment.id, snapshot }, mismatch);
    return locked.payment;
  }
  const change = providerChange(locked.payment, snapshot);
  if (!change) return locked.payment;
  return changePayment(tx, ctx, locked, { ...change, cause: 'provider', now: ctx.clock.now() });
}

/**
 * The payment a provider's event is about: by the intent's id, or, when that id was never
 * recorded (a process died between the provider's answer and its record, or the event came
 * first), by the payment id Ordo put in the intent's metadata.
 */
async function paymentOfSnapshot(
  ctx: Ctx,
  db: Executor,
  snapshot: IntentSnapshot,
): Promise<PaymentRow | undefined> {
  const byId = await repo.findPaymentByProviderId(
    db,
    ctx.payments.name,
    snapshot.providerPaymentId,
  );
  if (byId) return byId;
  const paymentId = snapshot.metadata.payment_id;
  if (!paymentId) return undefined;
  const byMetadata = await repo.findPayment(db, paymentId);
  return byMetadata?.provider === ctx.payments.name &&
    byMetadata.orderId === snapshot.metadata.order_id
    ? byMetadata
    : undefined;
}

/**
 * What an event says of its payment; a refund implies a success (settled first if reordered).
 * A hosted page's session names its intent only: the provider is asked for it.
 */
async function snapshotOfEvent(ctx: Ctx, event: WebhookEvent): Promise<IntentSnapshot | undefined> {
  if (event.type === 'checkout_completed') {
    return event.paymentIntentId ? retrieveForWebhook(ctx, event.paymentIntentId) : undefined;
  }
  if (!event.payment || event.type === 'other') return undefined;
  return event.type === 'payment_refunded'
    ? { ...event.payment, status: 'succeeded' }
    : event.payment;
}

/** The intent a session event names; unreachable: 503, so the provider delivers it again. */
async function retrieveForWebhook(ctx: Ctx, intentId: string): Promise<IntentSnapshot | undefined> {
  try {
    return await ctx.payments.retrieve(intentId);
  } catch (error) {
    if (error instanceof ProviderRefused) return undefined;
    if (!(error instanceof ProviderUnavailable)) throw error;
    ctx.logger.warn({ err: error, intentId }, 'payment provider unavailable for a webhook');
    throw new AppError(
      'UNAVAILABLE',
      'The payment provider is unavailable; deliver the event again',
    );
  }
}

/**
 * An incoming provider webhook: signature checked on the raw body, the event id recorded
 * under a unique key (a duplicate is a no-op), then the payment brought forward. The record
 * and the change commit together, so a failure makes the provider retry. A payment made on
 * the provider's hosted page is recorded when its first event comes (`recordHostedPayment`).
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
  const snapshot = await snapshotOfEvent(ctx, event);
  const payment = snapshot && (await paymentOfSnapshot(ctx, ctx.db, snapshot));
  // The usual event changes nothing: the confirm response settled the payment first. Seen so
  // on a read without locks (forward only, no later state could make it change anything), the
  // event is only recorded: no transaction, no row lock.
  if (payment && !snapshotMismatch(payment, snapshot) && !providerChange(payment, snapshot)) {
    const recorded = await repo.recordEvent(
      ctx.db,
      provider,
      event.id,
      event.type,
      ctx.clock.now(),
    );
    return recorded ? 'handled' : 'duplicate';
  }
  // Otherwise the event id and the change it causes commit together: a failure rolls both
  // back and the provider delivers the event again; a redelivery after success is a no-op.
  return ctx.db.transaction(async (tx) => {
    if (!(await repo.recordEvent(tx, provider, event.id, event.type, ctx.clock.now()))) {
      return 'duplicate' as const;
    }
    const settled = payment
      ? await settle(ctx, tx, snapshot, payment)
      : snapshot && (await recordHostedPayment(ctx, tx, snapshot));
    return settled ? ('handled' as const) : ('ignored' as const);
  });
}

/**
 * A payment made on the provider's hosted page, first seen in one of its events: Ordo made no
 * attempt row for it (the customer typed the card at the provider), so the row is written now
 * under the order's lock, with the id Ordo chose when it opened the page (the intent's
 * metadata), and settled as any payment is. Declined at first: written `failed`, and the
 * order stays payable; processing: the order waits for it; succeeded: it pays the order (or,
 * the order having moved on, is refunded as late). Events of the same intent that race wait
 * for the order's lock, and find the row.
 */
async function recordHostedPayment(
  ctx: Ctx,
  tx: Tx,
  snapshot: IntentSnapshot,
): Promise<PaymentRow | undefined> {
  const { order_id: orderId, payment_id: paymentId, ordo_flow: flow } = snapshot.metadata;
  if (flow !== 'hosted' || !orderId || !paymentId || snapshot.status === 'pending') {
    return undefined;
  }
  if (!(await orderExists(tx, orderId))) return undefined;
  const locked = await lockOrderForPayment(tx, orderId);
  const existing = await repo.findPayment(tx, paymentId);
  if (existing) {
    return existing.orderId === orderId ? settle(ctx, tx, snapshot, existing) : undefined;
  }
  const now = ctx.clock.now();
  const failed = snapshot.status === 'failed';
  const row = await repo.insertPayment(tx, {
    id: paymentId,
    orderId,
    provider: ctx.payments.name,
    providerPaymentId: snapshot.providerPaymentId,
    status: failed ? 'failed' : 'processing',
    amount: snapshot.amount,
    refundedAmount: 0,
    currency: snapshot.currency.toUpperCase(),
    failureCode: failed ? (snapshot.failureCode ?? 'declined') : null,
    createdAt: now,
    updatedAt: now,
  });
  if (failed) return row;
  if (snapshot.status !== 'succeeded') {
    await hostedPaymentProcessing(tx, locked, now);
    return row;
  }
  return settle(ctx, tx, snapshot, row);
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
