import type { AppContext } from '../../app-context.js';
import type { Tx } from '../../db/client.js';
import type { ActorOrSystem } from '../auth/system-actor.js';
import {
  hostedPaymentProcessing,
  lockOrderForPayment,
  paymentAttemptFailed,
  paymentRefunded,
  paymentStatusFollowsProvider,
  paymentSucceeded,
  type LockedOrder,
  type RestockUnits,
} from '../orders/order-payments.js';
import type { IntentSnapshot } from './payment-provider.js';
import * as repo from './payment.repository.js';
import type { LockedPayment, PaymentRow } from './payment.repository.js';
import type { PaymentRecordStatus } from './payment.table.js';

/**
 * The payment lifecycle, declared once beside the order's (`orders/lifecycle.ts`): every
 * status change a payment can make, what may cause it, and the effects on its order that come
 * with it. `changePayment` is the only way a payment's status changes: in the caller's
 * transaction, on the order and payment rows the caller locked (in that order, the one every
 * path keeps), so the change and its effects commit together or not at all.
 *
 * What causes a change:
 * - `provider`: the provider's word about the intent (the confirm answer, a webhook,
 *   reconciliation), forward only (`providerChange`);
 * - `ordo`: Ordo ends an attempt that never reached a charge (refused, unreachable, abandoned),
 *   or settles one with nothing to charge (an order whose total is 0);
 * - `refund`: a refund Ordo asked for, made at the provider and now recorded (`refunds.ts`).
 */
interface CauseData {
  provider: object;
  ordo: object;
  refund: { refund: RecordedRefund };
}
export type PaymentCause = keyof CauseData;

/** A refund Ordo made, as its order's history and email tell it. */
export interface RecordedRefund {
  id: string;
  amount: number;
  /** The units it puts back in stock. */
  restock: RestockUnits;
  reason: string;
  actor: ActorOrSystem;
}

/** What effects use: what the order's side asks for (`order-payments.ts`), and the logger. */
type EffectContext = Parameters<typeof paymentSucceeded>[1] & Pick<AppContext, 'logger'>;

/** What a transition's effects are told: the payment before and after, its locked order. */
export type PaymentChange<C extends PaymentCause = PaymentCause> = {
  before: PaymentRow;
  after: PaymentRow;
  order: LockedOrder;
  now: Date;
} & CauseData[C];

type Effect<C extends PaymentCause> = (
  tx: Tx,
  ctx: EffectContext,
  change: PaymentChange<C>,
) => Promise<void>;

/** The effects of one status change, by what caused it; a cause not listed cannot make it. */
type Transition = { readonly [C in PaymentCause]?: readonly Effect<C>[] };

// --- effects -------------------------------------------------------------------------------

/**
 * The money arrived: the order is paid, or, when it no longer takes the payment (cancelled or
 * expired meanwhile, or paid by another payment), the payment is refunded by a job enqueued
 * with this decision.
 */
const payOrder: Effect<'provider' | 'ordo'> = async (tx, ctx, { after, order, now }) => {
  const free = after.amount === 0;
  if ((await paymentSucceeded(tx, ctx, { order, paymentId: after.id, now, free })) === 'paid') {
    return;
  }
  ctx.logger.warn(
    { paymentId: after.id },
    'payment succeeded for an order that no longer takes it; refunding',
  );
  await ctx.jobs.enqueue(tx, 'refund-late-payment', { paymentId: after.id });
};

/** The attempt is over without a charge: the order may be paid again. */
const freeOrder: Effect<'provider' | 'ordo'> = (tx, _ctx, { order, now }) =>
  paymentAttemptFailed(tx, order, now);

/**
 * A payment the customer tries again on the provider's hosted page, after a decline, is
 * processing: the order waits for it again.
 */
const orderWaits: Effect<'provider'> = (tx, _ctx, { order, now }) =>
  hostedPaymentProcessing(tx, order, now);

/** A refund made at the provider's own dashboard: the order's payment status follows. */
const orderFollowsProvider: Effect<'provider'> = (tx, _ctx, { after, order, now }) =>
  paymentStatusFollowsProvider(tx, order, refundStatus(after.status), {
    refundedAmount: after.refundedAmount,
    now,
  });

/** Ordo's refund: the order's payment status, history, refund email, the units it restocks. */
const orderRefunded: Effect<'refund'> = (tx, ctx, { after, order, now, refund }) =>
  paymentRefunded(tx, ctx, {
    order,
    refundId: refund.id,
    amount: refund.amount,
    paymentStatus: refundStatus(after.status),
    restock: refund.restock,
    actor: refund.actor,
    reason: refund.reason,
    now,
  });

function refundStatus(status: PaymentRecordStatus): 'refunded' | 'partially_refunded' {
  if (status === 'refunded' || status === 'partially_refunded') return status;
  throw new Error(`a refund leaves a payment refunded, not ${status}`);
}

// --- the table -----------------------------------------------------------------------------

/**
 * A change that keeps the status (the intent's id recorded, more refunded) is listed too when
 * a cause makes it. A success that arrives with its refund (the refund's event came first)
 * pays the order as any success does; the order's payment status does not follow that
 * refund.
 */
export const paymentLifecycle: Record<
  PaymentRecordStatus,
  Partial<Record<PaymentRecordStatus, Transition>>
> = {
  processing: {
    processing: { provider: [] },
    // `ordo`: an order whose total is 0 (a 100 % promo code) is paid without the provider,
    // which refuses an amount of 0 (`payments.service.ts`, payOrder).
    succeeded: { provider: [payOrder], ordo: [payOrder] },
    failed: { provider: [freeOrder], ordo: [freeOrder] },
    partially_refunded: { provider: [payOrder] },
    refunded: { provider: [payOrder] },
  },
  // A failure the provider takes back (the customer retried in its own flow), or one Ordo
  // assumed (abandoned) that the provider had charged after all.
  failed: {
    failed: { provider: [] },
    // Tried again on the provider's hosted page (the same intent) with a card that is processing.
    processing: { provider: [orderWaits] },
    succeeded: { provider: [payOrder] },
    partially_refunded: { provider: [payOrder] },
    refunded: { provider: [payOrder] },
  },
  succeeded: {
    partially_refunded: { provider: [orderFollowsProvider], refund: [orderRefunded] },
    refunded: { provider: [orderFollowsProvider], refund: [orderRefunded] },
  },
  partially_refunded: {
    partially_refunded: { provider: [], refund: [orderRefunded] },
    refunded: { provider: [orderFollowsProvider], refund: [orderRefunded] },
  },
  refunded: {
    refunded: { refund: [orderRefunded] },
  },
};

/** Whether `cause` may move a payment from `from` to `to`. */
export function paymentCanChange(
  from: PaymentRecordStatus,
  to: PaymentRecordStatus,
  cause: PaymentCause,
): boolean {
  return paymentLifecycle[from][to]?.[cause] !== undefined;
}

/** The rows a change is made on, both locked by the caller's transaction, the order first. */
export interface LockedPaymentOfOrder {
  order: LockedOrder;
  payment: LockedPayment;
}

/**
 * Locks a payment's order, then the payment (the lock order every path keeps, so a payment
 * settling while staff cancel its order cannot deadlock): what `changePayment` is given.
 * Undefined when the payment is gone.
 */
export async function lockPaymentOfOrder(
  tx: Tx,
  payment: Pick<PaymentRow, 'id' | 'orderId'>,
): Promise<LockedPaymentOfOrder | undefined> {
  const order = await lockOrderForPayment(tx, payment.orderId);
  const locked = await repo.lockPayment(tx, payment.id);
  return locked && { order, payment: locked };
}

/** The payment's fields a change may set besides its status. */
export type PaymentFields = Partial<
  Pick<PaymentRow, 'providerPaymentId' | 'refundedAmount' | 'failureCode'>
>;

/**
 * Moves a locked payment to `to` for `cause`: checked against the table, written, and followed
 * by that transition's effects, all in the caller's transaction. A change the table does not
 * list is a bug in its caller (each decides from the locked row first), so it throws.
 */
export async function changePayment<C extends PaymentCause>(
  tx: Tx,
  ctx: EffectContext,
  locked: LockedPaymentOfOrder,
  change: { to: PaymentRecordStatus; cause: C; now: Date; fields?: PaymentFields } & CauseData[C],
): Promise<PaymentRow> {
  const { payment, order } = locked;
  const effects = paymentLifecycle[payment.status][change.to]?.[change.cause];
  if (!effects) {
    throw new Error(
      `a payment that is ${payment.status} cannot become ${change.to} (${change.cause})`,
    );
  }
  const after = await repo.updatePayment(tx, payment.id, {
    ...change.fields,
    status: change.to,
    updatedAt: change.now,
  });
  const applied = { ...change, before: payment, after, order } as PaymentChange<C>;
  for (const effect of effects) await effect(tx, ctx, applied);
  return after;
}

// --- the provider's word -------------------------------------------------------------------

/**
 * Why a snapshot cannot apply to this payment at all, or undefined when it can: it must be
 * the payment's intent (the first snapshot records its id), for its amount and currency.
 */
export function snapshotMismatch(
  payment: PaymentRow,
  snapshot: IntentSnapshot,
): string | undefined {
  if (
    payment.providerPaymentId !== null &&
    payment.providerPaymentId !== snapshot.providerPaymentId
  ) {
    return 'provider intent is not the payment’s; ignored';
  }
  if (
    snapshot.amount !== payment.amount ||
    snapshot.currency.toUpperCase() !== payment.currency.toUpperCase()
  ) {
    return 'provider amount or currency does not match the payment; ignored';
  }
  return undefined;
}

/**
 * What a snapshot makes of a payment, forward only: the status to move to and the fields to
 * set, or undefined when nothing changes (recording the provider's id for the first time
 * counts as a change). Pure: the same answer on an unlocked read as on the locked row, and a
 * later state could not make a snapshot change more, which is why a webhook that changes
 * nothing on an unlocked read needs no lock. Call it on a payment the snapshot matches.
 */
export function providerChange(
  payment: PaymentRow,
  snapshot: IntentSnapshot,
): { to: PaymentRecordStatus; fields: PaymentFields } | undefined {
  const paid = ['succeeded', 'partially_refunded', 'refunded'].includes(payment.status);
  let to = payment.status;
  if (snapshot.status === 'succeeded' && !paid) to = 'succeeded';
  if (snapshot.status === 'failed' && payment.status === 'processing') to = 'failed';
  // The same intent tried again on the provider's hosted page, after a decline.
  if (snapshot.status === 'processing' && payment.status === 'failed') to = 'processing';
  // Refunds made at the provider directly (Ordo's own are reserved before they are made).
  const refundedAmount = Math.max(payment.refundedAmount, snapshot.amountRefunded);
  if (refundedAmount > payment.refundedAmount && (paid || to === 'succeeded')) {
    to = refundedAmount >= payment.amount ? 'refunded' : 'partially_refunded';
  }
  const recordsId = payment.providerPaymentId === null;
  if (!recordsId && to === payment.status && refundedAmount === payment.refundedAmount) {
    return undefined;
  }
  return {
    to,
    fields: {
      ...(recordsId ? { providerPaymentId: snapshot.providerPaymentId } : {}),
      refundedAmount,
      failureCode: to === 'failed' ? (snapshot.failureCode ?? 'declined') : null,
    },
  };
}
