import type { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import type { Executor, Tx } from '../../db/client.js';
import { afterCommit, inTransaction } from '../../db/commit-events.js';
import { AppError, notFound } from '../../shared/errors.js';
import type { Page, PageRequest } from '../../shared/pagination.js';
import { actorNames, SYSTEM_ACTOR_NAME } from '../auth/auth.service.js';
import { actorIdOf, SYSTEM_ACTOR, type ActorOrSystem } from '../auth/system-actor.js';
import { stockChanged, STOCK_CHANGED, type CacheCtx } from './catalog-cache.js';
import type { stockMovementSchema } from './catalog.schemas.js';
import * as repo from './product.repository.js';
import type {
  LockedVariant,
  MovementRow,
  ProductRow,
  ReservationCtes,
} from './product.repository.js';
import type { MovementKind } from './product.table.js';
import * as variants from './variant.repository.js';
import type { VariantRow } from './variant.repository.js';

/**
 * Stock: the ledger's one way in (moveStock), staff's adjustments and the movement history,
 * and what orders take and give back (reservations, refusals, returns). Products themselves,
 * the public catalog and its cache are catalog.service.ts's.
 */

export {
  lockedVariantOf,
  type LockedVariant,
  type LockedVariantRow,
  type ReservationCtes,
} from './product.repository.js';
export { stockChanged, STOCK_CHANGED } from './catalog-cache.js';

type Ctx = Pick<AppContext, 'db' | 'clock' | 'config' | 'redis' | 'logger'>;

export type StockMovement = z.output<typeof stockMovementSchema>;

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
  variantId: row.variantId,
  kind: row.kind,
  delta: row.delta,
  stockAfter: row.stockAfter,
  reason: row.reason,
  orderId: row.orderId,
  actorId: row.actorId,
  actorName,
  createdAt: row.createdAt.toISOString(),
});

/** On sale: active and not archived. */
export const isPublic = (row: Pick<ProductRow, 'active' | 'archivedAt'>) =>
  row.active && row.archivedAt === null;

/**
 * The one variant of a product without options, for the calls that name stock by product (the
 * product's stock adjustments and movements, an order item or a refund's restock line naming a
 * productId): 404 for an unknown product, 422 VARIANT_REQUIRED for a product with options.
 */
export async function onlyVariantOf(db: Executor, productId: string): Promise<VariantRow> {
  const product = await repo.findProduct(db, productId);
  if (!product) throw notFound('Product');
  const rows = await variants.findVariantsOf(db, [productId]);
  if (product.options.length > 0 || rows.length !== 1) throw variantRequired([productId]);
  return rows[0]!;
}

export function variantRequired(productIds: readonly string[]): AppError {
  return new AppError(
    'VARIANT_REQUIRED',
    `A product with options is ordered and stocked by variant: name a variantId for ${productIds.join(', ')}`,
    { details: productIds.map((productId) => ({ productId })) },
  );
}

/** Staff's adjustment of a variant's stock by `delta`, with a reason, as a ledger movement. */
export async function adjustVariantStock(
  ctx: Ctx,
  actor: ActorOrSystem,
  variantId: string,
  input: { delta: number; reason: string },
): Promise<StockMovement> {
  const now = ctx.clock.now();
  const movement = await inTransaction(ctx.db, (tx) =>
    moveStock(ctx, tx, {
      variantId,
      kind: 'adjustment',
      delta: input.delta,
      reason: input.reason,
      actorId: actorIdOf(actor),
      now,
    }),
  );
  return toMovement(movement, (await movementActorNames(ctx, [movement]))(movement));
}

/** A product's stock adjustment: its one variant's (422 VARIANT_REQUIRED with options). */
export async function adjustStock(
  ctx: Ctx,
  actor: ActorOrSystem,
  productId: string,
  input: { delta: number; reason: string },
): Promise<StockMovement> {
  const variant = await onlyVariantOf(ctx.db, productId);
  return adjustVariantStock(ctx, actor, variant.id, input);
}

/**
 * A product's movements, newest first: every variant's, so for a product without options they
 * are its one variant's (each movement names its variant).
 */
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

/** A variant's movements, newest first. */
export async function listVariantStockMovements(
  ctx: Ctx,
  variantId: string,
  page: PageRequest,
): Promise<Page<StockMovement>> {
  if (!(await variants.findVariant(ctx.db, variantId))) throw notFound('Variant');
  const { rows, total } = await variants.listVariantMovements(ctx.db, variantId, page);
  const nameOf = await movementActorNames(ctx, rows);
  return { items: rows.map((row) => toMovement(row, nameOf(row))), ...page, total };
}

/**
 * The one way stock changes outside an order's reservation: a conditional update of the
 * variant and its ledger line, in the caller's transaction (opened with inTransaction, which
 * runs the catalog cache's bump once it commits). Throws OUT_OF_STOCK when the variant has
 * too little.
 */
export async function moveStock(
  ctx: CacheCtx,
  tx: Tx,
  movement: {
    variantId: string;
    kind: MovementKind;
    delta: number;
    reason?: string;
    orderId?: string;
    actorId?: string;
    now: Date;
  },
): Promise<MovementRow> {
  const { variantId, delta, now } = movement;
  let moved = await variants.applyVariantStockDelta(tx, variantId, delta, now);
  if (moved === undefined) {
    // Refused: lock the row so the stock we judge (and report) cannot move under us. A
    // movement that committed in between may have made room, so try once more under the lock.
    const variant = await variants.lockVariant(tx, variantId);
    if (!variant) throw notFound('Variant');
    const next = variant.stock + delta;
    if (next < 0) {
      throw new AppError('OUT_OF_STOCK', `Only ${variant.stock} in stock`, {
        details: [
          {
            productId: variant.productId,
            variantId,
            requested: -delta,
            available: variant.stock,
          },
        ],
      });
    }
    if (next > variants.MAX_STOCK) {
      throw new AppError(
        'STOCK_LIMIT_EXCEEDED',
        `Stock cannot exceed ${variants.MAX_STOCK}; it is ${variant.stock}`,
      );
    }
    moved = await variants.applyVariantStockDelta(tx, variantId, delta, now);
  }
  afterCommit(tx, STOCK_CHANGED, () => stockChanged(ctx));
  return repo.insertMovement(tx, {
    productId: moved!.productId,
    variantId,
    kind: movement.kind,
    delta,
    stockAfter: moved!.stock,
    reason: movement.reason ?? null,
    orderId: movement.orderId ?? null,
    actorId: movement.actorId ?? null,
    createdAt: now,
  });
}

// --- stock for orders ---

/**
 * An item of an order, a quote or a restock: a variant by `variantId`, or a product by
 * `productId`, meaning its one variant (a product without options; VARIANT_REQUIRED else).
 */
export interface StockRequest {
  variantId?: string | undefined;
  productId?: string | undefined;
  quantity: number;
}

/** What an item is counted under before it is resolved: its variant, or its product. */
export const itemKey = (item: Omit<StockRequest, 'quantity'>): string =>
  item.variantId ?? item.productId!;

/** A variant as an order line snapshots it, with its product's name. */
export interface OrderableVariant {
  id: string;
  productId: string;
  sku: string;
  name: string;
  title: string;
  price: number;
  stock: number;
}

const toOrderable = (row: OrderableVariant): OrderableVariant => ({
  id: row.id,
  productId: row.productId,
  sku: row.sku,
  name: row.name,
  title: row.title,
  price: row.price,
  stock: row.stock,
});

type Unavailable = { productId: string | null; variantId?: string };

function unavailable(items: Unavailable[]): AppError {
  return new AppError(
    'PRODUCT_UNAVAILABLE',
    `Not available to order: ${items.map((i) => i.variantId ?? i.productId).join(', ')}`,
    { details: items },
  );
}

/**
 * Sums duplicate items (by variant, or by product when named so) and sorts them by that key:
 * the order the statement's rows come in says nothing about the order it locks them in (by
 * variant id, always), but a stable order keeps a statement's values alike.
 */
export function normaliseStockRequests(items: readonly StockRequest[]): StockRequest[] {
  const summed = new Map<string, StockRequest>();
  for (const item of items) {
    const key = itemKey(item);
    const seen = summed.get(key);
    summed.set(key, { ...(seen ?? item), quantity: (seen?.quantity ?? 0) + item.quantity });
  }
  return [...summed.values()].sort((a, b) =>
    itemKey(a) < itemKey(b) ? -1 : itemKey(a) > itemKey(b) ? 1 : 0,
  );
}

/**
 * The variant each item names among `rows` (variants locked or read for these items): by its
 * id, or the one variant of a product without options. Undefined when there is none: unknown,
 * or (`needsVariant`) a product with options named by its id.
 */
function variantOfItem(
  rows: readonly LockedVariant[],
  item: Omit<StockRequest, 'quantity'>,
): { variant?: LockedVariant; needsVariant?: boolean } {
  if (item.variantId !== undefined) {
    const variant = rows.find((row) => row.id === item.variantId);
    return variant ? { variant } : {};
  }
  const ofProduct = rows.filter((row) => row.productId === item.productId);
  if (ofProduct.some((row) => row.hasOptions)) return { needsVariant: true };
  return ofProduct.length === 1 ? { variant: ofProduct[0]! } : {};
}

/**
 * Why items cannot be had from `rows`: 422 VARIANT_REQUIRED names products with options named
 * by productId, else 422 PRODUCT_UNAVAILABLE names what cannot be ordered (unknown, inactive,
 * archived), else 409 OUT_OF_STOCK names the short variants (`details: [{productId,
 * variantId, requested, available}]`, each variant's items summed). For a product named by
 * productId that is not among `rows`, `hasOptions` says whether it has options.
 */
function refusalOf(
  rows: readonly LockedVariant[],
  items: readonly StockRequest[],
  options: { checkStock: boolean; hasOptions?: ReadonlySet<string> },
): AppError | undefined {
  const needVariant: string[] = [];
  const missing: Unavailable[] = [];
  const wanted = new Map<string, { variant: LockedVariant; quantity: number }>();
  for (const item of normaliseStockRequests(items)) {
    const { variant, needsVariant } = variantOfItem(rows, item);
    if (needsVariant || (!variant && options.hasOptions?.has(item.productId ?? ''))) {
      needVariant.push(item.productId!);
    } else if (!variant || !isPublic(variant)) {
      // Named as the item named it: by its variant, or by its product alone.
      missing.push(
        item.variantId === undefined
          ? { productId: item.productId! }
          : { productId: variant?.productId ?? null, variantId: item.variantId },
      );
    } else {
      const seen = wanted.get(variant.id);
      wanted.set(variant.id, { variant, quantity: (seen?.quantity ?? 0) + item.quantity });
    }
  }
  if (needVariant.length > 0) return variantRequired(needVariant);
  if (missing.length > 0) return unavailable(missing);
  if (!options.checkStock) return undefined;
  const short = [...wanted.values()]
    .filter(({ variant, quantity }) => variant.stock < quantity)
    .map(({ variant, quantity }) => ({
      productId: variant.productId,
      variantId: variant.id,
      requested: quantity,
      available: variant.stock,
    }));
  if (short.length === 0) return undefined;
  return new AppError(
    'OUT_OF_STOCK',
    short
      .map((s) => `${s.variantId}: ${s.requested} requested, ${s.available} available`)
      .join('; '),
    { details: short },
  );
}

/** Each item's variant, by the item's key (itemKey), from rows that refusalOf accepted. */
function byItem(
  rows: readonly LockedVariant[],
  items: readonly StockRequest[],
): Map<string, OrderableVariant> {
  return new Map(
    items.map((item) => [itemKey(item), toOrderable(variantOfItem(rows, item).variant!)]),
  );
}

/**
 * The orderable variant of each item, by its key (itemKey), without locking anything (a
 * quote): 422 VARIANT_REQUIRED or PRODUCT_UNAVAILABLE as an order would refuse them.
 */
export async function getOrderableVariants(
  ctx: Pick<AppContext, 'db'>,
  items: readonly StockRequest[],
): Promise<Map<string, OrderableVariant>> {
  const rows = await repo.findOrderable(
    ctx.db,
    items.flatMap((i) => (i.variantId === undefined ? [] : [i.variantId])),
    items.flatMap((i) => (i.variantId === undefined ? [i.productId!] : [])),
  );
  const refusal = refusalOf(rows, items, { checkStock: false });
  if (refusal) throw refusal;
  return byItem(rows, items);
}

/**
 * Why a reservation was refused, judged from the rows it locked (see refusalOf). A product
 * named by productId that matched no variant is looked up: with options, VARIANT_REQUIRED.
 */
export async function reservationRefusal(
  db: Executor,
  locked: readonly LockedVariant[],
  requests: readonly StockRequest[],
): Promise<AppError | undefined> {
  const unmatched = requests.filter(
    (item) => item.variantId === undefined && !variantOfItem(locked, item).variant,
  );
  const hasOptions = new Set<string>();
  for (const item of unmatched) {
    const product = await repo.findProduct(db, item.productId!);
    if (product && product.options.length > 0) hasOptions.add(product.id);
  }
  return refusalOf(locked, requests, { checkStock: true, hasOptions });
}

/**
 * Stock for every request, or none, as the first CTEs of a statement the caller writes with it
 * (see reservationCtes): the rows locked in id order and judged under the locks, so a refusal
 * is exact and a restock that committed a moment earlier is not refused by mistake. When the
 * statement took nothing, reservationRefusal over the locked rows says why. A caller that
 * writes through the database handle, not a transaction, says stockMoved once it answered.
 * The CTEs are the same for every reservation (the caller builds its statement once);
 * reservationValues gives the values of one.
 */
export const stockReservation = (): ReservationCtes => repo.reservationCtes();

/** The values of one reservation's placeholders in stockReservation's CTEs. */
export function reservationValues(
  requests: readonly StockRequest[],
  ref: { orderId: string; actorId: string; now: Date },
): Record<string, unknown> {
  return repo.reservationValues(normaliseStockRequests(requests), ref);
}

/**
 * Locks the requested variants in id order and answers each item's, as it is under the lock,
 * by the item's key (itemKey), or throws what stockReservation would refuse: for a caller
 * that must know the prices before it reserves (an order with a promo code), in the
 * transaction that then reserves.
 */
export async function lockForReservation(
  tx: Tx,
  requests: readonly StockRequest[],
): Promise<Map<string, OrderableVariant>> {
  const items = normaliseStockRequests(requests);
  const locked = await repo.lockVariants(tx, items);
  const refusal = await reservationRefusal(tx, locked, items);
  if (refusal) throw refusal;
  return byItem(locked, items);
}

/** Units of an order line to put back, to its variant. */
export interface LineStock {
  variantId: string;
  quantity: number;
}

/**
 * Puts an order's stock back, in the caller's transaction, in variant id order: `release` when
 * an unpaid order ends, `restock` when goods come back after payment. The caller guarantees
 * once-only by changing the order's status in the same transaction.
 */
export async function returnStock(
  ctx: CacheCtx,
  tx: Tx,
  lines: readonly LineStock[],
  ref: {
    orderId: string;
    actorId: string;
    kind: 'release' | 'restock';
    reason?: string;
    now: Date;
  },
): Promise<void> {
  const summed = new Map<string, number>();
  for (const { variantId, quantity } of lines) {
    summed.set(variantId, (summed.get(variantId) ?? 0) + quantity);
  }
  for (const [variantId, quantity] of [...summed].sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  )) {
    await moveStock(ctx, tx, {
      variantId,
      kind: ref.kind,
      delta: quantity,
      orderId: ref.orderId,
      actorId: ref.actorId,
      ...(ref.reason ? { reason: ref.reason } : {}),
      now: ref.now,
    });
  }
}
