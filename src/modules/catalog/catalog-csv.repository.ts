import { and, asc, eq, gt, isNull, sql, type SQL } from 'drizzle-orm';
import type { Executor, Tx } from '../../db/client.js';
import { typedParam } from '../../db/insert-select.js';
import { newId } from '../../shared/ids.js';
import { categories, productCategories } from './category.table.js';
import type { PlannedProduct, PlannedVariant, VariantChange } from './import-plan.js';
import { products, productVariants, stockMovements } from './product.table.js';

/**
 * The catalog's CSV export and import, in statements over whole files: reads by lists of SKUs,
 * ids and slugs (one array parameter each, whatever their length), and writes of many rows in
 * one statement each (`unnest` of one array per column), so a 10,000-row import is a handful
 * of statements rather than tens of thousands.
 */

/** An array parameter of an SQL type: one parameter, however many values. */
const array = (values: readonly unknown[], type: string): SQL =>
  sql`${sql.param([...values])}::${sql.raw(type)}[]`;

const productFields = {
  id: products.id,
  sku: products.sku,
  name: products.name,
  description: products.description,
  active: products.active,
  archivedAt: products.archivedAt,
  options: products.options,
  price: products.price,
};

export type CsvProductRow = {
  [K in keyof typeof productFields]: (typeof products.$inferSelect)[K];
};

const bySkus = (lowerSkus: readonly string[]) =>
  sql`lower(${products.sku}) = any(${array(lowerSkus, 'text')})`;

/** The products whose SKUs (compared in lower case) are among `lowerSkus`. */
export async function findProductsBySku(
  db: Executor,
  lowerSkus: readonly string[],
): Promise<CsvProductRow[]> {
  if (lowerSkus.length === 0) return [];
  return db.select(productFields).from(products).where(bySkus(lowerSkus));
}

/**
 * The same, each row locked for a change of the product's own columns (`FOR NO KEY UPDATE`, in
 * id order, as every product write takes it): admins' changes of these products wait for the
 * import, and the import for them. Orders never lock products, so they never wait here.
 */
export async function lockProductsBySku(
  tx: Tx,
  lowerSkus: readonly string[],
): Promise<CsvProductRow[]> {
  if (lowerSkus.length === 0) return [];
  return tx
    .select(productFields)
    .from(products)
    .where(bySkus(lowerSkus))
    .orderBy(asc(products.id))
    .for('no key update');
}

const variantFields = {
  id: productVariants.id,
  productId: productVariants.productId,
  sku: productVariants.sku,
  options: productVariants.options,
  price: productVariants.price,
  stock: productVariants.stock,
  active: productVariants.active,
  position: productVariants.position,
};

export type CsvVariantRow = {
  [K in keyof typeof variantFields]: (typeof productVariants.$inferSelect)[K];
};

/** The variants of these products, each product's in display order. */
export async function findVariantsOfProducts(
  db: Executor,
  productIds: readonly string[],
): Promise<CsvVariantRow[]> {
  if (productIds.length === 0) return [];
  return db
    .select(variantFields)
    .from(productVariants)
    .where(sql`${productVariants.productId} = any(${array(productIds, 'text')})`)
    .orderBy(
      asc(productVariants.productId),
      asc(productVariants.position),
      asc(productVariants.id),
    );
}

/** The variants whose SKUs (in lower case) are among `lowerSkus`, with their product's SKU. */
export async function findVariantOwners(
  db: Executor,
  lowerSkus: readonly string[],
): Promise<{ sku: string; productId: string; productSku: string }[]> {
  if (lowerSkus.length === 0) return [];
  return db
    .select({
      sku: productVariants.sku,
      productId: productVariants.productId,
      productSku: products.sku,
    })
    .from(productVariants)
    .innerJoin(products, eq(products.id, productVariants.productId))
    .where(sql`lower(${productVariants.sku}) = any(${array(lowerSkus, 'text')})`);
}

/** Which categories each of these products is in. */
export async function findCategoryLinks(
  db: Executor,
  productIds: readonly string[],
): Promise<{ productId: string; categoryId: string }[]> {
  if (productIds.length === 0) return [];
  return db
    .select({ productId: productCategories.productId, categoryId: productCategories.categoryId })
    .from(productCategories)
    .where(sql`${productCategories.productId} = any(${array(productIds, 'text')})`);
}

/** The categories with these slugs. */
export async function findCategoriesBySlug(
  db: Executor,
  slugs: readonly string[],
): Promise<{ id: string; slug: string }[]> {
  if (slugs.length === 0) return [];
  return db
    .select({ id: categories.id, slug: categories.slug })
    .from(categories)
    .where(sql`${categories.slug} = any(${array(slugs, 'text')})`);
}

// --- writes, one statement per kind of row ---

const productColumns = (rows: readonly PlannedProduct[]) =>
  sql`unnest(${array(
    rows.map((r) => r.id),
    'text',
  )}, ${array(
    rows.map((r) => r.sku),
    'text',
  )}, ${array(
    rows.map((r) => r.name),
    'text',
  )}, ${array(
    rows.map((r) => r.description),
    'text',
  )}, ${array(
    rows.map((r) => JSON.stringify(r.options)),
    'text',
  )}, ${array(
    rows.map((r) => r.price),
    'int4',
  )}, ${array(
    rows.map((r) => r.active),
    'bool',
  )}) as u(id, sku, name, description, options, price, active)`;

export async function insertProducts(
  tx: Tx,
  rows: readonly PlannedProduct[],
  now: Date,
): Promise<void> {
  if (rows.length === 0) return;
  const at = typedParam(products.createdAt, now);
  await tx.execute(
    sql`insert into ${products} (id, sku, name, description, options, price, active, created_at, updated_at)
        select u.id, u.sku, u.name, u.description, u.options::jsonb, u.price, u.active, ${at}, ${at}
          from ${productColumns(rows)}`,
  );
}

/** Writes each product's columns as planned (the rows are locked by lockProductsBySku). */
export async function updateProducts(
  tx: Tx,
  rows: readonly PlannedProduct[],
  now: Date,
): Promise<void> {
  if (rows.length === 0) return;
  await tx.execute(
    sql`update ${products} p
           set sku = u.sku, name = u.name, description = u.description,
               options = u.options::jsonb, price = u.price, active = u.active,
               updated_at = ${typedParam(products.updatedAt, now)}
          from ${productColumns(rows)}
         where p.id = u.id`,
  );
}

/** Puts each product in exactly its categories (all of them existing). */
export async function replaceCategoryLinks(
  tx: Tx,
  sets: readonly { productId: string; categoryIds: readonly string[] }[],
): Promise<void> {
  if (sets.length === 0) return;
  await tx.execute(
    sql`delete from ${productCategories}
         where ${productCategories.productId} = any(${array(
           sets.map((s) => s.productId),
           'text',
         )})`,
  );
  const links = sets.flatMap((s) => s.categoryIds.map((categoryId) => [s.productId, categoryId]));
  if (links.length === 0) return;
  await tx.execute(
    sql`insert into ${productCategories} (product_id, category_id)
        select * from unnest(${array(
          links.map(([productId]) => productId),
          'text',
        )}, ${array(
          links.map(([, categoryId]) => categoryId),
          'text',
        )})`,
  );
}

/** New variants with their opening stock (the caller writes the ledger's matching movements). */
export async function insertVariants(
  tx: Tx,
  rows: readonly PlannedVariant[],
  now: Date,
): Promise<void> {
  if (rows.length === 0) return;
  const at = typedParam(productVariants.createdAt, now);
  await tx.execute(
    sql`insert into ${productVariants}
          (id, product_id, sku, title, options, price, stock, active, position, created_at, updated_at)
        select u.id, u.product_id, u.sku, u.title, u.options::jsonb, u.price, u.stock, u.active,
               u.position, ${at}, ${at}
          from unnest(${array(
            rows.map((r) => r.id),
            'text',
          )}, ${array(
            rows.map((r) => r.productId),
            'text',
          )}, ${array(
            rows.map((r) => r.sku),
            'text',
          )}, ${array(
            rows.map((r) => r.title),
            'text',
          )}, ${array(
            rows.map((r) => JSON.stringify(r.options)),
            'text',
          )}, ${array(
            rows.map((r) => r.price),
            'int4',
          )}, ${array(
            rows.map((r) => r.stock),
            'int4',
          )}, ${array(
            rows.map((r) => r.active),
            'bool',
          )}, ${array(
            rows.map((r) => r.position),
            'int4',
          )}) as u(id, product_id, sku, title, options, price, stock, active, position)`,
  );
}

/**
 * Locks these variants' rows in id order (the order every stock write takes them in, so an
 * order and the import never wait on each other in a cycle) and answers their stock as it is
 * under the locks. `FOR NO KEY UPDATE`, as the update itself would take: it makes an order's
 * lock on the row wait, and nothing that only references the row (a ledger line, an order
 * line) waits.
 */
export async function lockVariantsById(
  tx: Tx,
  ids: readonly string[],
): Promise<{ id: string; stock: number }[]> {
  if (ids.length === 0) return [];
  return tx
    .select({ id: productVariants.id, stock: productVariants.stock })
    .from(productVariants)
    .where(sql`${productVariants.id} = any(${array(ids, 'text')})`)
    .orderBy(asc(productVariants.id))
    .for('no key update');
}

/** Writes each variant's sku, price, active flag and stock (rows locked by lockVariantsById). */
export async function updateVariants(
  tx: Tx,
  rows: readonly (Omit<VariantChange, 'stock'> & { stock: number })[],
  now: Date,
): Promise<void> {
  if (rows.length === 0) return;
  await tx.execute(
    sql`update ${productVariants} v
           set sku = u.sku, price = u.price, active = u.active, stock = u.stock,
               updated_at = ${typedParam(productVariants.updatedAt, now)}
          from unnest(${array(
            rows.map((r) => r.id),
            'text',
          )}, ${array(
            rows.map((r) => r.sku),
            'text',
          )}, ${array(
            rows.map((r) => r.price),
            'int4',
          )}, ${array(
            rows.map((r) => r.active),
            'bool',
          )}, ${array(
            rows.map((r) => r.stock),
            'int4',
          )}) as u(id, sku, price, active, stock)
         where v.id = u.id`,
  );
}

/** Ledger adjustments, one per variant whose stock the import set: `delta` took it to `stockAfter`. */
export async function insertAdjustments(
  tx: Tx,
  rows: readonly { productId: string; variantId: string; delta: number; stockAfter: number }[],
  ref: { reason: string; actorId: string; now: Date },
): Promise<void> {
  if (rows.length === 0) return;
  const at = ref.now.getTime();
  await tx.execute(
    sql`insert into ${stockMovements}
          (id, product_id, variant_id, kind, delta, stock_after, reason, actor_id, created_at)
        select u.id, u.product_id, u.variant_id, 'adjustment', u.delta, u.stock_after,
               ${ref.reason}::text, ${ref.actorId}::text, ${typedParam(stockMovements.createdAt, ref.now)}
          from unnest(${array(
            rows.map(() => newId('mov', at)),
            'text',
          )}, ${array(
            rows.map((r) => r.productId),
            'text',
          )}, ${array(
            rows.map((r) => r.variantId),
            'text',
          )}, ${array(
            rows.map((r) => r.delta),
            'int4',
          )}, ${array(
            rows.map((r) => r.stockAfter),
            'int4',
          )}) with ordinality as u(id, product_id, variant_id, delta, stock_after, n)
         order by u.n`,
  );
}

// --- the export ---

/** A page of the catalog as the export writes it: products after `afterId`, by id. */
export async function exportPage(
  db: Executor,
  afterId: string | undefined,
  limit: number,
): Promise<{
  products: CsvProductRow[];
  variants: CsvVariantRow[];
  slugs: { productId: string; slug: string }[];
}> {
  const page = await db
    .select(productFields)
    .from(products)
    .where(
      and(
        isNull(products.archivedAt),
        afterId === undefined ? undefined : gt(products.id, afterId),
      ),
    )
    .orderBy(asc(products.id))
    .limit(limit);
  const ids = page.map((p) => p.id);
  const [variants, slugs] = await Promise.all([
    findVariantsOfProducts(db, ids),
    ids.length === 0
      ? []
      : db
          .select({ productId: productCategories.productId, slug: categories.slug })
          .from(productCategories)
          .innerJoin(categories, eq(categories.id, productCategories.categoryId))
          .where(sql`${productCategories.productId} = any(${array(ids, 'text')})`)
          .orderBy(asc(productCategories.productId), asc(categories.slug)),
  ]);
  return { products: page, variants, slugs };
}
