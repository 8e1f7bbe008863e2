import { and, asc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Executor, Tx } from '../../db/client.js';
import { payments, refunds, webhookEvents } from './payment.table.js';

export type PaymentRow = typeof payments.$inferSelect;

export async function insertPayment(
  tx: Executor,
  row: typeof payments.$inferInsert,
): Promise<PaymentRow> {
  const [created] = await tx.insert(payments).values(row).returning();
  return created!;
}

export async function findPayment(db: Executor, id: string): Promise<PaymentRow | undefined> {
  const [row] = await db.select().from(payments).where(eq(payments.id, id));
  return row;
}

export async function lockPayment(tx: Tx, id: string): Promise<PaymentRow | undefined> {
  const [row] = await tx.select().from(payments).where(eq(payments.id, id)).for('update');
  return row;
}

export async function lockPaymentByProviderId(
  tx: Tx,
  provider: string,
  providerPaymentId: string,
): Promise<PaymentRow | undefined> {
  const [row] = await tx
    .select()
    .from(payments)
    .where(and(eq(payments.provider, provider), eq(payments.providerPaymentId, providerPaymentId)))
    .for('update');
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

export async function insertRefund(tx: Executor, row: typeof refunds.$inferInsert): Promise<void> {
  await tx.insert(refunds).values(row).onConflictDoNothing({ target: refunds.providerRefundId });
}

/** Records a webhook event id; false when it was already recorded (a redelivery). */
export async function recordEvent(
  tx: Tx,
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

export async function hasProcessingPayment(db: Executor, orderId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: payments.id })
    .from(payments)
    .where(and(eq(payments.orderId, orderId), eq(payments.status, 'processing')))
    .limit(1);
  return row !== undefined;
}

export async function findRefund(db: Executor, id: string) {
  const [row] = await db.select().from(refunds).where(eq(refunds.id, id));
  return row;
}
