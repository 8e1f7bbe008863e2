import {
  and,
  asc,
  desc,
  eq,
  gt,
  gte,
  inArray,
  isNull,
  lt,
  lte,
  or,
  sql,
  type SQL,
} from 'drizzle-orm';
import { contains } from '../../db/filters.js';
import { selectPage } from '../../db/page.js';
import { QueryBuilder } from 'drizzle-orm/pg-core';
import {
  prepareQuery,
  preparedRows,
  runPrepared,
  type Executor,
  type Tx,
} from '../../db/client.js';
import {
  columnName,
  insertSelect,
  placeholders,
  prefixed,
  typedParam,
} from '../../db/insert-select.js';
import type { PageRequest } from '../../shared/pagination.js';
import { newId } from '../../shared/ids.js';
import { inCategories, subtreeIds } from './category.repository.js';
import { type MovementKind, products, stockMovements } from './product.table.js';

export type ProductRow = typeof products.$inferSelect;
export type MovementRow = typeof stockMovements.$inferSelect;

export type ProductSort = 'price' | '-price' | 'name' | '-createdAt';

export interface ProductFilter {
  q?: string | undefined;
  minPrice?: number | undefined;
  maxPrice?: number | undefined;
  inStock?: boolean | undefined;
  /** A category slug: products in it or below it. */
  category?: string | undefined;
  active?: boolean | undefined;
  /** Public lists never include archived products; admin lists may ask for them. */
  includeArchived?: boolean;
}

/** `categoryIds`: the subtree of `filter.category`, found beforehand (listProducts). */
function whereOf(filter: ProductFilter, categoryIds?: readonly string[]): SQL | undefined {
  return and(
    filter.includeArchived ? undefined : isNull(products.archivedAt),
    filter.active === undefined ? undefined : eq(products.active, filter.active),
    filter.q
      ? or(
          contains(products.name, filter.q),
          contains(products.description, filter.q),
          contains(products.sku, filter.q),
        )
      : undefined,
    filter.minPrice === undefined ? undefined : gte(products.price, filter.minPrice),
    filter.maxPrice === undefined ? undefined : lte(products.price, filter.maxPrice),
    filter.inStock === undefined
      ? undefined
      : filter.inStock
        ? gt(products.stock, 0)
        : eq(products.stock, 0),
    categoryIds === undefined ? undefined : inCategories(categoryIds),
  );
}

const orderOf: Record<ProductSort, SQL[]> = {
  price: [asc(products.price), asc(products.id)],
  '-price': [desc(products.price), asc(products.id)],
  name: [asc(products.name), asc(products.id)],
  '-createdAt': [desc(products.createdAt), desc(products.id)],
};

export async function listProducts(
  db: Executor,
  filter: ProductFilter,
  sort: ProductSort,
  page: PageRequest,
): Promise<{ rows: ProductRow[]; total: number }> {
  let categoryIds: string[] | undefined;
  if (filter.category !== undefined) {
    categoryIds = await subtreeIds(db, filter.category);
    // A slug no category has lists nothing, as a search that matches nothing does.
    if (categoryIds.length === 0) return { rows: [], total: 0 };
  }
  return selectPage(db, products, whereOf(filter, categoryIds), orderOf[sort], page);
}

export async function findProduct(db: Executor, id: string): Promise<ProductRow | undefined> {
  const [row] = await db.select().from(products).where(eq(products.id, id));
  return row;
}

/** Stock and updatedAt of `ids`: what the catalog cache lays over its cached bodies. */
export async function findFreshFields(
  db: Executor,
  ids: string[],
): Promise<{ id: string; stock: number; updatedAt: Date }[]> {
  if (ids.length === 0) return [];
  // Every catalog read asks this: one prepared statement whatever the number of ids.
  const rows = await preparedRows<{ id: string; stock: number; updated_at: Date }>(
    db,
    sql`select id, stock, updated_at from products where id = any(${sql.param(ids)}::text[])`,
  );
  return rows.map((row) => ({ id: row.id, stock: row.stock, updatedAt: new Date(row.updated_at) }));
}

/** Public products with stock below `below`, lowest stock first (then by name), at most `limit`. */
export async function findLowStock(
  db: Executor,
  below: number,
  limit: number,
): Promise<Pick<ProductRow, 'id' | 'sku' | 'name' | 'stock'>[]> {
  return (
    db
      .select({ id: products.id, sku: products.sku, name: products.name, stock: products.stock })
      .from(products)
      // The predicate of the public partial indexes, written as they are, so the planner can use them.
      .where(and(sql`${products.active}`, isNull(products.archivedAt), lt(products.stock, below)))
      .orderBy(asc(products.stock), asc(products.name))
      .limit(limit)
  );
}

export async function findProducts(db: Executor, ids: string[]): Promise<ProductRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(products).where(inArray(products.id, ids));
}

/** A product as a reservation locks it: what the locked row says, before any stock is taken. */
export interface LockedProduct {
  id: string;
  sku: string;
  name: string;
  price: number;
  stock: number;
  active: boolean;
  archivedAt: Date | null;
}

const lockedColumns = {
  id: products.id,
  sku: products.sku,
  name: products.name,
  price: products.price,
  stock: products.stock,
  active: products.active,
  archivedAt: products.archivedAt,
};

const qb = new QueryBuilder();

/** A locked product as the driver answers it (column names as in the table). */
export type LockedProductRow = Omit<LockedProduct, 'archivedAt'> & { archived_at: Date | null };

/** Locks the products' rows in id order and answers them as they are under the lock. */
export async function lockProducts(tx: Tx, ids: readonly string[]): Promise<LockedProduct[]> {
  const rows = await runPrepared<LockedProductRow>(tx, lockRequestedQuery, { reserve_ids: ids });
  return rows.map(lockedProductOf);
}

export const lockedProductOf = (row: LockedProductRow): LockedProduct => ({
  id: row.id,
  sku: row.sku,
  name: row.name,
  price: row.price,
  stock: row.stock,
  active: row.active,
  archivedAt: row.archived_at,
});

/** The placeholders of a reservation's CTEs, filled by reservationValues. */
const reserve = placeholders('reserve_', [
  'ids',
  'quantities',
  'movementIds',
  'count',
  'orderId',
  'actorId',
  'now',
] as const);

/**
 * The products' rows locked in id order (PostgreSQL locks them as the ordered scan returns
 * them), for the ids a reservation names: in its CTEs, and alone (lockProducts).
 */
const lockRequested = qb
  .select(lockedColumns)
  .from(products)
  .where(sql`${products.id} = any(${reserve.ids}::text[])`)
  .orderBy(products.id)
  .for('update');
const lockRequestedQuery = prepareQuery(lockRequested.getSQL());

/**
 * A reservation of stock as CTEs that another module's statement starts with, so that what it
 * writes (an order) is written with the stock, in one statement, or not at all:
 * - `locked` locks the products' rows in id order, so two reservations never wait on each other
 *   in a cycle; it is complete before any row changes, since `taken` joins the one-row verdict
 *   computed from all of it;
 * - `judged` says whether every take can be had: the product orderable, its stock enough;
 * - `taken` and `moved` take the stock and write each product's `reserve` ledger row for the
 *   order, only when every take can.
 * The takes and the order are placeholders, filled by reservationValues: the statement is built
 * and serialised once, and run with the values of each order. `locked` is the locked rows,
 * typed like the product's columns (the statement prices from them); `allTaken` is an SQL
 * boolean, true once every take was taken; `lockedColumns` selects the locked rows in the
 * statement's answer, read back with lockedProductOf.
 */
export function reservationCtes() {
  const locked = qb.$with('locked').as(lockRequested);
  const moved = insertSelect(
    stockMovements,
    {
      id: sql`movement_id`,
      productId: sql`id`,
      kind: 'reserve',
      delta: sql`-qty`,
      stockAfter: sql`stock`,
      orderId: reserve.orderId,
      actorId: reserve.actorId,
      createdAt: reserve.now,
    },
    sql`from taken`,
  );
  const ctes = sql`req(id, qty, movement_id) as (
      select * from unnest(${reserve.ids}::text[], ${reserve.quantities}::int4[],
                           ${reserve.movementIds}::text[])
    ), locked as materialized (${locked._.sql}
    ), judged as materialized (
      select count(*) = ${reserve.count}::int as all_ok
        from ${locked} join req on req.id = ${locked.id}
       where ${locked.active} and ${locked.archivedAt} is null and ${locked.stock} >= req.qty
    ), taken as (
      update ${products} set ${columnName(products.stock)} = ${products.stock} - req.qty,
                             ${columnName(products.updatedAt)} = ${typedParam(products.updatedAt, reserve.now)}
        from req, judged
       where judged.all_ok and ${products.id} = req.id
      returning ${products.id}, ${products.stock}, req.qty, req.movement_id
    ), moved as (${moved})`;
  return {
    ctes,
    locked,
    allTaken: sql`(select all_ok from judged)`,
    lockedColumns: sql.join(
      (Object.keys(lockedColumns) as (keyof typeof lockedColumns)[]).map((key) => locked[key]),
      sql`, `,
    ),
  };
}

/** A reservation, as a statement that writes something with it starts (reservationCtes). */
export type ReservationCtes = ReturnType<typeof reservationCtes>;

/** The values of reservationCtes' placeholders: what to take, for which order, by whom, when. */
export function reservationValues(
  takes: readonly { productId: string; quantity: number }[],
  ref: { orderId: string; actorId: string; now: Date },
): Record<string, unknown> {
  const at = ref.now.getTime();
  return prefixed('reserve_', {
    ids: takes.map((t) => t.productId),
    quantities: takes.map((t) => t.quantity),
    movementIds: takes.map(() => newId('mov', at)),
    count: takes.length,
    orderId: ref.orderId,
    actorId: ref.actorId,
    now: ref.now,
  } satisfies Record<keyof typeof reserve, unknown>);
}

export async function lockProduct(tx: Tx, id: string): Promise<ProductRow | undefined> {
  const [row] = await tx.select().from(products).where(eq(products.id, id)).for('update');
  return row;
}

export async function insertProduct(
  tx: Tx,
  row: typeof products.$inferInsert,
): Promise<ProductRow> {
  const [created] = await tx.insert(products).values(row).returning();
  return created!;
}

export async function updateProduct(
  tx: Tx,
  id: string,
  changes: Partial<Omit<ProductRow, 'id' | 'stock' | 'createdAt'>>,
): Promise<ProductRow | undefined> {
  const [row] = await tx.update(products).set(changes).where(eq(products.id, id)).returning();
  return row;
}

/** The most a product may hold: far above any shop's stock, well inside the int4 column. */
export const MAX_STOCK = 1_000_000_000;

/**
 * Moves stock by `delta` in one conditional statement, so concurrent movements never lose
 * an update and never take stock below zero or above MAX_STOCK. Returns the new stock, or
 * undefined when the product is missing or the movement does not fit.
 */
export async function applyStockDelta(
  tx: Tx,
  productId: string,
  delta: number,
  now: Date,
): Promise<number | undefined> {
  const next = sql`${products.stock} + ${delta}`;
  const [row] = await tx
    .update(products)
    .set({ stock: next, updatedAt: now })
    .where(and(eq(products.id, productId), gte(next, 0), lte(next, MAX_STOCK)))
    .returning({ stock: products.stock });
  return row?.stock;
}

export async function insertMovement(
  tx: Tx,
  movement: {
    productId: string;
    kind: MovementKind;
    delta: number;
    stockAfter: number;
    reason?: string | null;
    orderId?: string | null;
    actorId?: string | null;
    createdAt: Date;
  },
): Promise<MovementRow> {
  const [row] = await tx
    .insert(stockMovements)
    .values({ id: newId('mov', movement.createdAt.getTime()), ...movement })
    .returning();
  return row!;
}

export async function listMovements(
  db: Executor,
  productId: string,
  page: PageRequest,
): Promise<{ rows: MovementRow[]; total: number }> {
  const where = eq(stockMovements.productId, productId);
  return selectPage(db, stockMovements, where, [desc(stockMovements.seq)], page);
}

/** The ledger's verdict: the sum of a product's movements. */
export async function sumMovements(db: Executor, productId: string): Promise<number> {
  const [row] = await db
    .select({ sum: sql<number>`coalesce(sum(${stockMovements.delta}), 0)::int` })
    .from(stockMovements)
    .where(eq(stockMovements.productId, productId));
  return Number(row?.sum ?? 0);
}
