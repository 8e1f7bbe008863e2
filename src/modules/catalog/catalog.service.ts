import type { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import type { Tx } from '../../db/client.js';
import { afterCommit, inTransaction } from '../../db/commit-events.js';
import { isUniqueViolation } from '../../db/errors.js';
import { AppError, notFound } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import type { Page, PageRequest } from '../../shared/pagination.js';
import { actorNames, SYSTEM_ACTOR_NAME } from '../auth/auth.service.js';
import { actorIdOf, SYSTEM_ACTOR, type ActorOrSystem } from '../auth/system-actor.js';
import type {
  adminProductSchema,
  productBody,
  productSchema,
  stockMovementSchema,
} from './catalog.schemas.js';
import * as repo from './product.repository.js';
import type {
  LockedProduct,
  MovementRow,
  ProductFilter,
  ProductRow,
  ProductSort,
  ReservationCtes,
} from './product.repository.js';

export {
  lockedProductOf,
  type LockedProduct,
  type LockedProductRow,
  type ReservationCtes,
} from './product.repository.js';
export { stockChanged, STOCK_CHANGED } from './catalog-cache.js';
import type { MovementKind } from './product.table.js';
import { imagesByProduct, listImageUrl, storeImage, type ProductImage } from './product-images.js';
import { demoImage, demoProducts } from './seed-data.js';
import {
  catalogChanged,
  etagUncached,
  readThrough,
  stockChanged,
  STOCK_CHANGED,
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

const toProduct = (row: ProductRow, currency: string, images: ProductImage[]): Product => ({
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
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

const toAdminProduct = (
  row: ProductRow,
  currency: string,
  images: ProductImage[],
): AdminProduct => ({
  ...toProduct(row, currency, images),
  archivedAt: row.archivedAt?.toISOString() ?? null,
});

/** Maps rows to API products with their images, fetched in one query for all of them. */
async function withImages<T>(
  ctx: Ctx,
  rows: ProductRow[],
  map: (row: ProductRow, currency: string, images: ProductImage[]) => T,
): Promise<T[]> {
  const images = await imagesByProduct(
    ctx.db,
    rows.map((r) => r.id),
  );
  return rows.map((row) => map(row, ctx.config.currency, images.get(row.id) ?? []));
}

const one = async <T>(
  ctx: Ctx,
  row: ProductRow,
  map: (row: ProductRow, currency: string, images: ProductImage[]) => T,
): Promise<T> => (await withImages(ctx, [row], map))[0]!;

/** Who made each movement, by name: the ledger records Ordo itself as `system`. */
async function movementActorNames(
  ctx: Pick<Ctx, 'db'>,
  rows: MovementRow[],
): Promise<(row: MovementRow) => string | null> {
  const ids = rows.flatMap((r) => (r.actorId && r.actorId !== SYSTEM_ACTOR ? [r.actorId] : []));
  const names = await actorNames(ctx.db, ids);
  return (row) =>
    row.actorId === SYSTEM_ACTOR
      ? SYSTEM_ACTOR_NAME
      : row.actorId === null
        ? null
        : (names.get(row.actorId) ?? null);
}

const toMovement = (row: MovementRow, actorName: string | null): StockMovement => ({
  id: row.id,
  productId: row.productId,
  kind: row.kind,
  delta: row.delta,
  stockAfter: row.stockAfter,
  reason: row.reason,
  orderId: row.orderId,
  actorId: row.actorId,
  actorName,
  createdAt: row.createdAt.toISOString(),
});

const isPublic = (row: Pick<ProductRow, 'active' | 'archivedAt'>) =>
  row.active && row.archivedAt === null;

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
    return toAdminProduct(row, ctx.config.currency, []);
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
      const { stock, ...fields } = changes;
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

export async function adjustStock(
  ctx: Ctx,
  actor: ActorOrSystem,
  productId: string,
  input: { delta: number; reason: string },
): Promise<StockMovement> {
  const now = ctx.clock.now();
  const movement = await inTransaction(ctx.db, (tx) =>
    moveStock(ctx, tx, {
      productId,
      kind: 'adjustment',
      delta: input.delta,
      reason: input.reason,
      actorId: actorIdOf(actor),
      now,
    }),
  );
  return toMovement(movement, (await movementActorNames(ctx, [movement]))(movement));
}

export async function listStockMovements(
  ctx: Ctx,
  productId: string,
  page: PageRequest,
): Promise<Page<StockMovement>> {
  if (!(await repo.findProduct(ctx.db, productId))) throw notFound('Product');
  const { rows, total } = await repo.listMovements(ctx.db, productId, page);
  const nameOf = await movementActorNames(ctx, rows);
  return { items: rows.map((row) => toMovement(row, nameOf(row))), ...page, total };
}

/**
 * The one way stock changes outside an order's reservation: a conditional update and its
 * ledger line, in the caller's transaction (opened with inTransaction, which runs the catalog
 * cache's bump once it commits). Throws OUT_OF_STOCK when the product has too little.
 */
export async function moveStock(
  ctx: CacheCtx,
  tx: Tx,
  movement: {
    productId: string;
    kind: MovementKind;
    delta: number;
    reason?: string;
    orderId?: string;
    actorId?: string;
    now: Date;
  },
): Promise<MovementRow> {
  let stockAfter = await repo.applyStockDelta(tx, movement.productId, movement.delta, movement.now);
  if (stockAfter === undefined) {
    // Refused: lock the row so the stock we judge (and report) cannot move under us. A
    // movement that committed in between may have made room, so try once more under the lock.
    const product = await repo.lockProduct(tx, movement.productId);
    if (!product) throw notFound('Product');
    const next = product.stock + movement.delta;
    if (next < 0) {
      throw new AppError('OUT_OF_STOCK', `Only ${product.stock} in stock`, {
        details: [
          { productId: movement.productId, requested: -movement.delta, available: product.stock },
        ],
      });
    }
    if (next > repo.MAX_STOCK) {
      throw new AppError(
        'STOCK_LIMIT_EXCEEDED',
        `Stock cannot exceed ${repo.MAX_STOCK}; it is ${product.stock}`,
      );
    }
    stockAfter = await repo.applyStockDelta(tx, movement.productId, movement.delta, movement.now);
  }
  afterCommit(tx, STOCK_CHANGED, () => stockChanged(ctx));
  return repo.insertMovement(tx, {
    productId: movement.productId,
    kind: movement.kind,
    delta: movement.delta,
    stockAfter: stockAfter!,
    reason: movement.reason ?? null,
    orderId: movement.orderId ?? null,
    actorId: movement.actorId ?? null,
    createdAt: movement.now,
  });
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

// --- stock for orders ---

export interface StockRequest {
  productId: string;
  quantity: number;
}

/** A product as an order line snapshots it. */
export interface OrderableProduct {
  id: string;
  sku: string;
  name: string;
  price: number;
  stock: number;
}

const toOrderable = (row: OrderableProduct): OrderableProduct => ({
  id: row.id,
  sku: row.sku,
  name: row.name,
  price: row.price,
  stock: row.stock,
});

function unavailable(productIds: string[]): AppError {
  return new AppError('PRODUCT_UNAVAILABLE', `Not available to order: ${productIds.join(', ')}`, {
    details: productIds.map((productId) => ({ productId })),
  });
}

/**
 * Sums duplicate lines and sorts by product id: every transaction that takes several product
 * rows takes them in the same order, so two orders never wait on each other in a cycle.
 */
export function normaliseStockRequests(items: readonly StockRequest[]): StockRequest[] {
  const summed = new Map<string, number>();
  for (const item of items)
    summed.set(item.productId, (summed.get(item.productId) ?? 0) + item.quantity);
  return [...summed]
    .map(([productId, quantity]) => ({ productId, quantity }))
    .sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
}

/** The orderable products among `ids`, or 422 PRODUCT_UNAVAILABLE naming those that are not. */
export async function getOrderableProducts(
  ctx: Pick<AppContext, 'db'>,
  ids: string[],
): Promise<Map<string, OrderableProduct>> {
  const rows = await repo.findProducts(ctx.db, ids);
  const byId = new Map(rows.filter(isPublic).map((row) => [row.id, toOrderable(row)]));
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length > 0) throw unavailable(missing);
  return byId;
}

/**
 * Why a reservation was refused, judged from the rows it locked: 422 PRODUCT_UNAVAILABLE names
 * the products that cannot be ordered, else 409 OUT_OF_STOCK names the short lines
 * (`details: [{productId, requested, available}]`).
 */
export function reservationRefusal(
  locked: readonly LockedProduct[],
  requests: readonly StockRequest[],
): AppError | undefined {
  const byId = new Map(locked.map((row) => [row.id, row]));
  const missing: string[] = [];
  const short: { productId: string; requested: number; available: number }[] = [];
  for (const { productId, quantity } of normaliseStockRequests(requests)) {
    const product = byId.get(productId);
    if (!product || !isPublic(product)) missing.push(productId);
    else if (product.stock < quantity) {
      short.push({ productId, requested: quantity, available: product.stock });
    }
  }
  if (missing.length > 0) return unavailable(missing);
  if (short.length === 0) return undefined;
  return new AppError(
    'OUT_OF_STOCK',
    short
      .map((s) => `${s.productId}: ${s.requested} requested, ${s.available} available`)
      .join('; '),
    { details: short },
  );
}

/**
 * Stock for every request, or none, as the first CTEs of a statement the caller writes with it
 * (see reservationCtes): the rows locked in id order and judged under the locks, so a refusal
 * is exact and a restock that committed a moment earlier is not refused by mistake. When the
 * statement took nothing, reservationRefusal over the locked rows says why. A caller that
 * writes through the database handle, not a transaction, says stockMoved once it answered.
 */
export function stockReservation(
  requests: readonly StockRequest[],
  ref: { orderId: string; actorId: string; now: Date },
): ReservationCtes {
  return repo.reservationCtes(normaliseStockRequests(requests), ref);
}

/**
 * Locks the requested products in id order and answers them as they are under the lock, or
 * throws what stockReservation would refuse: for a caller that must know the prices before
 * it reserves (an order with a promo code), in the transaction that then reserves.
 */
export async function lockForReservation(
  tx: Tx,
  requests: readonly StockRequest[],
): Promise<Map<string, OrderableProduct>> {
  const takes = normaliseStockRequests(requests);
  const locked = await repo.lockProducts(
    tx,
    takes.map((t) => t.productId),
  );
  const refusal = reservationRefusal(locked, takes);
  if (refusal) throw refusal;
  return new Map(locked.map((row) => [row.id, toOrderable(row)]));
}

/**
 * Puts an order's stock back, in the caller's transaction, in id order: `release` when an
 * unpaid order ends, `restock` when goods come back after payment. The caller guarantees
 * once-only by changing the order's status in the same transaction.
 */
export async function returnStock(
  ctx: CacheCtx,
  tx: Tx,
  requests: readonly StockRequest[],
  ref: {
    orderId: string;
    actorId: string;
    kind: 'release' | 'restock';
    reason?: string;
    now: Date;
  },
): Promise<void> {
  for (const { productId, quantity } of normaliseStockRequests(requests)) {
    await moveStock(ctx, tx, {
      productId,
      kind: ref.kind,
      delta: quantity,
      orderId: ref.orderId,
      actorId: ref.actorId,
      ...(ref.reason ? { reason: ref.reason } : {}),
      now: ref.now,
    });
  }
}
