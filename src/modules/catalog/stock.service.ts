import type { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import type { Tx } from '../../db/client.js';
import { afterCommit, inTransaction } from '../../db/commit-events.js';
import { AppError, notFound } from '../../shared/errors.js';
import type { Page, PageRequest } from '../../shared/pagination.js';
import { actorNames, SYSTEM_ACTOR_NAME } from '../auth/auth.service.js';
import { actorIdOf, SYSTEM_ACTOR, type ActorOrSystem } from '../auth/system-actor.js';
import { stockChanged, STOCK_CHANGED, type CacheCtx } from './catalog-cache.js';
import type { stockMovementSchema } from './catalog.schemas.js';
import * as repo from './product.repository.js';
import type {
  LockedProduct,
  MovementRow,
  ProductRow,
  ReservationCtes,
} from './product.repository.js';
import type { MovementKind } from './product.table.js';

/**
 * Stock: the ledger's one way in (moveStock), staff's adjustments and the movement history,
 * and what orders take and give back (reservations, refusals, returns). Products themselves,
 * the public catalog and its cache are catalog.service.ts's.
 */

export {
  lockedProductOf,
  type LockedProduct,
  type LockedProductRow,
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
