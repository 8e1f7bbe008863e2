import { and, count, gte, lt, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { orders } from './order.table.js';

/**
 * Figures over orders for the dashboard and the business metrics: reads of the orders
 * module's table, so no other module reads it in SQL of its own. Revenue counts orders that
 * were paid (paid, shipped, delivered, or refunded in part), net of what was refunded, which
 * the payments module knows: the caller passes its `refundedOf`, an SQL value over an order's
 * id.
 */
export type RefundedOf = (orderId: SQL) => SQL<number>;

/**
 * The order's id, named with its table. drizzle writes a column of a single-table query
 * without its table, so inside `refundedOf`'s subquery over payments a bare `"id"` would be
 * the payment's own id and nothing would ever match.
 */
export const orderIdRef = sql`${orders}.${sql.identifier(orders.id.name)}`;

const everPaid = sql`${orders.paymentStatus} <> 'unpaid'`;

/** Net revenue of the orders counted, only those ever paid (`where` narrows further). */
const revenue = (refundedOf: RefundedOf, where?: SQL) =>
  sql<number>`coalesce(sum(${orders.total} - ${refundedOf(orderIdRef)})
                 filter (where ${where ? and(where, everPaid) : everPaid}), 0)`.mapWith(Number);

/** Orders placed since `today` and since `weekAgo`, and their net revenue. */
export async function recentOrderFigures(
  db: Executor,
  since: { today: Date; weekAgo: Date },
  refundedOf: RefundedOf,
): Promise<{ ordersToday: number; revenueToday: number; ordersWeek: number; revenueWeek: number }> {
  const today = gte(orders.createdAt, since.today);
  const [row] = await db
    .select({
      ordersToday: sql<number>`count(*) filter (where ${today})`.mapWith(Number),
      revenueToday: revenue(refundedOf, today),
      ordersWeek: count(),
      revenueWeek: revenue(refundedOf),
    })
    .from(orders)
    .where(gte(orders.createdAt, since.weekAgo));
  return row ?? { ordersToday: 0, revenueToday: 0, ordersWeek: 0, revenueWeek: 0 };
}

/** Orders placed and their net revenue per UTC day (`YYYY-MM-DD`) in [from, to); days without orders are absent. */
export async function dailyOrderFigures(
  db: Executor,
  range: { from: Date; to: Date },
  refundedOf: RefundedOf,
): Promise<{ day: string; orders: number; revenue: number }[]> {
  const day = sql<string>`to_char(${orders.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`;
  return db
    .select({ day, orders: count(), revenue: revenue(refundedOf) })
    .from(orders)
    .where(and(gte(orders.createdAt, range.from), lt(orders.createdAt, range.to)))
    .groupBy(day);
}

/** Orders by status and whether they were ever paid, with how many of each. */
export async function countOrders(
  db: Executor,
): Promise<{ status: string; everPaid: boolean; n: number }[]> {
  return db
    .select({ status: orders.status, everPaid: sql<boolean>`${everPaid}`, n: count() })
    .from(orders)
    .groupBy(orders.status, everPaid);
}
