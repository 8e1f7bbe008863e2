import { and, asc, desc, eq, gte, inArray, lte, sql } from 'drizzle-orm';
import { preparedRows, type Executor, type Tx } from '../../db/client.js';
import { selectPage } from '../../db/page.js';
import type { PageRequest } from '../../shared/pagination.js';
import { productVariants, products, stockMovements } from './product.table.js';
import type { MovementRow } from './product.repository.js';

export type VariantRow = typeof productVariants.$inferSelect;
export type NewVariantRow = typeof productVariants.$inferInsert;

/**
 * What the catalog cache lays over its cached bodies for `ids`: each product's stock (the sum
 * of its variants'), each of its variants' stock, and its last change (its own or a variant's). One prepared statement
 * whatever the number of ids.
 */
export async function findFreshStock(
  db: Executor,
  ids: string[],
): Promise<{ id: string; stock: number; updatedAt: Date; variants: Map<string, number> }[]> {
  if (ids.length === 0) return [];
  const rows = await preparedRows<{
    id: string;
    updated_at: Date;
    variant_id: string;
    variant_stock: number;
  }>(
    db,
    sql`select p.id, greatest(p.updated_at, v.updated_at) as updated_at,
               v.id as variant_id, v.stock as variant_stock
          from ${products} p join ${productVariants} v on v.product_id = p.id
         where p.id = any(${sql.param(ids)}::text[])`,
  );
  const byId = new Map<
    string,
    { id: string; stock: number; updatedAt: Date; variants: Map<string, number> }
  >();
  for (const row of rows) {
    const updatedAt = new Date(row.updated_at);
    const fresh = byId.get(row.id) ?? {
      id: row.id,
      stock: 0,
      updatedAt,
      variants: new Map<string, number>(),
    };
    if (updatedAt > fresh.updatedAt) fresh.updatedAt = updatedAt;
    fresh.stock += row.variant_stock;
    fresh.variants.set(row.variant_id, row.variant_stock);
    byId.set(row.id, fresh);
  }
  return [...byId.values()];
}

/** The variants of `productIds`, each product's in display order: one query for a page. */
export async function findVariantsOf(
  db: Executor,
  productIds: readonly string[],
): Promise<VariantRow[]> {
  if (productIds.length === 0) return [];
  return db
    .select()
    .from(productVariants)
    .where(inArray(productVariants.productId, [...productIds]))
    .orderBy(
      asc(productVariants.productId),
      asc(productVariants.position),
      asc(productVariants.id),
    );
}

export async function findVariant(db: Executor, id: string): Promise<VariantRow | undefined> {
  const [row] = await db.select().from(productVariants).where(eq(productVariants.id, id));
  return row;
}

export async function findVariants(db: Executor, ids: readonly string[]): Promise<VariantRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(productVariants)
    .where(inArray(productVariants.id, [...ids]));
}

export async function lockVariant(tx: Tx, id: string): Promise<VariantRow | undefined> {
  const [row] = await tx
    .select()
    .from(productVariants)
    .where(eq(productVariants.id, id))
    .for('update');
  return row;
}

export async function insertVariants(tx: Tx, rows: NewVariantRow[]): Promise<VariantRow[]> {
  if (rows.length === 0) return [];
  return tx.insert(productVariants).values(rows).returning();
}

export async function updateVariant(
  tx: Tx,
  id: string,
  changes: Partial<Pick<VariantRow, 'sku' | 'price' | 'active' | 'imageId' | 'updatedAt'>>,
): Promise<VariantRow | undefined> {
  const [row] = await tx
    .update(productVariants)
    .set(changes)
    .where(eq(productVariants.id, id))
    .returning();
  return row;
}

/** The next display position among a product's variants. */
export async function nextVariantPosition(tx: Tx, productId: string): Promise<number> {
  const [row] = await tx
    .select({ next: sql<number>`coalesce(max(${productVariants.position}) + 1, 0)::int` })
    .from(productVariants)
    .where(eq(productVariants.productId, productId));
  return Number(row?.next ?? 0);
}

/**
 * Writes the product's `price` as its variants say (the lowest active price, or the lowest of
 * all when none is active), in the transaction that changed a variant's price or active flag.
 */
export async function refreshProductPrice(tx: Tx, productId: string, now: Date): Promise<void> {
  await tx
    .update(products)
    .set({
      price: sql`(select coalesce(min(${productVariants.price}) filter (where ${productVariants.active}),
                                  min(${productVariants.price}))
                    from ${productVariants} where ${productVariants.productId} = ${productId})`,
      updatedAt: now,
    })
    .where(eq(products.id, productId));
}

/** The most a variant may hold: far above any shop's stock, well inside the int4 column. */
export const MAX_STOCK = 1_000_000_000;

/**
 * Moves a variant's stock by `delta` in one conditional statement, so concurrent movements
 * never lose an update and never take stock below zero or above MAX_STOCK. Returns the
 * variant's new stock and its product, or undefined when the variant is missing or the
 * movement does not fit.
 */
export async function applyVariantStockDelta(
  tx: Tx,
  variantId: string,
  delta: number,
  now: Date,
): Promise<{ stock: number; productId: string } | undefined> {
  const next = sql`${productVariants.stock} + ${delta}`;
  const [row] = await tx
    .update(productVariants)
    .set({ stock: next, updatedAt: now })
    .where(and(eq(productVariants.id, variantId), gte(next, 0), lte(next, MAX_STOCK)))
    .returning({ stock: productVariants.stock, productId: productVariants.productId });
  return row;
}

export async function listVariantMovements(
  db: Executor,
  variantId: string,
  page: PageRequest,
): Promise<{ rows: MovementRow[]; total: number }> {
  const where = eq(stockMovements.variantId, variantId);
  return selectPage(db, stockMovements, where, [desc(stockMovements.seq)], page);
}

/** The ledger's verdict for a variant: the sum of its movements. */
export async function sumVariantMovements(db: Executor, variantId: string): Promise<number> {
  const [row] = await db
    .select({ sum: sql<number>`coalesce(sum(${stockMovements.delta}), 0)::int` })
    .from(stockMovements)
    .where(eq(stockMovements.variantId, variantId));
  return Number(row?.sum ?? 0);
}
