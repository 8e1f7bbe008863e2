import { and, asc, eq, inArray, lt, ne, sql, type SQL } from 'drizzle-orm';
import type { Executor, Tx } from '../../db/client.js';
import { payments, refunds, webhookEvents } from './payment.table.js';

export type PaymentRow = typeof payments.$inferSelect;
export type RefundRow = typeof refunds.$inferSelect;

/**
 * A new attempt's row, as a statement's insert from `order` (a CTE of the order being paid:
 * its id, total and currency): `processing`, no provider id yet. `startPayment` runs it with
 * the order's change.
 */
export function insertAttemptSql(
  order: SQL,
  attempt: { id: string; provider: string; now: Date },
): SQL {
  return sql`insert into payments (id, order_id, provider, provider_payment_id, status, amount,
                                   refunded_amount, currency, created_at, updated_at)
    select ${attempt.id}::text, ${order}.id, ${attempt.provider}::text, null, 'processing',
           ${order}.total, 0, ${order}.currency, ${attempt.now}::timestamptz,
           ${attempt.now}::timestamptz
      from ${order}`;
}

/** A payment first seen in its provider's webhook (made on the provider's hosted page). */
export async function insertPayment(
  tx: Tx,
  row: typeof payments.$inferInsert,
): Promise<PaymentRow> {
  const [created] = await tx.insert(payments).values(row).returning();
  return created!;
}

export async function findPayment(db: Executor, id: string): Promise<PaymentRow | undefined> {
  const [row] = await db.select().from(payments).where(eq(payments.id, id));
  return row;
}

declare const locked: unique symbol;
/** A payment row read under its row lock (`lockPayment`): what a status change is made on. */
export type LockedPayment = PaymentRow & { readonly [locked]: true };

export async function lockPayment(tx: Tx, id: string): Promise<LockedPayment | undefined> {
  const [row] = await tx.select().from(payments).where(eq(payments.id, id)).for('update');
  return row as LockedPayment | undefined;
}

export async function findPaymentByProviderId(
  db: Executor,
  provider: string,
  providerPaymentId: string,
): Promise<PaymentRow | undefined> {
  const [row] = await db
    .select()
    .from(payments)
    .where(and(eq(payments.provider, provider), eq(payments.providerPaymentId, providerPaymentId)));
  return row;
}

export async function paymentsOfOrder(db: Executor, orderId: string): Promise<PaymentRow[]> {
  return db
    .select()
    .from(payments)
    .where(eq(payments.orderId, orderId))
    .orderBy(asc(payments.createdAt), asc(payments.id));
}

export async function updatePayment(
  tx: Executor,
  id: string,
  changes: Partial<Omit<PaymentRow, 'id' | 'orderId' | 'createdAt'>>,
): Promise<PaymentRow> {
  const [row] = await tx.update(payments).set(changes).where(eq(payments.id, id)).returning();
  return row!;
}

/**
 * Sets aside `amount` of a succeeded payment for a refund, in one conditional statement, so
 * concurrent refunds never exceed what was paid. Returns the payment, or undefined when it
 * does not have that much left.
 */
export async function reserveRefund(
  tx: Executor,
  id: string,
  amount: number,
  now: Date,
): Promise<PaymentRow | undefined> {
  const [row] = await tx
    .update(payments)
    .set({ refundedAmount: sql`${payments.refundedAmount} + ${amount}`, updatedAt: now })
    .where(
      and(
        eq(payments.id, id),
        inArray(payments.status, ['succeeded', 'partially_refunded']),
        sql`${payments.refundedAmount} + ${amount} <= ${payments.amount}`,
      ),
    )
    .returning();
  return row;
}

/** Gives back an amount set aside by `reserveRefund` whose refund did not happen. */
export async function releaseRefund(tx: Executor, id: string, amount: number): Promise<void> {
  await tx
    .update(payments)
    .set({ refundedAmount: sql`${payments.refundedAmount} - ${amount}` })
    .where(eq(payments.id, id));
}

export async function insertRefund(tx: Tx, row: typeof refunds.$inferInsert): Promise<RefundRow> {
  const [created] = await tx.insert(refunds).values(row).returning();
  return created!;
}

export async function findRefundByKey(
  db: Executor,
  paymentId: string,
  requestKey: string,
): Promise<RefundRow | undefined> {
  const [row] = await db
    .select()
    .from(refunds)
    .where(and(eq(refunds.paymentId, paymentId), eq(refunds.requestKey, requestKey)));
  return row;
}

/** Ends a pending refund (succeeded or failed), once: undefined when it was no longer pending. */
export async function finishRefund(
  tx: Tx,
  id: string,
  changes: Pick<RefundRow, 'status' | 'updatedAt'> &
    Partial<Pick<RefundRow, 'providerRefundId' | 'failureCode'>>,
): Promise<RefundRow | undefined> {
  const [row] = await tx
    .update(refunds)
    .set(changes)
    .where(and(eq(refunds.id, id), eq(refunds.status, 'pending')))
    .returning();
  return row;
}

/** What is reserved on a payment for refunds still pending, other than `exceptId`. */
export async function pendingRefundTotal(
  tx: Executor,
  paymentId: string,
  exceptId: string,
): Promise<number> {
  const [row] = await tx
    .select({ total: sql<string>`coalesce(sum(${refunds.amount}), 0)` })
    .from(refunds)
    .where(
      and(
        eq(refunds.paymentId, paymentId),
        eq(refunds.status, 'pending'),
        ne(refunds.id, exceptId),
      ),
    );
  return Number(row?.total ?? 0);
}

/** The units refunds of an order still pending will put back when they succeed. */
export async function pendingRestock(
  tx: Executor,
  orderId: string,
): Promise<{ productId: string; variantId?: string; quantity: number }[]> {
  const rows = await tx
    .select({ lines: refunds.restockLines })
    .from(refunds)
    .where(and(eq(refunds.orderId, orderId), eq(refunds.status, 'pending')));
  return rows.flatMap((row) => row.lines);
}

/** Refunds still pending since before `before`: their provider call failed or its process died. */
export async function stalePendingRefunds(
  db: Executor,
  before: Date,
  limit: number,
): Promise<RefundRow[]> {
  return db
    .select()
    .from(refunds)
    .where(and(eq(refunds.status, 'pending'), lt(refunds.updatedAt, before)))
    .orderBy(asc(refunds.updatedAt))
    .limit(limit);
}

/** Records a webhook event id; false when it was already recorded (a redelivery). */
export async function recordEvent(
  tx: Executor,
  provider: string,
  eventId: string,
  type: string,
  now: Date,
): Promise<boolean> {
  const rows = await tx
    .insert(webhookEvents)
    .values({ provider, eventId, type, receivedAt: now })
    .onConflictDoNothing()
    .returning({ id: webhookEvents.eventId });
  return rows.length > 0;
}

/** Payments still processing since before `before`: candidates for reconciliation. */
export async function staleProcessing(
  db: Executor,
  before: Date,
  limit: number,
): Promise<PaymentRow[]> {
  return db
    .select()
    .from(payments)
    .where(and(eq(payments.status, 'processing'), lt(payments.updatedAt, before)))
    .orderBy(asc(payments.updatedAt))
    .limit(limit);
}

export async function findRefund(db: Executor, id: string): Promise<RefundRow | undefined> {
  const [row] = await db.select().from(refunds).where(eq(refunds.id, id));
  return row;
}
