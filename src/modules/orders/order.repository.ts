import { and, asc, desc, eq, gte, inArray, isNull, lt, sql, type SQL } from 'drizzle-orm';
import { contains } from '../../db/filters.js';
import { selectPage } from '../../db/page.js';
import { preparedRows, type Executor, type Tx } from '../../db/client.js';
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

export type NewOrder = Omit<
  OrderRow,
  'number' | 'carrier' | 'trackingNumber' | 'paymentInProgress' | 'restockedAt'
>;
export type NewOrderLine = Omit<OrderLineRow, 'orderId'>;
export type NewHistoryEntry = Omit<OrderHistoryRow, 'seq' | 'orderId'>;

/** A new order's rows, as placing it writes them. */
export interface NewOrderRows {
  order: NewOrder;
  lines: NewOrderLine[];
  first: NewHistoryEntry;
  /** A statement that goes with the order (its confirmation job), given when it was written. */
  also?: (written: SQL) => SQL;
}

/**
 * A new order with its lines, its first history entry and `also`, as CTEs of one statement
 * (`o` answers the order's id and number), written only while `when` holds: placing an order
 * with its stock makes that "every line's stock was taken" (takeStockForOrder).
 */
export function orderCtes({ order, lines, first, also }: NewOrderRows, when: SQL): SQL {
  const column = <K extends keyof NewOrderLine>(key: K) => sql.param(lines.map((l) => l[key]));
  return sql`o as (
      insert into orders (id, user_id, email, status, payment_status, subtotal, discount, shipping,
                          total, currency, promo_code, shipping_address, expires_at, created_at,
                          updated_at)
      select ${order.id}::text, ${order.userId}::text, ${order.email}::text, ${order.status}::text,
             ${order.paymentStatus}::text, ${order.subtotal}::int8, ${order.discount}::int8,
             ${order.shipping}::int8, ${order.total}::int8, ${order.currency}::text,
             ${order.promoCode}::text,
             ${JSON.stringify(order.shippingAddress)}::jsonb, ${order.expiresAt}::timestamptz,
             ${order.createdAt}::timestamptz, ${order.updatedAt}::timestamptz
       where ${when}
      returning id, number
    ), l as (
      insert into order_lines (id, order_id, position, product_id, sku, name, unit_price,
                               quantity, subtotal, discount, total)
      select line.id, o.id, line.position, line.product_id, line.sku, line.name,
             line.unit_price, line.quantity, line.subtotal, line.discount, line.total
        from o, unnest(${column('id')}::text[], ${column('position')}::int4[],
                       ${column('productId')}::text[], ${column('sku')}::text[],
                       ${column('name')}::text[], ${column('unitPrice')}::int8[],
                       ${column('quantity')}::int4[], ${column('subtotal')}::int8[],
                       ${column('discount')}::int8[], ${column('total')}::int8[])
             as line(id, position, product_id, sku, name, unit_price, quantity, subtotal,
                     discount, total)
    ), h as (
      insert into order_history (order_id, from_status, to_status, actor_id, actor_role, reason,
                                 created_at)
      select o.id, ${first.fromStatus}, ${first.toStatus}, ${first.actorId}, ${first.actorRole},
             ${first.reason}, ${first.createdAt}::timestamptz
        from o
    )${also ? sql`, extra as (${also(sql`exists (select 1 from o)`)})` : sql``}`;
}

/** The order row as `orderCtes` wrote it, given the number the database chose. */
export function writtenOrder(order: NewOrder, number: unknown): OrderRow {
  return {
    ...order,
    number: Number(number),
    carrier: null,
    trackingNumber: null,
    paymentInProgress: false,
    restockedAt: null,
  };
}

/**
 * Writes a new order with its lines, its first history entry and `also`, in one statement,
 * and answers the row as written (its number is the only value the database chooses).
 */
export async function insertOrder(tx: Tx, rows: NewOrderRows): Promise<OrderRow> {
  const [written] = await preparedRows<{ number: string | number }>(
    tx,
    sql`with ${orderCtes(rows, sql`true`)} select number from o`,
  );
  return writtenOrder(rows.order, written!.number);
}

export async function findOrder(db: Executor, id: string): Promise<OrderRow | undefined> {
  const [row] = await db.select().from(orders).where(eq(orders.id, id));
  return row;
}

export async function findOrders(db: Executor, ids: string[]): Promise<OrderRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(orders).where(inArray(orders.id, ids));
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

export type OrderChanges = Partial<
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
>;
export type NewHistory = Omit<typeof orderHistory.$inferInsert, 'seq'>;

export async function updateOrder(tx: Tx, id: string, changes: OrderChanges): Promise<OrderRow> {
  const [row] = await tx.update(orders).set(changes).where(eq(orders.id, id)).returning();
  return row!;
}

/** Changes the order and writes its history entry in one statement (the entry as a CTE). */
export async function updateOrderWithHistory(
  tx: Tx,
  id: string,
  changes: OrderChanges,
  entry: NewHistory,
): Promise<OrderRow> {
  const history = tx.$with('history').as(tx.insert(orderHistory).values(entry));
  const [row] = await tx
    .with(history)
    .update(orders)
    .set(changes)
    .where(eq(orders.id, id))
    .returning();
  return row!;
}

export async function insertHistory(tx: Tx, entry: NewHistory): Promise<void> {
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
