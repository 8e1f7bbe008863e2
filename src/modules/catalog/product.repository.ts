import { and, asc, desc, eq, gt, gte, inArray, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import { contains } from '../../db/filters.js';
import { selectPage } from '../../db/page.js';
import { preparedRows, type Executor, type Tx } from '../../db/client.js';
import type { PageRequest } from '../../shared/pagination.js';
import { newId } from '../../shared/ids.js';
import { type MovementKind, products, stockMovements } from './product.table.js';

export type ProductRow = typeof products.$inferSelect;
export type MovementRow = typeof stockMovements.$inferSelect;

export type ProductSort = 'price' | '-price' | 'name' | '-createdAt';

export interface ProductFilter {
  q?: string | undefined;
  minPrice?: number | undefined;
  maxPrice?: number | undefined;
  inStock?: boolean | undefined;
  active?: boolean | undefined;
  /** Public lists never include archived products; admin lists may ask for them. */
  includeArchived?: boolean;
}

function whereOf(filter: ProductFilter): SQL | undefined {
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
  const where = whereOf(filter);
  return selectPage(db, products, where, orderOf[sort], page);
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

export async function findProducts(db: Executor, ids: string[]): Promise<ProductRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(products).where(inArray(products.id, ids));
}

/** What an order needs of each product it takes stock from, read under the row lock. */
export interface LockedProduct {
  id: string;
  sku: string;
  name: string;
  price: number;
  stock: number;
  active: boolean;
  archivedAt: Date | null;
}

/** What an order line was priced from, and expects of its product when the stock is taken. */
export type ExpectedProduct = Pick<LockedProduct, 'sku' | 'name' | 'price'>;

/**
 * What a statement that takes an order's stock may also write: CTEs that run only when every
 * line was taken (`allTaken`, an SQL boolean), and one value they answer (`answer`, a scalar
 * subquery over them). The order itself, written this way, is one statement with its stock.
 */
export interface WrittenWithStock {
  ctes: (allTaken: SQL) => SQL;
  answer: SQL;
}

/**
 * Takes stock for every line of an order, with each line's `reserve` ledger row, or for none,
 * in one statement:
 * - `locked` locks the products' rows in id order (PostgreSQL locks them as the ordered scan
 *   returns them), so two orders never wait on each other in a cycle; it is complete before
 *   any row is changed, since `taken` joins the one-row verdict computed from all of it;
 * - `judged` says whether every line can be had: the product orderable, its stock enough,
 *   and, for a line that says what it `expects`, the product's sku, name and price still those
 *   (an order priced before its stock is taken was priced from them);
 * - `taken` and `moved` take the stock and write the ledger, only when every line can;
 * - `also`'s CTEs (the order, its lines, history and job) are written only then too.
 * Answers each locked product as it was before and, when all were taken, its stock after and
 * `also`'s answer.
 */
export async function takeStockForOrder(
  executor: Executor,
  takes: readonly { productId: string; quantity: number; expects?: ExpectedProduct }[],
  ref: { orderId: string; actorId: string; now: Date },
  also?: WrittenWithStock,
): Promise<{
  locked: LockedProduct[];
  stockAfter: Map<string, number> | undefined;
  answer: unknown;
}> {
  const ids = takes.map((t) => t.productId);
  const expected = <K extends keyof ExpectedProduct>(key: K) =>
    sql.param(takes.map((t) => t.expects?.[key] ?? null));
  const at = ref.now.getTime();
  const rows = await preparedRows<
    Omit<LockedProduct, 'archivedAt'> & {
      archived_at: Date | null;
      stock_after: number | null;
      answer?: unknown;
    }
  >(
    executor,
    sql`
    with req(id, qty, movement_id, exp_sku, exp_name, exp_price) as (
      select * from unnest(
        ${sql.param(ids)}::text[],
        ${sql.param(takes.map((t) => t.quantity))}::int4[],
        ${sql.param(takes.map(() => newId('mov', at)))}::text[],
        ${expected('sku')}::text[],
        ${expected('name')}::text[],
        ${expected('price')}::int4[])
    ), locked as materialized (
      select id, sku, name, price, stock, active, archived_at from products
       where id = any(${sql.param(ids)}::text[]) order by id for update
    ), judged as materialized (
      select count(*) = ${takes.length}::int as all_ok
        from locked join req on req.id = locked.id
       where locked.active and locked.archived_at is null and locked.stock >= req.qty
         and (req.exp_sku is null or locked.sku = req.exp_sku)
         and (req.exp_name is null or locked.name = req.exp_name)
         and (req.exp_price is null or locked.price = req.exp_price)
    ), taken as (
      update products p set stock = p.stock - req.qty, updated_at = ${ref.now}
        from req, judged
       where judged.all_ok and p.id = req.id
      returning p.id, p.stock, req.qty, req.movement_id
    ), moved as (
      insert into stock_movements (id, product_id, kind, delta, stock_after, order_id, actor_id,
                                   created_at)
      select movement_id, id, 'reserve', -qty, stock, ${ref.orderId}, ${ref.actorId}, ${ref.now}
        from taken
    )${also ? sql`, ${also.ctes(sql`(select all_ok from judged)`)}` : sql``}
    select locked.*, taken.stock as stock_after${also ? sql`, ${also.answer} as answer` : sql``}
      from locked left join taken on taken.id = locked.id`,
  );
  const locked = rows.map(({ archived_at, stock_after: _, answer: __, ...row }) => ({
    ...row,
    archivedAt: archived_at,
  }));
  const taken = rows.length === takes.length && rows.every((row) => row.stock_after !== null);
  return {
    locked,
    stockAfter: taken ? new Map(rows.map((row) => [row.id, Number(row.stock_after)])) : undefined,
    answer: taken ? rows[0]!.answer : undefined,
  };
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
