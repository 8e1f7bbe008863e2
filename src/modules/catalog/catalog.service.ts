import type { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { inTransaction } from '../../db/commit-events.js';
import { isUniqueViolation } from '../../db/errors.js';
import { AppError, notFound } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import type { Page, PageRequest } from '../../shared/pagination.js';
import { actorIdOf, type ActorOrSystem } from '../auth/system-actor.js';
import type {
  adminProductSchema,
  productBody,
  productSchema,
  stockMovementSchema,
} from './catalog.schemas.js';
import * as repo from './product.repository.js';
import type { ProductFilter, ProductRow, ProductSort } from './product.repository.js';

import { imagesByProduct, listImageUrl, storeImage, type ProductImage } from './product-images.js';
import { demoImage, demoProducts } from './seed-data.js';
import {
  categoriesByProduct,
  setProductCategories,
  type CategoryRef,
} from './categories.service.js';
import { isPublic, moveStock } from './stock.service.js';
import {
  catalogChanged,
  etagUncached,
  readThrough,
  type CacheCtx,
  type CatalogEntry,
  type CatalogRead,
  type Fresh,
} from './catalog-cache.js';

type Ctx = Pick<AppContext, 'db' | 'clock' | 'config' | 'redis' | 'logger'>;

/** API types, from the response schemas. */
export type Product = z.output<typeof productSchema>;
export type AdminProduct = z.output<typeof adminProductSchema>;
export type StockMovement = z.output<typeof stockMovementSchema>;

export type ProductInput = z.output<typeof productBody>;

export type ProductChanges = Partial<ProductInput>;

/** What a product answer shows beside its row, each fetched in one query for a whole page. */
interface Extras {
  images: ProductImage[];
  categories: CategoryRef[];
}

const toProduct = (row: ProductRow, currency: string, { images, categories }: Extras): Product => ({
  id: row.id,
  sku: row.sku,
  name: row.name,
  description: row.description,
  price: row.price,
  currency,
  stock: row.stock,
  active: row.active,
  // Uploads only (POST /api/v1/admin/products/{id}/images): no placeholder URLs.
  imageUrl: listImageUrl(images),
  images,
  categories,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

const toAdminProduct = (row: ProductRow, currency: string, extras: Extras): AdminProduct => ({
  ...toProduct(row, currency, extras),
  archivedAt: row.archivedAt?.toISOString() ?? null,
});

/** Maps rows to API products with their images and categories, one query each for all of them. */
async function withImages<T>(
  ctx: Ctx,
  rows: ProductRow[],
  map: (row: ProductRow, currency: string, extras: Extras) => T,
): Promise<T[]> {
  const ids = rows.map((r) => r.id);
  const [images, categories] = await Promise.all([
    imagesByProduct(ctx.db, ids),
    categoriesByProduct(ctx.db, ids),
  ]);
  return rows.map((row) =>
    map(row, ctx.config.currency, {
      images: images.get(row.id) ?? [],
      categories: categories.get(row.id) ?? [],
    }),
  );
}

const one = async <T>(
  ctx: Ctx,
  row: ProductRow,
  map: (row: ProductRow, currency: string, extras: Extras) => T,
): Promise<T> => (await withImages(ctx, [row], map))[0]!;

// --- the public catalog ---

const withFresh = (product: Product, fresh: Fresh): Product => ({
  ...product,
  stock: fresh.stock,
  updatedAt: fresh.updatedAt.toISOString(),
});

const freshFields = (ctx: CacheCtx) => (ids: string[]) => repo.findFreshFields(ctx.db, ids);

/**
 * The public list, from the catalog cache. An `inStock` filter is answered from the database
 * every time: which products it lists changes with every order, not only with the version.
 */
export async function listCatalog(
  ctx: Ctx,
  filter: Omit<ProductFilter, 'active' | 'includeArchived'>,
  sort: ProductSort,
  page: PageRequest,
): Promise<CatalogRead> {
  const key = `list:${JSON.stringify([
    filter.q ?? null,
    filter.minPrice ?? null,
    filter.maxPrice ?? null,
    filter.inStock ?? null,
    filter.category ?? null,
    sort,
    page.page,
    page.pageSize,
  ])}`;
  const load = async () => {
    const { rows, total } = await repo.listProducts(
      ctx.db,
      { ...filter, active: true },
      sort,
      page,
    );
    return { items: await withImages(ctx, rows, toProduct), total };
  };
  // Built as the response schema's type, so the compiler checks what is sent as text.
  const render = ({ items, total }: CatalogEntry<Product>): Page<Product> => ({
    items,
    ...page,
    total,
  });
  if (filter.inStock !== undefined) {
    const entry = await load();
    return {
      json: JSON.stringify(render(entry)),
      etag: await etagUncached(ctx, key, entry.items),
    };
  }
  return readThrough(ctx, key, load, freshFields(ctx), withFresh, render);
}

export async function getCatalogProduct(ctx: Ctx, id: string): Promise<CatalogRead> {
  return readThrough(
    ctx,
    `product:${id}`,
    async () => {
      const row = await repo.findProduct(ctx.db, id);
      if (!row || !isPublic(row)) throw notFound('Product');
      return { items: [await one(ctx, row, toProduct)], total: 1 };
    },
    freshFields(ctx),
    withFresh,
    (entry): Product => entry.items[0]!,
  );
}

// --- administration ---

/** The dashboard's low-stock list: public products with stock below `below`, lowest first. */
export async function lowStockProducts(
  ctx: Pick<AppContext, 'db'>,
  below: number,
): Promise<{ id: string; sku: string; name: string; stock: number }[]> {
  return repo.findLowStock(ctx.db, below, 50);
}

export async function adminListProducts(
  ctx: Ctx,
  filter: ProductFilter,
  sort: ProductSort,
  page: PageRequest,
): Promise<Page<AdminProduct>> {
  const { rows, total } = await repo.listProducts(ctx.db, filter, sort, page);
  return { items: await withImages(ctx, rows, toAdminProduct), ...page, total };
}

export async function adminGetProduct(ctx: Ctx, id: string): Promise<AdminProduct> {
  const row = await repo.findProduct(ctx.db, id);
  if (!row) throw notFound('Product');
  return one(ctx, row, toAdminProduct);
}

const skuTaken = (sku: string) =>
  new AppError('SKU_TAKEN', `Another product already uses sku ${sku}`);

/** Creates a product; its opening stock enters through the ledger like any other change. */
export async function createProduct(
  ctx: Ctx,
  actor: ActorOrSystem,
  input: ProductInput,
): Promise<AdminProduct> {
  const now = ctx.clock.now();
  try {
    const row = await inTransaction(ctx.db, async (tx) => {
      const created = await repo.insertProduct(tx, {
        id: newId('prd', now.getTime()),
        sku: input.sku,
        name: input.name,
        description: input.description ?? '',
        price: input.price,
        stock: 0,
        active: input.active ?? true,
        createdAt: now,
        updatedAt: now,
      });
      if (input.categoryIds) await setProductCategories(tx, created.id, input.categoryIds);
      const opening = input.stock ?? 0;
      if (opening === 0) return created;
      const movement = await moveStock(ctx, tx, {
        productId: created.id,
        kind: 'adjustment',
        delta: opening,
        reason: 'opening stock',
        actorId: actorIdOf(actor),
        now,
      });
      return { ...created, stock: movement.stockAfter };
    });
    await catalogChanged(ctx);
    if (!input.categoryIds?.length) {
      return toAdminProduct(row, ctx.config.currency, { images: [], categories: [] });
    }
    return one(ctx, row, toAdminProduct);
  } catch (error) {
    if (isUniqueViolation(error, 'products_sku_key')) throw skuTaken(input.sku);
    throw error;
  }
}

/**
 * Updates a product. A new `stock` is recorded as an adjustment of the difference, under
 * the row lock, so the ledger still sums to the stock.
 */
export async function updateProduct(
  ctx: Ctx,
  actor: ActorOrSystem,
  id: string,
  changes: ProductChanges,
): Promise<AdminProduct> {
  const now = ctx.clock.now();
  try {
    const row = await inTransaction(ctx.db, async (tx) => {
      const current = await repo.lockProduct(tx, id);
      if (!current) throw notFound('Product');
      const { stock, categoryIds, ...fields } = changes;
      if (categoryIds !== undefined) await setProductCategories(tx, id, categoryIds);
      if (stock !== undefined && stock !== current.stock) {
        await moveStock(ctx, tx, {
          productId: id,
          kind: 'adjustment',
          delta: stock - current.stock,
          reason: `stock set to ${stock}`,
          actorId: actorIdOf(actor),
          now,
        });
      }
      // Making an archived product active again restores it to the catalog.
      const restore = fields.active === true && current.archivedAt ? { archivedAt: null } : {};
      return repo.updateProduct(tx, id, { ...fields, ...restore, updatedAt: now });
    });
    await catalogChanged(ctx);
    return one(ctx, row!, toAdminProduct);
  } catch (error) {
    if (isUniqueViolation(error, 'products_sku_key')) throw skuTaken(changes.sku ?? '');
    throw error;
  }
}

/**
 * Archives a product: it leaves the catalog and can no longer be ordered, but stays in the
 * database for the orders and ledger lines that reference it. Archiving twice is a no-op.
 */
export async function archiveProduct(ctx: Ctx, id: string): Promise<void> {
  const now = ctx.clock.now();
  await ctx.db.transaction(async (tx) => {
    const current = await repo.lockProduct(tx, id);
    if (!current) throw notFound('Product');
    if (current.archivedAt) return;
    await repo.updateProduct(tx, id, { active: false, archivedAt: now, updatedAt: now });
  });
  await catalogChanged(ctx);
}

/**
 * Fills an empty catalog with the demo products. Returns how many it created; a catalog that
 * already has products is left alone, so running it twice does nothing the second time.
 */
export async function seedCatalog(ctx: Ctx, actor: ActorOrSystem): Promise<number> {
  const { total } = await repo.listProducts(ctx.db, { includeArchived: true }, 'name', {
    page: 1,
    pageSize: 1,
  });
  if (total > 0) return 0;
  const created: AdminProduct[] = [];
  for (const product of demoProducts) created.push(await createProduct(ctx, actor, product));
  // The drawings as the upload pipeline renders them, rendered ahead (seed-data.ts).
  await Promise.all(
    created.map(async (product) => {
      const image = await demoImage(product.sku);
      if (image) await storeImage(ctx, product.id, image);
    }),
  );
  return demoProducts.length;
}
