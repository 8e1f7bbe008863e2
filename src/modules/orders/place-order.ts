import { sql, type SQL } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { preparedRows, type Executor, type Tx } from '../../db/client.js';
import { AppError } from '../../shared/errors.js';
import type { RecordResponse } from '../../shared/idempotency.js';
import { newId } from '../../shared/ids.js';
import { getMe, type Actor } from '../auth/auth.service.js';
import { LRUCache } from 'lru-cache';
import {
  getOrderableProducts,
  ProductsChanged,
  reserveStock,
  type OrderableProduct,
  type StockRequest,
} from '../catalog/catalog.service.js';
import * as repo from './order.repository.js';
import type { ShippingAddress } from './order.table.js';
import { toOrder, type Order } from './orders.service.js';
import { priceOrder, type PricedLine, type PricingLine, type ShippingRule } from './pricing.js';
import { previewPromo, redeemPromo, type PromoOutcome } from '../promotions/promotions.service.js';

type Ctx = Pick<AppContext, 'db' | 'clock' | 'config' | 'jobs'>;

export interface OrderItems {
  items: StockRequest[];
  promoCode?: string | undefined;
}

export interface PlaceOrderInput extends OrderItems {
  shippingAddress: ShippingAddress;
}

export interface Quote {
  lines: (PricedLine & { available: number })[];
  subtotal: number;
  discount: number;
  shipping: number;
  total: number;
  currency: string;
  promo: { code: string; applied: boolean; reason?: string } | null;
}

const shippingRule = (ctx: Ctx): ShippingRule => ({
  flatRate: ctx.config.shippingFlatRate,
  freeOver: ctx.config.freeShippingOver,
});

/** Duplicate lines summed, in the order the customer first named each product. */
export function sumItems(items: readonly StockRequest[]): StockRequest[] {
  const summed = new Map<string, number>();
  for (const { productId, quantity } of items) {
    summed.set(productId, (summed.get(productId) ?? 0) + quantity);
  }
  return [...summed].map(([productId, quantity]) => ({ productId, quantity }));
}

const subtotalOf = (lines: PricingLine[]) =>
  lines.reduce((sum, line) => sum + line.unitPrice * line.quantity, 0);

const pricingLines = (
  items: StockRequest[],
  products: Map<string, OrderableProduct>,
): PricingLine[] =>
  items.map(({ productId, quantity }) => {
    const product = products.get(productId)!;
    return { productId, sku: product.sku, name: product.name, unitPrice: product.price, quantity };
  });

/**
 * Prices a cart without reserving anything. Stock is reported per line (`available`), not
 * refused, so a cart page can show what is short; a code that does not apply is reported in
 * `promo` instead of failing.
 */
export async function quoteOrder(ctx: Ctx, actor: Actor, input: OrderItems): Promise<Quote> {
  const items = sumItems(input.items);
  const products = await getOrderableProducts(
    ctx,
    items.map((i) => i.productId),
  );
  const lines = pricingLines(items, products);
  const promo = await previewPromo(ctx, actor.userId, input.promoCode, subtotalOf(lines));
  const priced = priceOrder(lines, promo.applied ? promo.discount : 0, shippingRule(ctx));
  return {
    ...priced,
    lines: priced.lines.map((line) => ({
      ...line,
      available: products.get(line.productId)!.stock,
    })),
    currency: ctx.config.currency,
    promo: promoView(promo),
  };
}

function promoView(promo: PromoOutcome): Quote['promo'] {
  if (!promo.code) return null;
  return promo.applied
    ? { code: promo.code, applied: true }
    : { code: promo.code, applied: false, reason: promo.reason };
}

/**
 * What each product an order was last placed with looked like, in this process: an order
 * written from it can take its stock last, so a best-seller's row is locked only for the
 * statement that takes the stock and the COMMIT, not for writing the order too. A guess only:
 * the stock statement checks it under the lock, and an order priced from a guess that no
 * longer holds takes nothing and is placed again (ProductsChanged).
 */
const lastSeen = new LRUCache<string, OrderableProduct>({ max: 10_000 });

/** Placings priced from guesses that moved, before the order is placed reading under the lock. */
const GUESSED_ATTEMPTS = 3;

/**
 * Places an order: stock for every line reserved or none, prices snapshot from the server,
 * the order, its lines, its first history entry and its confirmation email's job written
 * together. With an Idempotency-Key, the response is recorded in that same transaction. The
 * hot path is one statement: the order priced from the products as this process last saw
 * them, and written only if, under the products' locks, every line's stock is there and the
 * sku, name and price it was priced from still hold, in which case the stock is taken with it;
 * a best-seller's row is locked for that one statement. A transaction is opened only for
 * what needs one (the hoarding limits, an Idempotency-Key's record). The answer is built from
 * what was written. An order with a promo code, or with a product this process has not seen,
 * takes the stock first and is priced from the locked rows (a code is redeemed after the
 * stock, so every transaction locks products before promo codes).
 */
export async function placeOrder(
  ctx: Ctx,
  actor: Actor,
  input: PlaceOrderInput,
  record?: RecordResponse,
): Promise<Order> {
  let email = actor.email;
  if (email === undefined || ctx.config.requireVerifiedEmail) {
    const customer = await getMe(ctx, actor);
    if (ctx.config.requireVerifiedEmail && !customer.emailVerified) {
      throw new AppError('EMAIL_NOT_VERIFIED', 'Verify your email address before ordering');
    }
    email = customer.email;
  }
  const items = sumItems(input.items);
  let guesses = input.promoCode ? undefined : guessesFor(items);
  for (let attempt = 1; ; attempt++) {
    try {
      return await placeOnce(ctx, actor, { ...input, items, email }, guesses, record);
    } catch (error) {
      if (!(error instanceof ProductsChanged)) throw error;
      for (const [id, product] of error.current) lastSeen.set(id, product);
      guesses = attempt < GUESSED_ATTEMPTS ? guessesFor(items) : undefined;
    }
  }
}

function guessesFor(items: StockRequest[]): Map<string, OrderableProduct> | undefined {
  const guesses = new Map<string, OrderableProduct>();
  for (const { productId } of items) {
    const product = lastSeen.get(productId);
    if (!product) return undefined;
    guesses.set(productId, product);
  }
  return guesses;
}

async function placeOnce(
  ctx: Ctx,
  actor: Actor,
  input: PlaceOrderInput & { email: string },
  guesses: Map<string, OrderableProduct> | undefined,
  record: RecordResponse | undefined,
): Promise<Order> {
  const { items } = input;
  const now = ctx.clock.now();
  const orderId = newId('ord', now.getTime());
  const ref = { orderId, actorId: actor.userId, now };
  // The confirmation is written with the order: it becomes real with the order, or never.
  const confirmation = (written: SQL) =>
    ctx.jobs.insertSql('order-confirmation-email', { orderId }, written);

  if (guesses) {
    const rows = { ...orderRows(ctx, actor, input, ref, guesses, undefined), also: confirmation };
    const place = async (executor: Executor) => {
      const { answer } = await reserveStock(executor, items, ref, guesses, {
        ctes: (allTaken) => repo.orderCtes(rows, allTaken),
        answer: sql`(select number from o)`,
      });
      return orderOf(rows, repo.writtenOrder(rows.order, answer), actor);
    };
    if (!needsTransaction(ctx, record)) return place(ctx.db);
    return ctx.db.transaction(async (tx) => {
      await refuseHoarding(ctx, tx, actor.userId, items, now);
      const order = await place(tx);
      await record?.(tx, 201, order);
      return order;
    });
  }
  return ctx.db.transaction(async (tx) => {
    await refuseHoarding(ctx, tx, actor.userId, items, now);
    const { taken: products } = await reserveStock(tx, items, ref);
    for (const [id, product] of products) lastSeen.set(id, product);
    const promo = input.promoCode
      ? await redeemPromo(tx, {
          code: input.promoCode,
          userId: actor.userId,
          orderId,
          subtotal: subtotalOf(pricingLines(items, products)),
          now,
        })
      : undefined;
    const rows = { ...orderRows(ctx, actor, input, ref, products, promo), also: confirmation };
    const order = orderOf(rows, await repo.insertOrder(tx, rows), actor);
    await record?.(tx, 201, order);
    return order;
  });
}

/** Whether placing an order needs a transaction of its own beyond its one statement. */
const needsTransaction = (ctx: Ctx, record: RecordResponse | undefined) =>
  Boolean(record || ctx.config.maxUnpaidOrders || ctx.config.maxUnitsPerProduct);

/** The order, its lines and its first history entry, priced from `products`. */
function orderRows(
  ctx: Ctx,
  actor: Actor,
  input: PlaceOrderInput & { email: string },
  ref: { orderId: string; now: Date },
  products: Map<string, OrderableProduct>,
  promo: { code: string; discount: number } | undefined,
): repo.NewOrderRows {
  const { orderId, now } = ref;
  const priced = priceOrder(
    pricingLines(input.items, products),
    promo?.discount ?? 0,
    shippingRule(ctx),
  );
  return {
    order: {
      id: orderId,
      userId: actor.userId,
      email: input.email,
      status: 'pending_payment',
      paymentStatus: 'unpaid',
      subtotal: priced.subtotal,
      discount: priced.discount,
      shipping: priced.shipping,
      total: priced.total,
      currency: ctx.config.currency,
      promoCode: promo?.code ?? null,
      shippingAddress: input.shippingAddress,
      expiresAt: new Date(now.getTime() + ctx.config.orderPaymentTtlMs),
      createdAt: now,
      updatedAt: now,
    },
    lines: priced.lines.map((line, position) => ({
      id: newId('oln', now.getTime()),
      position,
      productId: line.productId,
      sku: line.sku,
      name: line.name,
      unitPrice: line.unitPrice,
      quantity: line.quantity,
      subtotal: line.subtotal,
      discount: line.discount,
      total: line.total,
    })),
    first: {
      fromStatus: null,
      toStatus: 'pending_payment',
      actorId: actor.userId,
      actorRole: actor.role,
      reason: 'order placed',
      createdAt: now,
    },
  };
}

/** The answer, built from what was written, as the customer who placed it sees it. */
const orderOf = (rows: repo.NewOrderRows, written: repo.OrderRow, actor: Actor): Order =>
  toOrder(
    written,
    rows.lines.map((line) => ({ ...line, orderId: written.id })),
    [{ ...rows.first, seq: 0, orderId: written.id }],
    { caller: actor, now: written.createdAt },
  );

/** The first key of the advisory lock that serialises one customer's order placements. */
const UNPAID_ORDERS_LOCK = 0x4f524452; // 'ORDR'

/**
 * Keeps one customer from holding a shop's stock in orders they never pay: at most
 * MAX_UNPAID_ORDERS orders awaiting payment, and at most MAX_UNITS_PER_PRODUCT units of one
 * product across them (this order included). The customer's placements take turns on an
 * advisory lock held to the end of the transaction, so racing requests cannot all pass the
 * count. The lock is the transaction's first, before any product row, so it adds no deadlock.
 * An order past its `expiresAt` no longer counts: the expiry job is about to return its stock.
 */
async function refuseHoarding(
  ctx: Ctx,
  tx: Tx,
  userId: string,
  items: StockRequest[],
  now: Date,
): Promise<void> {
  const { maxUnpaidOrders, maxUnitsPerProduct } = ctx.config;
  if (!maxUnpaidOrders && !maxUnitsPerProduct) return;
  await preparedRows(
    tx,
    sql`select pg_advisory_xact_lock(${UNPAID_ORDERS_LOCK}::int, hashtext(${userId}))`,
  );
  // Both limits from one statement: the customer's unpaid orders, and the units of this
  // order's products they hold.
  const [held] = await preparedRows<{ unpaid: number; units: Record<string, number> }>(
    tx,
    sql`
    with unpaid as (
      select id from orders
       where user_id = ${userId} and status = 'pending_payment' and expires_at > ${now}::timestamptz
    )
    select (select count(*)::int from unpaid) as unpaid,
           coalesce((select json_object_agg(product_id, units) from (
             select line.product_id, sum(line.quantity)::int as units
               from order_lines line join unpaid on unpaid.id = line.order_id
              where line.product_id = any(${sql.param(items.map((i) => i.productId))}::text[])
              group by line.product_id) per_product), '{}') as units`,
  );
  if (maxUnpaidOrders && Number(held!.unpaid) >= maxUnpaidOrders) {
    throw new AppError(
      'TOO_MANY_UNPAID_ORDERS',
      `You have ${maxUnpaidOrders} orders awaiting payment; pay for or cancel one before placing another`,
    );
  }
  if (maxUnitsPerProduct) {
    // Both drivers parse json into objects.
    const heldOf = new Map(Object.entries(held!.units));
    const over = items
      .map((i) => ({
        productId: i.productId,
        requested: i.quantity,
        held: heldOf.get(i.productId) ?? 0,
      }))
      .filter((i) => i.requested + i.held > maxUnitsPerProduct)
      .map((i) => ({ ...i, limit: maxUnitsPerProduct }));
    if (over.length > 0) {
      throw new AppError(
        'PRODUCT_UNIT_LIMIT',
        `At most ${maxUnitsPerProduct} units of one product may wait for payment across your orders`,
        { details: over },
      );
    }
  }
}
