import {
  and,
  asc,
  getTableColumns,
  desc,
  eq,
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
  preparedRows,
  prepareQuery,
  runPrepared,
  type Executor,
  type Tx,
} from '../../db/client.js';
import {
  columnName,
  insertSelect,
  placeholders,
  prefixed,
  rowsOf,
  typedParam,
} from '../../db/insert-select.js';
import type { PageRequest } from '../../shared/pagination.js';
import { newId } from '../../shared/ids.js';
import type { OptionFilter } from './catalog.schemas.js';
import { inCategories, subtreeIds } from './category.repository.js';
import {
  type MovementKind,
  type ProductOption,
  products,
  productVariants,
  stockMovements,
} from './product.table.js';

/** A product with its stock: the sum of its variants' (products keep no stock of their own). */
export type ProductRow = typeof products.$inferSelect & { stock: number };
export type MovementRow = typeof stockMovements.$inferSelect;

/**
 * The product's id, qualified: drizzle writes a column of a one-table query unqualified, and
 * in a subquery over variants an unqualified `id` would be the variant's.
 */
const outerProductId = sql`${products}.${sql.identifier(products.id.name)}`;

const productStock = sql<number>`(select coalesce(sum(${productVariants.stock}), 0)::int
    from ${productVariants} where ${productVariants.productId} = ${outerProductId})`;

/** A product's columns and its stock, as every read of products answers them. */
const productColumns = { ...getTableColumns(products), stock: productStock.as('stock') };

export type ProductSort = 'price' | '-price' | 'name' | '-createdAt';

export interface ProductFilter {
  q?: string | undefined;
  minPrice?: number | undefined;
  maxPrice?: number | undefined;
  inStock?: boolean | undefined;
  /** A category slug: products in it or below it. */
  category?: string | undefined;
  /**
   * Option values (grouped by option, see groupOptionFilters): products with an active variant
   * that has one of each option's values. With `inStock: true`, that variant has stock.
   */
  options?: OptionFilter | undefined;
  active?: boolean | undefined;
  /** Public lists never include archived products; admin lists may ask for them. */
  includeArchived?: boolean;
}

/** A variant of the product with stock: the product's stock (their sum) is above zero. */
const inStock = sql`select 1 from ${productVariants}
  where ${productVariants.productId} = ${outerProductId} and ${productVariants.stock} > 0`;

/**
 * An active variant of the product with one of each option's values (`options ->> name`, so a
 * value is compared as text), and stock when `inStock` asks for it: the option filter.
 */
function withOptions(options: OptionFilter, inStock: boolean): SQL {
  const matches = options.map(
    ({ name, values }) =>
      sql`(${productVariants.options} ->> ${name}::text) = any(${sql.param(values)}::text[])`,
  );
  return sql`exists (select 1 from ${productVariants}
    where ${productVariants.productId} = ${outerProductId} and ${productVariants.active}
      ${inStock ? sql`and ${productVariants.stock} > 0` : sql``}
      and ${sql.join(matches, sql` and `)})`;
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
        ? sql`exists (${inStock})`
        : sql`not exists (${inStock})`,
    categoryIds === undefined ? undefined : inCategories(categoryIds),
    filter.options?.length ? withOptions(filter.options, filter.inStock === true) : undefined,
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
  return selectPage<typeof products, ProductRow>(
    db,
    products,
    whereOf(filter, categoryIds),
    orderOf[sort],
    page,
    productColumns,
  );
}

/**
 * What the catalog's option facets are made of (catalogOptions), over the public products (in
 * the `category` slug's subtree when given): `orders`, each distinct list of options a product
 * has, oldest product first; `sold`, each option name and value an active variant has.
 */
export async function findCatalogOptions(
  db: Executor,
  category?: string,
): Promise<{ orders: ProductOption[][]; sold: { name: string; value: string }[] }> {
  let inCategory = sql``;
  if (category !== undefined) {
    const categoryIds = await subtreeIds(db, category);
    if (categoryIds.length === 0) return { orders: [], sold: [] };
    inCategory = sql`and ${inCategories(categoryIds)}`;
  }
  const isPublic = sql`${products.active} and ${products.archivedAt} is null`;
  const [orders, sold] = await Promise.all([
    preparedRows<{ options: ProductOption[] }>(
      db,
      sql`select ${products.options} as options from ${products}
           where ${isPublic} and jsonb_array_length(${products.options}) > 0 ${inCategory}
           group by ${products.options}
           order by min(${products.createdAt}), min(${products.id})`,
    ),
    preparedRows<{ name: string; value: string }>(
      db,
      sql`select distinct e.key as name, e.value as value
            from ${productVariants}
            join ${products} on ${products.id} = ${productVariants.productId}
            cross join lateral jsonb_each_text(${productVariants.options}) as e(key, value)
           where ${productVariants.active} and ${isPublic} ${inCategory}`,
    ),
  ]);
  return { orders: orders.map((row) => row.options), sold };
}

export async function findProduct(db: Executor, id: string): Promise<ProductRow | undefined> {
  const [row] = await db.select(productColumns).from(products).where(eq(products.id, id));
  return row;
}

/** A variant low on stock, as the dashboard lists it, with its product's id and name. */
export interface LowStockRow {
  id: string;
  sku: string;
  name: string;
  stock: number;
  variantId: string;
  variantTitle: string;
}

/**
 * Variants of public products with stock below `below`, lowest stock first (then by name), at
 * most `limit`: each with its product's id and name.
 */
export async function findLowStock(
  db: Executor,
  below: number,
  limit: number,
): Promise<LowStockRow[]> {
  return (
    db
      .select({
        id: products.id,
        sku: productVariants.sku,
        name: products.name,
        stock: productVariants.stock,
        variantId: productVariants.id,
        variantTitle: productVariants.title,
      })
      .from(productVariants)
      .innerJoin(products, eq(products.id, productVariants.productId))
      // A scan of the variants: no index names `stock` (see product.table.ts).
      .where(
        and(
          sql`${productVariants.active}`,
          lt(productVariants.stock, below),
          sql`${products.active}`,
          isNull(products.archivedAt),
        ),
      )
      .orderBy(asc(productVariants.stock), asc(products.name), asc(productVariants.position))
      .limit(limit)
  );
}

/**
 * A variant as a reservation locks it, with what an order line snapshots of its product: what
 * the locked row says, before any stock is taken. `active` is the variant's and its product's.
 */
export interface LockedVariant {
  id: string;
  productId: string;
  sku: string;
  name: string;
  title: string;
  price: number;
  stock: number;
  active: boolean;
  archivedAt: Date | null;
  /** The product has options: a productId alone does not name one of its variants. */
  hasOptions: boolean;
}

const lockedColumns = {
  id: productVariants.id,
  productId: productVariants.productId,
  sku: productVariants.sku,
  name: products.name,
  title: productVariants.title,
  price: productVariants.price,
  stock: productVariants.stock,
  active: sql<boolean>`${productVariants.active} and ${products.active}`.as('active'),
  archivedAt: products.archivedAt,
  hasOptions: sql<boolean>`jsonb_array_length(${products.options}) > 0`.as('has_options'),
};

const qb = new QueryBuilder();

/** A locked variant as the driver answers it (column names as in the tables). */
export type LockedVariantRow = Omit<LockedVariant, 'archivedAt' | 'productId' | 'hasOptions'> & {
  product_id: string;
  archived_at: Date | null;
  has_options: boolean;
};

export const lockedVariantOf = (row: LockedVariantRow): LockedVariant => ({
  id: row.id,
  productId: row.product_id,
  sku: row.sku,
  name: row.name,
  title: row.title,
  price: row.price,
  stock: row.stock,
  active: row.active,
  archivedAt: row.archived_at,
  hasOptions: row.has_options,
});

/**
 * The variants that `variantIds` name and those of `productIds`, as a reservation would lock
 * them, without locking: what a quote prices.
 */
export async function findOrderable(
  db: Executor,
  variantIds: readonly string[],
  productIds: readonly string[],
): Promise<LockedVariant[]> {
  return db
    .select(lockedColumns)
    .from(productVariants)
    .innerJoin(products, eq(products.id, productVariants.productId))
    .where(
      or(
        inArray(productVariants.id, variantIds.length ? [...variantIds] : ['']),
        inArray(productVariants.productId, productIds.length ? [...productIds] : ['']),
      ),
    )
    .orderBy(productVariants.id);
}

/** The placeholders of a reservation's CTEs, filled by reservationValues. */
const reserve = placeholders('reserve_', [
  'variantIds',
  'productIds',
  'quantities',
  'movementIds',
  'count',
  'orderId',
  'actorId',
  'now',
] as const);

/**
 * What a reservation asks for, one row per item (`asked`): a variant, or a product whose one
 * variant is meant (a product without options; none for a product with options, so the
 * reservation refuses); and `req`, the variants with their quantities summed, in the relation
 * `req(id, qty, movement_id)` the locking and taking CTEs read.
 */
const requestCtes = sql`asked(id, qty, movement_id) as (
      select coalesce(a.variant_id,
                      (select ${productVariants.id} from ${productVariants}
                         join ${products} on ${products.id} = ${productVariants.productId}
                        where ${productVariants.productId} = a.product_id
                          and jsonb_array_length(${products.options}) = 0)),
             a.qty, a.movement_id
        from ${rowsOf(
          sql`unnest(${reserve.variantIds}::text[], ${reserve.productIds}::text[],
                     ${reserve.quantities}::int4[], ${reserve.movementIds}::text[])
                as a(variant_id, product_id, qty, movement_id)`,
          'a',
          reserve.count,
        )}
    ), req(id, qty, movement_id) as (
      select id, sum(qty)::int4, min(movement_id) from asked where id is not null group by id
    )`;

/**
 * The requested variants' rows locked in variant id order (PostgreSQL locks them as the
 * ordered scan returns them), with their products' name and state, unlocked: an order locks
 * the variants it takes and nothing else, so orders for different variants of one product
 * never wait on each other. In a reservation's CTEs, and alone (lockVariants).
 */
const lockRequested = qb
  .select(lockedColumns)
  .from(productVariants)
  .innerJoin(products, eq(products.id, productVariants.productId))
  .where(sql`${productVariants.id} in (select id from req)`)
  .orderBy(productVariants.id)
  .for('update', { of: productVariants });
const lockRequestedQuery = prepareQuery(sql`with ${requestCtes} ${lockRequested.getSQL()}`);

/** Locks the requested variants in id order and answers them as they are under the lock. */
export async function lockVariants(
  tx: Tx,
  takes: readonly { variantId?: string | undefined; productId?: string | undefined }[],
): Promise<LockedVariant[]> {
  const rows = await runPrepared<LockedVariantRow>(
    tx,
    lockRequestedQuery,
    reservationValues(
      takes.map((take) => ({ ...take, quantity: 1 })),
      { orderId: '', actorId: '', now: new Date(0) },
    ),
  );
  return rows.map(lockedVariantOf);
}

/**
 * A reservation of stock as CTEs that another module's statement starts with, so that what it
 * writes (an order) is written with the stock, in one statement, or not at all:
 * - `asked` and `req` resolve each item to its variant and sum the quantities per variant;
 * - `locked` locks the variants' rows in id order, so two reservations never wait on each
 *   other in a cycle; it is complete before any row changes, since `taken` joins the one-row
 *   verdict computed from all of it;
 * - `judged` says whether every take can be had: every item resolved to a variant, the variant
 *   and its product orderable, its stock enough;
 * - `taken` and `moved` take the stock and write each variant's `reserve` ledger row for the
 *   order, only when every take can.
 * The takes and the order are placeholders, filled by reservationValues: the statement is built
 * and serialised once, and run with the values of each order. `locked` is the locked rows,
 * typed like the variant's columns (the statement prices from them); `allTaken` is an SQL
 * boolean, true once every take was taken; `lockedColumns` selects the locked rows in the
 * statement's answer, read back with lockedVariantOf.
 */
export function reservationCtes() {
  const locked = qb.$with('locked').as(lockRequested);
  const moved = insertSelect(
    stockMovements,
    {
      id: sql`movement_id`,
      productId: sql`product_id`,
      variantId: sql`id`,
      kind: 'reserve',
      delta: sql`-qty`,
      stockAfter: sql`stock`,
      orderId: reserve.orderId,
      actorId: reserve.actorId,
      createdAt: reserve.now,
    },
    sql`from taken`,
  );
  const ctes = sql`${requestCtes}, locked as materialized (${locked._.sql}
    ), judged as materialized (
      select not exists (select 1 from asked where id is null)
             and count(*) = (select count(*) from req) as all_ok
        from ${locked} join req on req.id = ${locked.id}
       where ${locked.active} and ${locked.archivedAt} is null and ${locked.stock} >= req.qty
    ), taken as (
      update ${productVariants}
         set ${columnName(productVariants.stock)} = ${productVariants.stock} - req.qty,
             ${columnName(productVariants.updatedAt)} = ${typedParam(productVariants.updatedAt, reserve.now)}
        from req, judged
       where judged.all_ok and ${productVariants.id} = req.id
      returning ${productVariants.id}, ${productVariants.productId}, ${productVariants.stock},
                req.qty, req.movement_id
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

/**
 * The values of reservationCtes' placeholders: what to take (each item a variant, or a product
 * meaning its one variant), for which order, by whom, when.
 */
export function reservationValues(
  takes: readonly {
    variantId?: string | undefined;
    productId?: string | undefined;
    quantity: number;
  }[],
  ref: { orderId: string; actorId: string; now: Date },
): Record<string, unknown> {
  const at = ref.now.getTime();
  return prefixed('reserve_', {
    variantIds: takes.map((t) => t.variantId ?? null),
    productIds: takes.map((t) => (t.variantId === undefined ? (t.productId ?? null) : null)),
    quantities: takes.map((t) => t.quantity),
    movementIds: takes.map(() => newId('mov', at)),
    count: takes.length,
    orderId: ref.orderId,
    actorId: ref.actorId,
    now: ref.now,
  } satisfies Record<keyof typeof reserve, unknown>);
}

/**
 * Locks the product's row for a change of its own columns. `FOR NO KEY UPDATE`, not `FOR
 * UPDATE`: a write of a row whose foreign key names the product (an image, a category link, a
 * variant) takes `KEY SHARE` on it and need not wait, while changes of the product still take
 * turns. (With `FOR UPDATE`, a PATCH deadlocked with orders when the ledger's `product_id`
 * had a foreign key: the order held the variant and waited for the product, the PATCH the
 * reverse. The ledger's product has no foreign key now; see product.table.ts.)
 */
export async function lockProduct(tx: Tx, id: string): Promise<ProductRow | undefined> {
  const [row] = await tx
    .select(productColumns)
    .from(products)
    .where(eq(products.id, id))
    .for('no key update', { of: products });
  return row;
}

export async function insertProduct(
  tx: Tx,
  row: typeof products.$inferInsert,
): Promise<typeof products.$inferSelect> {
  const [created] = await tx.insert(products).values(row).returning();
  return created!;
}

export async function updateProduct(
  tx: Tx,
  id: string,
  changes: Partial<Omit<ProductRow, 'id' | 'createdAt' | 'stock'>>,
): Promise<ProductRow | undefined> {
  await tx.update(products).set(changes).where(eq(products.id, id));
  return findProduct(tx, id);
}

export async function insertMovement(
  tx: Tx,
  movement: {
    productId: string;
    variantId: string;
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
