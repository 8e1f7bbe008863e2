import {
  and,
  asc,
  count,
  eq,
  inArray,
  isNull,
  like,
  notInArray,
  or,
  sql,
  type SQL,
} from 'drizzle-orm';
import { preparedRows, type Executor, type Tx } from '../../db/client.js';
import { categories, productCategories } from './category.table.js';
import { products } from './product.table.js';

export type CategoryRow = typeof categories.$inferSelect;

/** A category as a product lists it. */
export interface CategoryRef {
  id: string;
  slug: string;
  name: string;
}

/** The first key of the advisory lock every change to the tree's shape takes (see lockTree). */
const TREE_LOCK = 0x43415447; // 'CATG'

/**
 * Makes this transaction's changes to the tree take turns with every other's, to its end: two
 * moves that would each be fine alone (A under B, B under A) cannot both pass the cycle check,
 * and a category is not emptied and filled at once. Category writes are rare; orders never take it.
 */
export async function lockTree(tx: Tx): Promise<void> {
  await preparedRows(tx, sql`select pg_advisory_xact_lock(${TREE_LOCK}::int, 0)`);
}

/** Every category, in no particular order (the tree is small: a shop has hundreds, not millions). */
export async function listCategories(db: Executor): Promise<CategoryRow[]> {
  return db.select().from(categories);
}

export async function findCategory(db: Executor, id: string): Promise<CategoryRow | undefined> {
  const [row] = await db.select().from(categories).where(eq(categories.id, id));
  return row;
}

export async function findCategoryBySlug(
  db: Executor,
  slug: string,
): Promise<CategoryRow | undefined> {
  const [row] = await db.select().from(categories).where(eq(categories.slug, slug));
  return row;
}

/** The slugs that are `base` or `base-…`: what a slug made from a name must avoid. */
export async function slugsLike(db: Executor, base: string): Promise<Set<string>> {
  const rows = await db
    .select({ slug: categories.slug })
    .from(categories)
    .where(or(eq(categories.slug, base), like(categories.slug, `${base}-%`)));
  return new Set(rows.map((row) => row.slug));
}

/** The position after the last of `parentId`'s children (top level for null). */
export async function nextPosition(db: Executor, parentId: string | null): Promise<number> {
  const [row] = await db
    .select({ next: sql<number>`coalesce(max(${categories.position}) + 1, 0)::int` })
    .from(categories)
    .where(parentId === null ? isNull(categories.parentId) : eq(categories.parentId, parentId));
  return Number(row?.next ?? 0);
}

export async function insertCategory(
  tx: Tx,
  row: typeof categories.$inferInsert,
): Promise<CategoryRow> {
  const [created] = await tx.insert(categories).values(row).returning();
  return created!;
}

export async function updateCategory(
  tx: Tx,
  id: string,
  changes: Partial<Omit<CategoryRow, 'id' | 'createdAt'>>,
): Promise<CategoryRow | undefined> {
  const [row] = await tx.update(categories).set(changes).where(eq(categories.id, id)).returning();
  return row;
}

export async function countChildren(db: Executor, id: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(categories).where(eq(categories.parentId, id));
  return row?.n ?? 0;
}

/** How many products that are not archived each category holds directly (absent: none). */
export async function countProducts(db: Executor): Promise<Map<string, number>> {
  const rows = await db
    .select({ categoryId: productCategories.categoryId, n: count() })
    .from(productCategories)
    .innerJoin(products, eq(products.id, productCategories.productId))
    .where(isNull(products.archivedAt))
    .groupBy(productCategories.categoryId);
  return new Map(rows.map((row) => [row.categoryId, row.n]));
}

/** How many products that are not archived category `id` holds directly. */
export async function countProductsIn(db: Executor, id: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(productCategories)
    .innerJoin(products, eq(products.id, productCategories.productId))
    .where(and(eq(productCategories.categoryId, id), isNull(products.archivedAt)));
  return row?.n ?? 0;
}

/**
 * Deletes a category after taking its archived products out of it (an archived product has left
 * the catalog; it stays in the database for its orders, not for its categories). Answers how
 * many rows went: 0 when the category was already gone. A product still in it makes the
 * foreign key refuse the delete.
 */
export async function deleteCategory(tx: Tx, id: string): Promise<number> {
  await tx.delete(productCategories).where(
    and(
      eq(productCategories.categoryId, id),
      inArray(
        productCategories.productId,
        tx
          .select({ id: products.id })
          .from(products)
          .where(sql`${products.archivedAt} is not null`),
      ),
    ),
  );
  const gone = await tx
    .delete(categories)
    .where(eq(categories.id, id))
    .returning({ id: categories.id });
  return gone.length;
}

/** Which of `ids` name a category. */
export async function existingIds(db: Executor, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .select({ id: categories.id })
    .from(categories)
    .where(inArray(categories.id, [...ids]));
  return new Set(rows.map((row) => row.id));
}

/** Puts a product in exactly `categoryIds` (all of them existing), in two statements. */
export async function setProductCategories(
  tx: Tx,
  productId: string,
  categoryIds: readonly string[],
): Promise<void> {
  await tx
    .delete(productCategories)
    .where(
      and(
        eq(productCategories.productId, productId),
        categoryIds.length > 0
          ? notInArray(productCategories.categoryId, [...categoryIds])
          : undefined,
      ),
    );
  if (categoryIds.length === 0) return;
  await tx
    .insert(productCategories)
    .values(categoryIds.map((categoryId) => ({ productId, categoryId })))
    .onConflictDoNothing();
}

/** The categories of each product in `productIds`, by name: one query for a whole page. */
export async function categoriesByProduct(
  db: Executor,
  productIds: readonly string[],
): Promise<Map<string, CategoryRef[]>> {
  const byProduct = new Map<string, CategoryRef[]>();
  if (productIds.length === 0) return byProduct;
  const rows = await db
    .select({
      productId: productCategories.productId,
      id: categories.id,
      slug: categories.slug,
      name: categories.name,
    })
    .from(productCategories)
    .innerJoin(categories, eq(categories.id, productCategories.categoryId))
    .where(inArray(productCategories.productId, [...productIds]))
    .orderBy(asc(categories.name), asc(categories.id));
  for (const { productId, ...category } of rows) {
    const list = byProduct.get(productId) ?? [];
    list.push(category);
    byProduct.set(productId, list);
  }
  return byProduct;
}

/**
 * The ids of the category with this slug and of every category below it, at any depth (a
 * recursive walk down `parent_id`, on its index); none for an unknown slug.
 */
export async function subtreeIds(db: Executor, slug: string): Promise<string[]> {
  const rows = await preparedRows<{ id: string }>(
    db,
    sql`with recursive subtree(id) as (
          select ${categories.id} from ${categories} where ${categories.slug} = ${slug}
          union
          select c.id from ${categories} c join subtree on c.parent_id = subtree.id
        )
        select id from subtree`,
  );
  return rows.map((row) => row.id);
}

/**
 * The catalog filter by category: products in any of `categoryIds` (a category's subtree). A
 * semi-join, so a product in a category and in its child is listed once. The ids are given as
 * values, not found by a subquery, so the planner knows how many products they hold: for a
 * large category it walks the sort's index and probes each product's key, stopping at the
 * page; for a small one it starts from the category index.
 */
export function inCategories(categoryIds: readonly string[]): SQL {
  return sql`exists (select 1 from ${productCategories}
     where ${productCategories.productId} = ${products.id}
       and ${productCategories.categoryId} = any(${sql.param([...categoryIds])}::text[]))`;
}
