import type { AppContext } from '../../app-context.js';
import type { Executor, Tx } from '../../db/client.js';
import { AppError, notFound } from '../../shared/errors.js';
import type { Page, PageRequest } from '../../shared/pagination.js';
import type { Actor } from '../auth/auth.service.js';
import { returnStock } from '../catalog/catalog.service.js';
import { canTransition, transitionActorOf } from './order-state.js';
import * as repo from './order.repository.js';
import type { OrderFilter, OrderHistoryRow, OrderLineRow, OrderRow } from './order.repository.js';
import type { OrderStatus, PaymentStatus, ShippingAddress } from './order.table.js';

export interface OrderLine {
  productId: string;
  sku: string;
  name: string;
  unitPrice: number;
  quantity: number;
  subtotal: number;
  discount: number;
  total: number;
}

export interface OrderHistoryEntry {
  from: OrderStatus | null;
  to: OrderStatus;
  actorId: string | null;
  actorRole: string | null;
  reason: string | null;
  at: string;
}

export interface Order {
  id: string;
  number: string;
  status: OrderStatus;
  paymentStatus: PaymentStatus;
  customerId: string;
  email: string;
  lines: OrderLine[];
  subtotal: number;
  discount: number;
  shipping: number;
  total: number;
  currency: string;
  promoCode: string | null;
  shippingAddress: ShippingAddress;
  expiresAt: string;
  carrier: string | null;
  trackingNumber: string | null;
  history: OrderHistoryEntry[];
  createdAt: string;
  updatedAt: string;
}

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

const isStaff = (actor: Actor) => actor.role === 'staff' || actor.role === 'admin';

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

/**
 * The one way an order's status changes: checked against the transitions table, written
 * with a history entry, in the caller's transaction (which holds the order's row lock).
 */
export async function transition(
  tx: Tx,
  order: OrderRow,
  to: OrderStatus,
  by: { actor: Actor | 'system'; reason?: string | undefined; now: Date },
  changes: {
    paymentStatus?: PaymentStatus;
    carrier?: string | null;
    trackingNumber?: string | null;
  } = {},
): Promise<OrderRow> {
  const role = by.actor === 'system' ? 'system' : by.actor.role;
  if (!canTransition(order.status, to, transitionActorOf(role))) {
    throw new AppError(
      'INVALID_TRANSITION',
      `An order that is ${order.status} cannot become ${to}`,
    );
  }
  const updated = await repo.updateOrder(tx, order.id, {
    status: to,
    updatedAt: by.now,
    ...changes,
  });
  await repo.insertHistory(tx, {
    orderId: order.id,
    fromStatus: order.status,
    toStatus: to,
    actorId: by.actor === 'system' ? null : by.actor.userId,
    actorRole: role,
    reason: by.reason ?? null,
    createdAt: by.now,
  });
  return updated;
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

/** Locks an order for a status change Ordo makes itself (payments, expiry). */
export async function lockOrderForSystem(tx: Tx, id: string): Promise<OrderRow | undefined> {
  return repo.lockOrder(tx, id);
}

/**
 * Records a change of payment status that leaves the order's status as it is (a refund after
 * shipping): a history entry with the same from and to, and the reason.
 */
export async function recordPaymentStatus(
  tx: Tx,
  order: OrderRow,
  paymentStatus: PaymentStatus,
  by: { actor: Actor | 'system'; reason: string; now: Date },
): Promise<OrderRow> {
  const updated = await repo.updateOrder(tx, order.id, { paymentStatus, updatedAt: by.now });
  await repo.insertHistory(tx, {
    orderId: order.id,
    fromStatus: order.status,
    toStatus: order.status,
    actorId: by.actor === 'system' ? null : by.actor.userId,
    actorRole: by.actor === 'system' ? 'system' : by.actor.role,
    reason: by.reason,
    createdAt: by.now,
  });
  return updated;
}

/** Puts a paid order's goods back in stock, once per order, whatever calls it. */
export async function restockOnce(
  tx: Tx,
  order: OrderRow,
  by: { actorId: string; reason: string; now: Date },
): Promise<boolean> {
  if (!(await repo.claimRestock(tx, order.id, by.now))) return false;
  const lines = await repo.findLines(tx, [order.id]);
  await returnStock(tx, lines, {
    orderId: order.id,
    actorId: by.actorId,
    kind: 'restock',
    reason: by.reason,
    now: by.now,
  });
  return true;
}

/** Unpaid orders past their deadline (the expiry sweep re-checks each under its lock). */
export const findOverdueOrders = (ctx: Pick<AppContext, 'db'>, now: Date, limit = 100) =>
  repo.findOverdue(ctx.db, now, limit);

export const orderLines = (db: Executor, orderId: string) => repo.findLines(db, [orderId]);

export async function getOrderRow(
  ctx: Pick<AppContext, 'db'>,
  actor: Actor,
  id: string,
): Promise<OrderRow> {
  const row = await repo.findOrder(ctx.db, id);
  if (!visibleTo(actor, row)) throw notFound('Order');
  return row;
}
