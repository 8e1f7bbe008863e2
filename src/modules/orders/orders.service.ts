import type { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import type { Executor, Tx } from '../../db/client.js';
import { AppError, notFound } from '../../shared/errors.js';
import type { Page, PageRequest } from '../../shared/pagination.js';
import type { Actor } from '../auth/auth.service.js';
import * as repo from './order.repository.js';
import type { OrderFilter, OrderHistoryRow, OrderLineRow, OrderRow } from './order.repository.js';
import type { OrderStatus } from './order.table.js';
import type { orderSchema } from './orders.schemas.js';

/** The order as the API shows it: the type is the response schema's, so the two cannot drift. */
export type Order = z.output<typeof orderSchema>;

export function toOrder(row: OrderRow, lines: OrderLineRow[], history: OrderHistoryRow[]): Order {
  return {
    id: row.id,
    number: String(row.number),
    status: row.status,
    paymentStatus: row.paymentStatus,
    customerId: row.userId,
    email: row.email,
    lines: lines.map((l) => ({
      productId: l.productId,
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
      reason: h.reason,
      at: h.createdAt.toISOString(),
    })),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Loads lines and history for a set of orders in two queries, and maps them. */
export async function hydrate(db: Executor, rows: OrderRow[]): Promise<Order[]> {
  const ids = rows.map((r) => r.id);
  const [lines, history] = await Promise.all([repo.findLines(db, ids), repo.findHistory(db, ids)]);
  return rows.map((row) =>
    toOrder(
      row,
      lines.filter((l) => l.orderId === row.id),
      history.filter((h) => h.orderId === row.id),
    ),
  );
}

export const isStaff = (actor: Actor) => actor.role === 'staff' || actor.role === 'admin';

/** Another customer's order is 404, exactly like an order that does not exist. */
function visibleTo(actor: Actor, row: OrderRow | undefined): row is OrderRow {
  return row !== undefined && (row.userId === actor.userId || isStaff(actor));
}

export async function getOrder(
  ctx: Pick<AppContext, 'db'>,
  actor: Actor,
  id: string,
): Promise<Order> {
  const row = await repo.findOrder(ctx.db, id);
  if (!visibleTo(actor, row)) throw notFound('Order');
  const [order] = await hydrate(ctx.db, [row]);
  return order!;
}

/** A customer's own orders, newest first. */
export async function listOwnOrders(
  ctx: Pick<AppContext, 'db'>,
  actor: Actor,
  filter: { status?: OrderStatus | undefined },
  page: PageRequest,
): Promise<Page<Order>> {
  const { rows, total } = await repo.listOrders(ctx.db, { ...filter, userId: actor.userId }, page);
  return { items: await hydrate(ctx.db, rows), ...page, total };
}

/** Every order, for staff and admins, with the filters of the admin order list. */
export async function listAllOrders(
  ctx: Pick<AppContext, 'db'>,
  actor: Actor,
  filter: Omit<OrderFilter, 'userId'>,
  page: PageRequest,
): Promise<Page<Order>> {
  if (!isStaff(actor)) throw new AppError('FORBIDDEN', 'Staff only');
  const { rows, total } = await repo.listOrders(ctx.db, filter, page);
  return { items: await hydrate(ctx.db, rows), ...page, total };
}

/**
 * Locks the order the actor may act on, for a status change: 404 when it does not exist or is
 * somebody else's. The lock makes concurrent changes of one order take turns.
 */
export async function lockOrderFor(tx: Tx, actor: Actor, id: string): Promise<OrderRow> {
  const row = await repo.lockOrder(tx, id);
  if (!visibleTo(actor, row)) throw notFound('Order');
  return row;
}

/** An order as its emails need it, or undefined when it no longer exists. No access check: jobs only. */
export async function findOrderForEmail(
  ctx: Pick<AppContext, 'db'>,
  orderId: string,
): Promise<Order | undefined> {
  const row = await repo.findOrder(ctx.db, orderId);
  if (!row) return undefined;
  const [order] = await hydrate(ctx.db, [row]);
  return order;
}

/**
 * Many orders as their emails need them, in three queries whatever their number (a batch of
 * confirmation jobs), by id; an order that no longer exists is absent. Jobs only.
 */
export async function findOrdersForEmail(
  ctx: Pick<AppContext, 'db'>,
  orderIds: string[],
): Promise<Map<string, Order>> {
  const rows = await repo.findOrders(ctx.db, [...new Set(orderIds)]);
  const found = await hydrate(ctx.db, rows);
  return new Map(found.map((order) => [order.id, order]));
}
