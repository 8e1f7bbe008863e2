import { and, asc, desc, eq, gte, inArray, isNull, lt, sql, type SQL } from 'drizzle-orm';
import { contains } from '../../db/filters.js';
import { selectPage } from '../../db/page.js';
import { QueryBuilder } from 'drizzle-orm/pg-core';
import {
  prepareQuery,
  runPrepared,
  type Executor,
  type PreparedQuery,
  type Tx,
} from '../../db/client.js';
import {
  columnName,
  cte,
  insertSelect,
  placeholders,
  prefixed,
  typedParam,
  unnestAs,
} from '../../db/insert-select.js';
import {
  lockedVariantOf,
  type LockedVariant,
  type LockedVariantRow,
  type ReservationCtes,
} from '../catalog/stock.service.js';
import { shippingSql, type ShippingRule } from './pricing.js';
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
  /** The order's number, exactly (a unique index answers it). */
  number?: number | undefined;
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
    filter.number === undefined ? undefined : eq(orders.number, filter.number),
  );
}

export type NewOrder = Omit<
  OrderRow,
  'number' | 'carrier' | 'trackingNumber' | 'paymentInProgress' | 'restockedAt'
>;
export type NewOrderLine = Omit<OrderLineRow, 'orderId'>;
export type NewHistoryEntry = Omit<OrderHistoryRow, 'seq' | 'orderId'>;

const qb = new QueryBuilder();

type Nullable<T> = { [K in keyof T]: T[K] | null };

/** An order as placing it writes it, before its prices: those come from the locked variants. */
export interface OrderPlacement {
  order: Omit<NewOrder, 'subtotal' | 'discount' | 'shipping' | 'total'>;
  /**
   * In the customer's order (`position`), one per item, with its share of a discount: each
   * names its variant, or its product (whose one variant it means) with `variantId` null.
   */
  lines: (Pick<NewOrderLine, 'id' | 'position' | 'quantity' | 'discount'> & {
    variantId: string | null;
    productId: string | null;
  })[];
  first: NewHistoryEntry;
}

/** What a placement answers: the locked variants, and the order's number and totals if written. */
export interface Placed {
  locked: LockedVariant[];
  written: Pick<OrderRow, 'number' | 'subtotal' | 'discount' | 'shipping' | 'total'> | undefined;
}

/** Every key of T, listed once (the compiler refuses a list that misses one). */
const keysOf = <T>(keys: Record<keyof T, true>) => Object.keys(keys) as (keyof T & string)[];

// The placement's values, as placeholders of the statement (placementValues fills them).
const order = placeholders(
  'order_',
  keysOf<OrderPlacement['order']>({
    id: true,
    userId: true,
    email: true,
    guestTokenHash: true,
    status: true,
    paymentStatus: true,
    currency: true,
    promoCode: true,
    shippingAddress: true,
    expiresAt: true,
    createdAt: true,
    updatedAt: true,
  }),
);
const line = placeholders(
  'line_',
  keysOf<OrderPlacement['lines'][number]>({
    id: true,
    position: true,
    variantId: true,
    productId: true,
    quantity: true,
    discount: true,
  }),
);
const first = placeholders(
  'first_',
  keysOf<NewHistoryEntry>({
    fromStatus: true,
    toStatus: true,
    actorId: true,
    actorRole: true,
    reason: true,
    createdAt: true,
  }),
);

/** The values of an order placement, under the placeholders of placementStatement. */
export function placementValues(placement: OrderPlacement): Record<string, unknown> {
  const { lines } = placement;
  return {
    ...prefixed('order_', placement.order),
    ...prefixed('line_', {
      id: lines.map((l) => l.id),
      position: lines.map((l) => l.position),
      variantId: lines.map((l) => l.variantId),
      productId: lines.map((l) => l.productId),
      quantity: lines.map((l) => l.quantity),
      discount: lines.map((l) => l.discount),
    } satisfies Record<keyof typeof line, unknown[]>),
    line_count: lines.length,
    ...prefixed('first_', placement.first),
  };
}

const amount = (value: number | null) => typedParam(orders.total, value);

/**
 * The order's lines priced from the locked variants: each at its variant's price, sku and
 * title and its product's name. A line named by its product takes that product's one variant
 * (the reservation refuses a product with options named so, and then nothing is written).
 */
function pricedLines(locked: ReservationCtes['locked']) {
  const {
    id,
    position,
    productId,
    variantId,
    variantTitle,
    quantity,
    discount,
    sku,
    name,
    unitPrice,
    subtotal,
  } = orderLines;
  return qb
    .$with('priced', {
      id,
      position,
      quantity,
      discount,
      productId,
      variantId,
      variantTitle,
      sku,
      name,
      unitPrice,
      subtotal,
    })
    .as(
      sql`select wanted.${columnName(id)}, wanted.${columnName(position)},
                 wanted.${columnName(quantity)}, wanted.${columnName(discount)},
                 ${locked.productId} as ${columnName(productId)},
                 ${locked.id} as ${columnName(variantId)},
                 ${locked.title} as ${columnName(variantTitle)},
                 ${locked.sku} as ${columnName(sku)}, ${locked.name} as ${columnName(name)},
                 ${locked.price} as ${columnName(unitPrice)},
                 cast(${locked.price} as ${sql.raw(subtotal.getSQLType())}) * wanted.${columnName(quantity)}
                   as ${columnName(subtotal)}
            from ${unnestAs(
              'wanted',
              [
                [id, line.id],
                [position, line.position],
                [variantId, line.variantId],
                [productId, line.productId],
                [quantity, line.quantity],
                [discount, line.discount],
              ],
              sql.placeholder('line_count'),
            )}
            join ${locked} on ${locked.id} = wanted.${columnName(variantId)}
              or (wanted.${columnName(variantId)} is null
                  and ${locked.productId} = wanted.${columnName(productId)})`,
    );
}

/** The order's totals from its priced lines: sums, shipping by the shop's rule. */
function orderTotals(priced: ReturnType<typeof pricedLines>, rule: ShippingRule) {
  const { subtotal, discount, shipping } = orders;
  return qb.$with('totals', { subtotal, discount, shipping }).as(
    sql`select ${columnName(subtotal)}, ${columnName(discount)},
               ${shippingSql(sql`${columnName(subtotal)} - ${columnName(discount)}`, rule, amount)}
                 as ${columnName(shipping)}
          from (select sum(${priced.subtotal}) as ${columnName(subtotal)},
                       sum(${priced.discount}) as ${columnName(discount)} from ${priced}) sums`,
  );
}

/** The order row, written from `totals` only when `when` holds; answers its number and totals. */
function writtenOrder(totals: ReturnType<typeof orderTotals>, when: SQL) {
  const answered = {
    id: orders.id,
    number: orders.number,
    subtotal: orders.subtotal,
    discount: orders.discount,
    shipping: orders.shipping,
    total: orders.total,
  };
  const insert = insertSelect(
    orders,
    {
      ...order,
      subtotal: totals.subtotal,
      discount: totals.discount,
      shipping: totals.shipping,
      total: sql`${totals.subtotal} - ${totals.discount} + ${totals.shipping}`,
    },
    sql`from ${totals} where ${when}`,
  );
  const returning = sql.join(Object.values(answered).map(columnName), sql`, `);
  return qb.$with('o', answered).as(sql`${insert} returning ${returning}`);
}

/**
 * The statement that places an order: `reservation`'s CTEs (the catalog's: the variants
 * locked, judged, their stock taken with its ledger rows) and then, only when every line's
 * stock was taken, the order priced from the locked rows (each line at its variant's price,
 * sku and title and its product's name under the lock, less its share of the discount; shipping by `shipping`), its lines, its
 * first history entry and `job` (its confirmation, given the SQL that says the order was
 * written). Its text is the same for every order: it is built and serialised once (a few
 * hundred microseconds of drizzle's time, more than the statement takes to run), and each
 * order fills its placeholders (placementValues, and the reservation's and job's own).
 */
export function placementStatement(
  reservation: ReservationCtes,
  shipping: ShippingRule,
  job: (written: SQL) => SQL,
): PreparedQuery {
  const priced = pricedLines(reservation.locked);
  const totals = orderTotals(priced, shipping);
  const o = writtenOrder(totals, reservation.allTaken);
  const lines = insertSelect(
    orderLines,
    {
      id: priced.id,
      orderId: o.id,
      position: priced.position,
      productId: priced.productId,
      variantId: priced.variantId,
      variantTitle: priced.variantTitle,
      sku: priced.sku,
      name: priced.name,
      unitPrice: priced.unitPrice,
      quantity: priced.quantity,
      subtotal: priced.subtotal,
      discount: priced.discount,
      total: sql`${priced.subtotal} - ${priced.discount}`,
    },
    sql`from ${o}, ${priced}`,
  );
  const history = insertSelect(orderHistory, { ...first, orderId: o.id }, sql`from ${o}`);
  // The locked variants, each with the order's number and totals (null when not written).
  return prepareQuery(
    sql`with ${reservation.ctes}, ${cte(priced)}, ${cte(totals)}, ${cte(o)},
         l as (${lines}), h as (${history}), job as (${job(sql`exists (select 1 from ${o})`)})
       select ${reservation.lockedColumns}, ${o.number}, ${o.subtotal}, ${o.discount},
              ${o.shipping}, ${o.total}
         from ${reservation.locked} left join ${o} on true`,
  );
}

/**
 * Places an order in one statement (placementStatement, run with `values`): answers the locked
 * variants (to say why, when nothing was written) and the order's number and totals. Through
 * a transaction or the database handle: on the handle, the statement is its own transaction
 * and has committed when it answers.
 */
export async function placeOrderWithStock(
  executor: Executor,
  statement: PreparedQuery,
  values: Record<string, unknown>,
): Promise<Placed> {
  const rows = await runPrepared<
    LockedVariantRow &
      Nullable<Pick<OrderRow, 'number' | 'subtotal' | 'discount' | 'shipping' | 'total'>>
  >(executor, statement, values);
  const head = rows[0];
  return {
    locked: rows.map(lockedVariantOf),
    written:
      head?.number === null || head?.number === undefined
        ? undefined
        : {
            number: head.number,
            subtotal: Number(head.subtotal),
            discount: Number(head.discount),
            shipping: Number(head.shipping),
            total: Number(head.total),
          },
  };
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

/** A history entry, answering its `seq`: for a job that must name the one change it tells of. */
export async function insertHistoryReturningSeq(tx: Tx, entry: NewHistory): Promise<number> {
  const [row] = await tx.insert(orderHistory).values(entry).returning({ seq: orderHistory.seq });
  return row!.seq;
}

/**
 * Counts `quantity` more units of a line as back in stock, unless that would pass what was
 * ordered: false then, and nothing changes (the guard that keeps each unit restocked once).
 */
export async function restockLine(tx: Tx, lineId: string, quantity: number): Promise<boolean> {
  const rows = await tx
    .update(orderLines)
    .set({ restockedQuantity: sql`${orderLines.restockedQuantity} + ${quantity}` })
    .where(
      and(
        eq(orderLines.id, lineId),
        sql`${orderLines.restockedQuantity} + ${quantity} <= ${orderLines.quantity}`,
      ),
    )
    .returning({ id: orderLines.id });
  return rows.length > 0;
}

/** Notes when a paid order's goods first came back to stock. */
export async function noteRestocked(tx: Tx, orderId: string, now: Date): Promise<void> {
  await tx
    .update(orders)
    .set({ restockedAt: now })
    .where(and(eq(orders.id, orderId), isNull(orders.restockedAt)));
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
