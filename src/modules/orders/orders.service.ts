import type { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import type { Executor, Tx } from '../../db/client.js';
import type { Page, PageRequest } from '../../shared/pagination.js';
import { actorNames, isStaff, SYSTEM_ACTOR_NAME, type Actor } from '../auth/auth.service.js';
import { guestOrderToken } from './guest-token.js';
import { customerReason } from './history-view.js';
import {
  allowedActions,
  asItsCustomer,
  GUEST_ROLE,
  requireStaff,
  visibleOrder,
  type Caller,
  type Viewer,
} from './order-access.js';
import * as repo from './order.repository.js';
import type { OrderFilter, OrderHistoryRow, OrderLineRow, OrderRow } from './order.repository.js';
import type { OrderStatus } from './order.table.js';
import type { orderSchema } from './orders.schemas.js';

/** The order as the API shows it: the type is the response schema's, so the two cannot drift. */
export type Order = z.output<typeof orderSchema>;

/** Who acted on an order, by name, as `viewer` may read it. */
type NameOf = (entry: OrderHistoryRow) => string | null;

/** The name history shows for a guest (the order's customer, not signed in). */
export const GUEST_NAME = 'Guest';

/**
 * The names history shows: staff read everyone's; a customer reads their own, "Shop staff"
 * for the people of the shop, and "System" for Ordo itself, never the shop's staff by name.
 */
function namesFor(viewer: Viewer, names: Map<string, string>): NameOf {
  const staff = isStaff(viewer.caller);
  return (entry) => {
    if (entry.actorId === null) {
      if (entry.actorRole === 'system') return SYSTEM_ACTOR_NAME;
      return entry.actorRole === GUEST_ROLE ? GUEST_NAME : null;
    }
    if (staff || entry.actorId === viewer.caller.userId) return names.get(entry.actorId) ?? null;
    return entry.actorRole === 'customer' ? null : 'Shop staff';
  };
}

/**
 * The order as `viewer` sees it: what they may do with it differs, and a customer reads its
 * history in the shop's words (`customerReason`), without staff's own reasons or names.
 */
export function toOrder(
  row: OrderRow,
  lines: OrderLineRow[],
  history: OrderHistoryRow[],
  viewer: Viewer,
  names: Map<string, string> = new Map(),
): Order {
  const staff = isStaff(viewer.caller);
  const nameOf = namesFor(viewer, names);
  return {
    id: row.id,
    number: String(row.number),
    status: row.status,
    paymentStatus: row.paymentStatus,
    customerId: row.userId,
    guest: row.guestTokenHash !== null,
    email: row.email,
    lines: lines.map((l) => ({
      productId: l.productId,
      variantId: l.variantId,
      variantTitle: l.variantTitle,
      sku: l.sku,
      name: l.name,
      unitPrice: l.unitPrice,
      quantity: l.quantity,
      subtotal: l.subtotal,
      discount: l.discount,
      total: l.total,
    })),
    subtotal: row.subtotal,
    discount: row.discount,
    shipping: row.shipping,
    total: row.total,
    currency: row.currency,
    promoCode: row.promoCode,
    shippingAddress: row.shippingAddress,
    expiresAt: row.expiresAt.toISOString(),
    carrier: row.carrier,
    trackingNumber: row.trackingNumber,
    history: history.map((h) => ({
      from: h.fromStatus,
      to: h.toStatus,
      actorId: h.actorId,
      actorRole: h.actorRole,
      actorName: nameOf(h),
      reason: staff ? h.reason : customerReason(h, viewer.caller),
      at: h.createdAt.toISOString(),
    })),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    allowedActions: allowedActions(viewer.caller, row, viewer.now),
  };
}

/** Loads lines and history for a set of orders in two queries, and maps them for `viewer`. */
export const hydrate = (db: Executor, rows: OrderRow[], viewer: Viewer): Promise<Order[]> =>
  hydrateEach(db, rows, () => viewer);

/** As `hydrate`, each order for its own viewer. */
async function hydrateEach(
  db: Executor,
  rows: OrderRow[],
  viewerOfRow: (row: OrderRow) => Viewer,
): Promise<Order[]> {
  const ids = rows.map((r) => r.id);
  const [lines, history] = await Promise.all([repo.findLines(db, ids), repo.findHistory(db, ids)]);
  const names = await actorNames(
    db,
    history.flatMap((h) => (h.actorId === null ? [] : [h.actorId])),
  );
  return rows.map((row) =>
    toOrder(
      row,
      lines.filter((l) => l.orderId === row.id),
      history.filter((h) => h.orderId === row.id),
      viewerOfRow(row),
      names,
    ),
  );
}

/** The viewer of a request: the caller, now by the clock module. */
const viewerOf = (ctx: Pick<AppContext, 'clock'>, caller: Caller): Viewer => ({
  caller,
  now: ctx.clock.now(),
});

/**
 * An order as the caller sees it; 404 when it does not exist or is another customer's (or the
 * caller's order token is not this order's).
 */
export async function getOrder(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  caller: Caller,
  id: string,
): Promise<Order> {
  const row = visibleOrder(caller, await repo.findOrder(ctx.db, id));
  const [order] = await hydrate(ctx.db, [row], viewerOf(ctx, caller));
  return order!;
}

/** A customer's own orders, newest first. */
export async function listOwnOrders(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  actor: Actor,
  filter: { status?: OrderStatus | undefined },
  page: PageRequest,
): Promise<Page<Order>> {
  const { rows, total } = await repo.listOrders(ctx.db, { ...filter, userId: actor.userId }, page);
  return { items: await hydrate(ctx.db, rows, viewerOf(ctx, actor)), ...page, total };
}

/** Every order, for staff and admins, with the filters of the admin order list. */
export async function listAllOrders(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  actor: Actor,
  filter: Omit<OrderFilter, 'userId'>,
  page: PageRequest,
): Promise<Page<Order>> {
  requireStaff(actor);
  const { rows, total } = await repo.listOrders(ctx.db, filter, page);
  return { items: await hydrate(ctx.db, rows, viewerOf(ctx, actor)), ...page, total };
}

/**
 * Locks the order the caller may act on, for a status change: 404 when it does not exist or is
 * somebody else's. The lock makes concurrent changes of one order take turns.
 */
export async function lockOrderFor(tx: Tx, caller: Caller, id: string): Promise<OrderRow> {
  return visibleOrder(caller, await repo.lockOrder(tx, id));
}

/** An order as a use case answers it, read in the use case's transaction, for the caller. */
export async function orderFor(
  db: Executor,
  ctx: Pick<AppContext, 'clock'>,
  caller: Caller,
  row: OrderRow,
): Promise<Order> {
  const [order] = await hydrate(db, [row], viewerOf(ctx, caller));
  return order!;
}

/**
 * An order as its emails need it, or undefined when it no longer exists. No access check: jobs
 * only. An email goes to the order's customer, so it is the order as they see it.
 */
export async function findOrderForEmail(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  orderId: string,
): Promise<Order | undefined> {
  return (await findOrdersForEmail(ctx, [orderId])).get(orderId);
}

/**
 * Many orders as their emails need them, in three queries whatever their number (a batch of
 * confirmation jobs), by id; an order that no longer exists is absent. Jobs only.
 */
export async function findOrdersForEmail(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  orderIds: string[],
): Promise<Map<string, Order>> {
  const rows = await repo.findOrders(ctx.db, [...new Set(orderIds)]);
  const now = ctx.clock.now();
  const found = await hydrateEach(ctx.db, rows, (row) => asItsCustomer(row, now));
  return new Map(found.map((order) => [order.id, order]));
}

/**
 * The order's page in the storefront, as its emails link it: a guest's order with its token in
 * the fragment (`#token=…`), which the storefront keeps for the tab and sends as X-Order-Token.
 * A fragment never reaches a server, so the token is in no access log and no Referer.
 */
export function orderPageLink(
  ctx: Pick<AppContext, 'config' | 'jwtSecret'>,
  order: Pick<Order, 'id' | 'guest'>,
): string {
  const page = `${ctx.config.publicUrl}/orders/${encodeURIComponent(order.id)}`;
  return order.guest ? `${page}#token=${guestOrderToken(ctx.jwtSecret, order.id)}` : page;
}
