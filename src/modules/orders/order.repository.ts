import { and, asc, desc, eq, gte, inArray, isNull, lt, sql, type SQL } from 'drizzle-orm';
import { contains } from '../../db/filters.js';
import { selectPage } from '../../db/page.js';
import type { Executor, Tx } from '../../db/client.js';
import type { PageRequest } from '../../shared/pagination.js';
import { orderHistory, orderLines, orders, type OrderStatus } from './order.table.js';

export type OrderRow = typeof orders.$inferSelect;
export type OrderLineRow = typeof orderLines.$inferSelect;
export type OrderHistoryRow = typeof orderHistory.$inferSelect;

export interface OrderFilter {
  userId?: string | undefined;
  status?: OrderStatus | undefined;
  /** Case-insensitive substring of the customer's email. */
  email?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  promoCode?: string | undefined;
}

/** The admin and customer order lists' filters, as SQL (the CSV export uses them too). */
export function whereOrders(filter: OrderFilter): SQL | undefined {
  return and(
    filter.userId ? eq(orders.userId, filter.userId) : undefined,
    filter.status ? eq(orders.status, filter.status) : undefined,
    filter.email ? contains(orders.email, filter.email) : undefined,
    filter.from ? gte(orders.createdAt, filter.from) : undefined,
    filter.to ? lt(orders.createdAt, filter.to) : undefined,
    filter.promoCode
      ? sql`lower(${orders.promoCode}) = ${filter.promoCode.toLowerCase()}`
      : undefined,
  );
}

export async function insertOrder(
  tx: Tx,
  order: Omit<typeof orders.$inferInsert, 'number'>,
  lines: Omit<typeof orderLines.$inferInsert, 'orderId'>[],
): Promise<OrderRow> {
  const [row] = await tx.insert(orders).values(order).returning();
  await tx.insert(orderLines).values(lines.map((line) => ({ ...line, orderId: order.id })));
  return row!;
}

export async function findOrder(db: Executor, id: string): Promise<OrderRow | undefined> {
  const [row] = await db.select().from(orders).where(eq(orders.id, id));
  return row;
}

/** Locks the order row: status changes of one order take turns. */
export async function lockOrder(tx: Tx, id: string): Promise<OrderRow | undefined> {
  const [row] = await tx.select().from(orders).where(eq(orders.id, id)).for('update');
  return row;
}

export async function listOrders(
  db: Executor,
  filter: OrderFilter,
  page: PageRequest,
): Promise<{ rows: OrderRow[]; total: number }> {
  const where = whereOrders(filter);
  return selectPage(db, orders, where, [desc(orders.createdAt), desc(orders.number)], page);
}

export async function findLines(db: Executor, orderIds: string[]): Promise<OrderLineRow[]> {
  if (orderIds.length === 0) return [];
  return db
    .select()
    .from(orderLines)
    .where(inArray(orderLines.orderId, orderIds))
    .orderBy(asc(orderLines.orderId), asc(orderLines.position));
}

export async function findHistory(db: Executor, orderIds: string[]): Promise<OrderHistoryRow[]> {
  if (orderIds.length === 0) return [];
  return db
    .select()
    .from(orderHistory)
    .where(inArray(orderHistory.orderId, orderIds))
    .orderBy(asc(orderHistory.seq));
}

export async function updateOrder(
  tx: Tx,
  id: string,
  changes: Partial<
    Pick<
      OrderRow,
      | 'status'
      | 'paymentStatus'
      | 'updatedAt'
      | 'expiresAt'
      | 'carrier'
      | 'trackingNumber'
      | 'paymentInProgress'
    >
  >,
): Promise<OrderRow> {
  const [row] = await tx.update(orders).set(changes).where(eq(orders.id, id)).returning();
  return row!;
}

export async function insertHistory(
  tx: Tx,
  entry: Omit<typeof orderHistory.$inferInsert, 'seq'>,
): Promise<void> {
  await tx.insert(orderHistory).values(entry);
}

/** Claims the one-time restock of a paid order's goods; false when they already came back. */
export async function claimRestock(tx: Tx, orderId: string, now: Date): Promise<boolean> {
  const rows = await tx
    .update(orders)
    .set({ restockedAt: now })
    .where(and(eq(orders.id, orderId), isNull(orders.restockedAt)))
    .returning({ id: orders.id });
  return rows.length > 0;
}

/** Unpaid orders past their payment deadline with no payment in progress, oldest first. */
export async function findOverdue(db: Executor, now: Date, limit: number): Promise<OrderRow[]> {
  return db
    .select()
    .from(orders)
    .where(
      and(
        eq(orders.status, 'pending_payment'),
        lt(orders.expiresAt, now),
        eq(orders.paymentInProgress, false),
      ),
    )
    .orderBy(asc(orders.expiresAt))
    .limit(limit);
}
