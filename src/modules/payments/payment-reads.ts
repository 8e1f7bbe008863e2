import { count, sql, sum, type Column, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { payments, refunds } from './payment.table.js';

/**
 * Reads of the payments module's tables for the dashboard, the CSV export and the business
 * metrics, so no other module reads them in SQL of its own.
 */

/**
 * What has been refunded of an order's payments, in minor units (0 when nothing was): an SQL
 * value over `orderId`, the order id of the caller's query, for a read that shows an order
 * net of its refunds. One indexed lookup per order (payments by order id).
 */
export const refundedOfOrder = (orderId: Column | SQL): SQL<number> =>
  sql<number>`coalesce((select sum(${payments.refundedAmount}) from ${payments}
                         where ${payments.orderId} = ${orderId}), 0)`.mapWith(Number);

/** Payments by status and failure code, with how many of each. */
export async function countPayments(
  db: Executor,
): Promise<{ status: string; reason: string | null; n: number }[]> {
  return db
    .select({ status: payments.status, reason: payments.failureCode, n: count() })
    .from(payments)
    .groupBy(payments.status, payments.failureCode);
}

/** Refunds by status, with how many of each and their amount. */
export async function countRefunds(
  db: Executor,
): Promise<{ status: string; n: number; amount: number }[]> {
  const rows = await db
    .select({ status: refunds.status, n: count(), amount: sum(refunds.amount).mapWith(Number) })
    .from(refunds)
    .groupBy(refunds.status);
  return rows.map((row) => ({ ...row, amount: row.amount ?? 0 }));
}
