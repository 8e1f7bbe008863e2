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
  catalogOptionsSchema,
  productBody,
  productPatchBody,
  productSchema,
  stockMovementSchema,
  variantSchema,
} from './catalog.schemas.js';
import * as repo from './product.repository.js';
import type { ProductFilter, ProductRow, ProductSort } from './product.repository.js';
import * as variantRepo from './variant.repository.js';
import type { VariantRow } from './variant.repository.js';
import { checkNewVariants, mergeOptions, orderedOptions, variantTitle } from './variant-options.js';

import { imagesByProduct, listImageUrl, storeImage, type ProductImage } from './product-images.js';
import { demoCategories, demoImage, demoProducts, drawingsOf } from './seed-data.js';
import {
  categoriesByProduct,
  createCategory,
  setProductCategories,
  type CategoryRef,
} from './categories.service.js';
import { findCategoryBySlug } from './category.repository.js';
import { isPublic, moveStock, variantRequired } from './stock.service.js';
import {
  catalogChanged,
  etagUncached,
  readThrough,
  readVersioned,
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
export type Variant = z.output<typeof variantSchema>;

export type ProductInput = z.output<typeof productBody>;

export type ProductChanges = z.output<typeof productPatchBody>;

export const toVariant = (row: VariantRow): Variant => ({
  id: row.id,
  productId: row.productId,
  sku: row.sku,
  title: row.title,
  options: row.options,
  price: row.price,
  stock: row.stock,
  active: row.active,
  ...(row.imageId ? { imageId: row.imageId } : {}),
  position: row.position,
});

/** What a product answer is made of beside its row, each fetched in one query for a page. */
interface Details {
  currency: string;
  images: ProductImage[];
  categories: CategoryRef[];
  variants: VariantRow[];
}

/** The later of the product's own change and its variants' (an order moves a variant's stock). */
const lastChange = (row: ProductRow, variants: readonly VariantRow[]): Date =>
  new Date(Math.max(row.updatedAt.getTime(), ...variants.map((v) => v.updatedAt.getTime())));

const toProduct = (
  row: ProductRow,
  { currency, images, categories, variants }: Details,
): Product => ({
  id: row.id,
  sku: row.sku,
  name: row.name,
  description: row.description,
  price: row.price,
  currency,
  stock: row.stock,
  active: row.active,
  options: row.options,
  variants: variants.map(toVariant),
  // Uploads only (POST /api/v1/admin/products/{id}/images): no placeholder URLs.
  imageUrl: listImageUrl(images),
  images,
  categories,
  createdAt: row.createdAt.toISOString(),
  updatedAt: lastChange(row, variants).toISOString(),
});

const toAdminProduct = (row: ProductRow, details: Details): AdminProduct => ({
  ...toProduct(row, details),
  archivedAt: row.archivedAt?.toISOString() ?? null,
});

/** Maps rows to API products with their images, categories and variants, one query each. */
async function withDetails<T>(
  ctx: Ctx,
  rows: ProductRow[],
  map: (row: ProductRow, details: Details) => T,
): Promise<T[]> {
  const ids = rows.map((r) => r.id);
  const [images, categories, variants] = await Promise.all([
    imagesByProduct(ctx.db, ids),
    categoriesByProduct(ctx.db, ids),
    variantRepo.findVariantsOf(ctx.db, ids),
  ]);
  const variantsOf = new Map<string, VariantRow[]>();
  for (const variant of variants) {
    variantsOf.set(variant.productId, [...(variantsOf.get(variant.productId) ?? []), variant]);
  }
  return rows.map((row) =>
    map(row, {
      currency: ctx.config.currency,
      images: images.get(row.id) ?? [],
      categories: categories.get(row.id) ?? [],
      variants: variantsOf.get(row.id) ?? [],
    }),
  );
}

const one = async <T>(
  ctx: Ctx,
  row: ProductRow,
  map: (row: ProductRow, details: Details) => T,
): Promise<T> => (await withDetails(ctx, [row], map))[0]!;

// --- the public catalog ---

const withFresh = (product: Product, fresh: Fresh): Product => ({
  ...product,
  stock: fresh.stock,
  variants: product.variants.map((variant) => ({
    ...variant,
    stock: fresh.variants.get(variant.id) ?? variant.stock,
  })),
  updatedAt: fresh.updatedAt.toISOString(),
});

const freshFields = (ctx: CacheCtx) => (ids: string[]) => variantRepo.findFreshStock(ctx.db, ids);

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
    // Grouped by name and sorted (groupOptionFilters): one key for one filter, however written.
    filter.options ?? null,
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
    return { items: await withDetails(ctx, rows, toProduct), total };
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

/**
 * The options the public catalog's products have (in `category` and below it when given), each
 * with the values some active variant has, merged in the products' display order: the facets a
 * shop filters its list by. Cached under the catalog version like the category tree: only a
 * product or variant change moves it, never an order.
 */
export async function catalogOptions(ctx: Ctx, category?: string): Promise<CatalogRead> {
  return readVersioned(
    ctx,
    `options:${JSON.stringify(category ?? null)}`,
    async (): Promise<z.output<typeof catalogOptionsSchema>> => {
      const { orders, sold } = await repo.findCatalogOptions(ctx.db, category);
      return mergeOptions(orders, sold);
    },
  );
}

// --- administration ---

/**
 * The dashboard's low-stock list: active variants of public products with stock below
 * `below`, lowest first (for a product without options, the product itself).
 */
export async function lowStockProducts(
  ctx: Pick<AppContext, 'db'>,
  below: number,
): Promise<repo.LowStockRow[]> {
  return repo.findLowStock(ctx.db, below, 50);
}

export async function adminListProducts(
  ctx: Ctx,
  filter: ProductFilter,
  sort: ProductSort,
  page: PageRequest,
): Promise<Page<AdminProduct>> {
  const { rows, total } = await repo.listProducts(ctx.db, filter, sort, page);
  return { items: await withDetails(ctx, rows, toAdminProduct), ...page, total };
}

export async function adminGetProduct(ctx: Ctx, id: string): Promise<AdminProduct> {
  const row = await repo.findProduct(ctx.db, id);
  if (!row) throw notFound('Product');
  return one(ctx, row, toAdminProduct);
}

export const skuTaken = (sku: string) =>
  new AppError('SKU_TAKEN', `Another product or variant already uses sku ${sku}`);

/** SKU_TAKEN for a unique violation of a product's or a variant's sku; anything else as it is. */
export function skuError(error: unknown, sku: string): unknown {
  return isUniqueViolation(error, 'products_sku_key') ||
    isUniqueViolation(error, 'product_variants_sku_key')
    ? skuTaken(sku)
    : error;
}

/** The variants a new product is created with: those given, or one from the product's fields. */
function newVariants(input: ProductInput): {
  sku: string;
  options: Record<string, string>;
  price: number;
  stock?: number | undefined;
  active?: boolean | undefined;
}[] {
  if (input.variants) {
    if (input.stock !== undefined) {
      throw new AppError('VARIANT_OPTIONS_INVALID', 'stock is per variant: give each its stock', {
        errors: [{ path: 'stock', message: 'give each variant its stock instead' }],
      });
    }
    return input.variants;
  }
  return [{ sku: input.sku!, options: {}, price: input.price!, stock: input.stock }];
}

/**
 * Creates a product with its variants (one, from the product's own sku, price and stock, when
 * it has no options); each variant's opening stock enters through the ledger like any other
 * change. The product's price is its lowest active variant price.
 */
export async function createProduct(
  ctx: Ctx,
  actor: ActorOrSystem,
  input: ProductInput,
): Promise<AdminProduct> {
  const now = ctx.clock.now();
  const options = input.options ?? [];
  const wanted = newVariants(input);
  checkNewVariants(options, wanted);
  const productSku = input.sku ?? wanted[0]!.sku;
  try {
    const { row, variants } = await inTransaction(ctx.db, async (tx) => {
      const created = await repo.insertProduct(tx, {
        id: newId('prd', now.getTime()),
        sku: productSku,
        name: input.name,
        description: input.description ?? '',
        options,
        price: wanted[0]!.price,
        active: input.active ?? true,
        createdAt: now,
        updatedAt: now,
      });
      const inserted = await variantRepo.insertVariants(
        tx,
        wanted.map((variant, position) => ({
          id: newId('var', now.getTime()),
          productId: created.id,
          sku: variant.sku,
          title: variantTitle(options, variant.options),
          options: orderedOptions(options, variant.options),
          price: variant.price,
          stock: 0,
          active: options.length === 0 ? true : (variant.active ?? true),
          position,
          createdAt: now,
          updatedAt: now,
        })),
      );
      await variantRepo.refreshProductPrice(tx, created.id, now);
      if (input.categoryIds) await setProductCategories(tx, created.id, input.categoryIds);
      const stocked: VariantRow[] = [];
      for (const [i, variant] of inserted.entries()) {
        const opening = wanted[i]!.stock ?? 0;
        if (opening === 0) {
          stocked.push(variant);
          continue;
        }
        const movement = await moveStock(ctx, tx, {
          variantId: variant.id,
          kind: 'adjustment',
          delta: opening,
          reason: 'opening stock',
          actorId: actorIdOf(actor),
          now,
        });
        stocked.push({ ...variant, stock: movement.stockAfter });
      }
      return { row: (await repo.findProduct(tx, created.id))!, variants: stocked };
    });
    await catalogChanged(ctx);
    if (!input.categoryIds?.length) {
      return toAdminProduct(row, {
        currency: ctx.config.currency,
        images: [],
        categories: [],
        variants,
      });
    }
    return one(ctx, row, toAdminProduct);
  } catch (error) {
    throw skuError(error, input.variants ? wanted.map((v) => v.sku).join(', ') : productSku);
  }
}

/**
 * Updates a product. For a product without options, `sku`, `price` and `stock` are its one
 * variant's and change there too, in the same transaction: a new `stock` is recorded as an
 * adjustment of the difference, under the variant's row lock, so the ledger still sums to the
 * stock. A product with options has them per variant: 422 VARIANT_REQUIRED.
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
      const { stock, sku, price, categoryIds, ...fields } = changes;
      if (categoryIds !== undefined) await setProductCategories(tx, id, categoryIds);
      if (current.options.length > 0 && (price !== undefined || stock !== undefined)) {
        throw variantRequired([id]);
      }
      if (current.options.length === 0 && (sku ?? price ?? stock) !== undefined) {
        const [only] = await variantRepo.findVariantsOf(tx, [id]);
        const variant = only && (await variantRepo.lockVariant(tx, only.id));
        if (!variant) throw variantRequired([id]);
        if (stock !== undefined && stock !== variant.stock) {
          await moveStock(ctx, tx, {
            variantId: variant.id,
            kind: 'adjustment',
            delta: stock - variant.stock,
            reason: `stock set to ${stock}`,
            actorId: actorIdOf(actor),
            now,
          });
        }
        if (sku !== undefined || price !== undefined) {
          await variantRepo.updateVariant(tx, variant.id, {
            ...(sku === undefined ? {} : { sku }),
            ...(price === undefined ? {} : { price }),
            updatedAt: now,
          });
        }
      }
      // Making an archived product active again restores it to the catalog.
      const restore = fields.active === true && current.archivedAt ? { archivedAt: null } : {};
      return repo.updateProduct(tx, id, {
        ...fields,
        ...(sku === undefined ? {} : { sku }),
        ...(price === undefined ? {} : { price }),
        ...restore,
        updatedAt: now,
      });
    });
    await catalogChanged(ctx);
    return one(ctx, row!, toAdminProduct);
  } catch (error) {
    throw skuError(error, changes.sku ?? '');
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
 * Fills an empty catalog with the demo categories and products. Returns how many products it
 * created; a catalog that already has products is left alone, so running it twice does nothing
 * the second time.
 */
export async function seedCatalog(ctx: Ctx, actor: ActorOrSystem): Promise<number> {
  const { total } = await repo.listProducts(ctx.db, { includeArchived: true }, 'name', {
    page: 1,
    pageSize: 1,
  });
  if (total > 0) return 0;
  const categoryIds = new Map<string, string>();
  for (const category of demoCategories) {
    // A category kept from an earlier catalog (the seed fills an empty catalog, not an empty tree).
    const existing = await findCategoryBySlug(ctx.db, category.slug);
    categoryIds.set(
      category.slug,
      existing?.id ?? (await createCategory(ctx, { name: category.name, slug: category.slug })).id,
    );
  }
  const created: AdminProduct[] = [];
  for (const product of demoProducts) {
    const { sku, name, description, price, stock, options, variants, categories } = product;
    created.push(
      await createProduct(ctx, actor, {
        ...(variants
          ? {
              sku,
              options,
              variants: variants.map((v) => ({
                sku: v.sku,
                options: v.options,
                price: v.price,
                stock: v.stock,
              })),
            }
          : { sku, price, stock }),
        name,
        description,
        ...(categories ? { categoryIds: categories.map((slug) => categoryIds.get(slug)!) } : {}),
      }),
    );
  }
  // The drawings as the upload pipeline renders them, rendered ahead (seed-data.ts), and each
  // variant's image among its product's.
  await Promise.all(
    created.map(async (product, i) => {
      const demo = demoProducts[i]!;
      const imageIds = new Map<string, string>();
      for (const drawing of drawingsOf(demo)) {
        const image = await demoImage(drawing);
        if (image) imageIds.set(drawing, await storeImage(ctx, product.id, image));
      }
      const pictured = (demo.variants ?? []).flatMap((variant, j) => {
        const imageId = variant.drawing && imageIds.get(variant.drawing);
        return imageId ? [{ id: product.variants[j]!.id, imageId }] : [];
      });
      if (pictured.length === 0) return;
      const now = ctx.clock.now();
      await inTransaction(ctx.db, async (tx) => {
        for (const { id, imageId } of pictured) {
          await variantRepo.updateVariant(tx, id, { imageId, updatedAt: now });
        }
      });
    }),
  );
  await catalogChanged(ctx);
  return demoProducts.length;
}
