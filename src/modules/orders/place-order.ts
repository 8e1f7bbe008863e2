import { sql } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { preparedRows, type Executor, type PreparedQuery, type Tx } from '../../db/client.js';
import { afterCommit, inTransaction } from '../../db/commit-events.js';
import { AppError } from '../../shared/errors.js';
import type { RecordResponse } from '../../shared/idempotency.js';
import { newId } from '../../shared/ids.js';
import { getMe, type Actor } from '../auth/auth.service.js';
import { GUEST_ACTOR } from '../auth/system-actor.js';
import {
  getOrderableVariants,
  itemKey,
  lockForReservation,
  reservationRefusal,
  stockChanged,
  STOCK_CHANGED,
  stockReservation,
  reservationValues,
  type OrderableVariant,
  type StockRequest,
} from '../catalog/stock.service.js';
import { guestOrderToken, guestTokenHash } from './guest-token.js';
import { GUEST_ROLE, type Caller } from './order-access.js';
import * as repo from './order.repository.js';
import { guestCustomerKey, isGuest, shippingAddressFor, type Orderer } from './orderer.js';
import type { ShippingAddress } from './order.table.js';
import { toOrder, type Order } from './orders.service.js';
import { priceOrder, type PricedLine, type PricingLine, type ShippingRule } from './pricing.js';
import { previewPromo, redeemPromo, type PromoOutcome } from '../promotions/promotions.service.js';

type Ctx = Pick<AppContext, 'db' | 'clock' | 'config' | 'jobs' | 'redis' | 'logger' | 'jwtSecret'>;

export interface OrderItems {
  items: StockRequest[];
  promoCode?: string | undefined;
  /** One of the signed-in customer's saved addresses. */
  shippingAddressId?: string | undefined;
}

/** An order as asked for: its address given, or named (`shippingAddressId`). */
export interface PlaceOrderInput extends OrderItems {
  shippingAddress?: ShippingAddress | undefined;
}

export interface Quote {
  lines: (PricedLine & { variantId: string; variantTitle: string; available: number })[];
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

/**
 * Duplicate items summed, in the order the customer first named each variant (or product, for
 * an item naming its one variant by the product).
 */
export function sumItems(items: readonly StockRequest[]): StockRequest[] {
  const summed = new Map<string, StockRequest>();
  for (const item of items) {
    const seen = summed.get(itemKey(item));
    summed.set(itemKey(item), {
      ...(item.variantId === undefined
        ? { productId: item.productId }
        : { variantId: item.variantId }),
      quantity: (seen?.quantity ?? 0) + item.quantity,
    });
  }
  return [...summed.values()];
}

const subtotalOf = (lines: PricingLine[]) =>
  lines.reduce((sum, line) => sum + line.unitPrice * line.quantity, 0);

/** The items priced at their variants' prices (in the items' order). */
const pricingLines = (
  items: StockRequest[],
  variants: Map<string, OrderableVariant>,
): PricingLine[] =>
  items.map((item) => {
    const variant = variants.get(itemKey(item))!;
    return {
      productId: variant.productId,
      sku: variant.sku,
      name: variant.name,
      unitPrice: variant.price,
      quantity: item.quantity,
    };
  });

/**
 * Prices a cart without reserving anything. Stock is reported per line (`available`, the
 * variant's), not refused, so a cart page can show what is short; a code that does not apply
 * is reported in `promo` instead of failing.
 */
export async function quoteOrder(
  ctx: Ctx,
  actor: Actor | undefined,
  input: OrderItems,
): Promise<Quote> {
  // A saved address is checked as an order would check it (422 for one not the caller's).
  await shippingAddressFor(ctx, actor, input);
  const items = sumItems(input.items);
  const variants = await getOrderableVariants(ctx, items);
  const lines = pricingLines(items, variants);
  // A guest's per-customer use of a code is counted by email, which a quote does not carry:
  // placing the order checks it.
  const promo = await previewPromo(ctx, actor?.userId, input.promoCode, subtotalOf(lines));
  const priced = priceOrder(lines, promo.applied ? promo.discount : 0, shippingRule(ctx));
  return {
    ...priced,
    lines: priced.lines.map((line, i) => {
      const variant = variants.get(itemKey(items[i]!))!;
      return {
        ...line,
        variantId: variant.id,
        variantTitle: variant.title,
        available: variant.stock,
      };
    }),
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
 * Places an order: stock for every line reserved or none, the order priced from the variants'
 * rows as they are under their locks, and the order, its lines, its first history entry and
 * its confirmation email's job written with the stock, in one statement (placeOrderWithStock).
 * With an Idempotency-Key, the response is recorded in the same transaction. Without a promo
 * code, the hoarding limits or an Idempotency-Key, that statement is the whole order, its own
 * transaction, so a best-seller's row is locked for one statement and its COMMIT. An order with
 * a promo code locks its variants first and prices them (the code's minimum and discount need
 * the subtotal), then redeems the code and writes the same statement with each line's share
 * of the discount: variants are always locked before promo codes, so two orders never wait on
 * each other in a cycle. The answer is built from what was written.
 */
export async function placeOrder(
  ctx: Ctx,
  orderer: Orderer,
  input: PlaceOrderInput,
  record?: RecordResponse,
): Promise<Order> {
  const email = await emailOf(ctx, orderer);
  const shippingAddress = await shippingAddressFor(ctx, orderer, input);
  if (!shippingAddress) throw new Error('the body schema requires an address or its id');
  const items = sumItems(input.items);
  const now = ctx.clock.now();
  const orderId = newId('ord', now.getTime());
  const placing: Placing = {
    ...input,
    shippingAddress,
    items,
    email,
    orderId,
    orderer,
    guestToken: isGuest(orderer) ? guestOrderToken(ctx.jwtSecret, orderId) : undefined,
    now,
  };
  if (!placing.promoCode && !needsTransaction(ctx, record)) {
    const order = await writeOrder(ctx, ctx.db, placing, undefined);
    // The statement has committed: the catalog cache hears of the stock before the answer.
    await stockChanged(ctx);
    return order;
  }
  return inTransaction(ctx.db, async (tx) => {
    await refuseHoarding(ctx, tx, orderer, items, now);
    const promo = placing.promoCode ? await redeemFor(ctx, tx, placing) : undefined;
    const order = await writeOrder(ctx, tx, placing, promo);
    afterCommit(tx, STOCK_CHANGED, () => stockChanged(ctx));
    await record?.(tx, 201, order);
    return order;
  });
}

/**
 * The email an order goes to: the account's (which must be verified first when
 * REQUIRE_VERIFIED_EMAIL is on), or the one a guest gave.
 */
async function emailOf(ctx: Ctx, orderer: Orderer): Promise<string> {
  if (isGuest(orderer)) return orderer.email;
  if (orderer.email !== undefined && !ctx.config.requireVerifiedEmail) return orderer.email;
  const customer = await getMe(ctx, orderer);
  if (ctx.config.requireVerifiedEmail && !customer.emailVerified) {
    throw new AppError('EMAIL_NOT_VERIFIED', 'Verify your email address before ordering');
  }
  return customer.email;
}

/** An order being placed: what the customer asked, and who, when and under which id. */
interface Placing extends PlaceOrderInput {
  shippingAddress: ShippingAddress;
  email: string;
  orderId: string;
  orderer: Orderer;
  /** A guest's order: the token that opens it (its hash is stored). */
  guestToken: string | undefined;
  now: Date;
}

/** The order's customer as the answer's viewer: the account, or the guest with its token. */
const callerOf = (placing: Placing): Caller =>
  isGuest(placing.orderer) ? { role: GUEST_ROLE, orderToken: placing.guestToken } : placing.orderer;

/** Who the order's first history entry and its ledger lines name. */
const placedBy = (orderer: Orderer) =>
  isGuest(orderer)
    ? { actorId: null, actorRole: GUEST_ROLE, ledgerActorId: GUEST_ACTOR }
    : { actorId: orderer.userId, actorRole: orderer.role, ledgerActorId: orderer.userId };

/**
 * The customer the per-customer limits count an order against (a promo code's uses, the
 * hoarding limits' lock): the account, or a guest's email.
 */
const customerKey = (orderer: Orderer) =>
  isGuest(orderer) ? guestCustomerKey(orderer.email) : orderer.userId;

/** A redeemed code's discount, spread over the lines (the shares sum to it). */
interface Discount {
  code: string;
  shares: Map<string, number>;
}

/**
 * Locks the order's variants (so the prices it is judged on are the prices it is written
 * with) and redeems the promo code for their subtotal, in the order's transaction.
 */
async function redeemFor(ctx: Ctx, tx: Tx, placing: Placing): Promise<Discount> {
  const variants = await lockForReservation(tx, placing.items);
  const lines = pricingLines(placing.items, variants);
  const promo = await redeemPromo(tx, {
    code: placing.promoCode!,
    userId: customerKey(placing.orderer),
    orderId: placing.orderId,
    subtotal: subtotalOf(lines),
    now: placing.now,
  });
  const priced = priceOrder(lines, promo.discount, shippingRule(ctx));
  return {
    code: promo.code,
    shares: new Map(priced.lines.map((line, i) => [itemKey(placing.items[i]!), line.discount])),
  };
}

/** Whether placing an order needs a transaction of its own beyond its one statement. */
const needsTransaction = (ctx: Ctx, record: RecordResponse | undefined) =>
  Boolean(record || ctx.config.maxUnpaidOrders || ctx.config.maxUnitsPerProduct);

/** The job placeholder's name in the placement statement. */
const CONFIRMATION_JOB_DATA = 'confirmation_job_data';

// The placement statement of each app's jobs and shipping rule (both fixed for an app's life).
const placementStatements = new WeakMap<object, { rule: string; statement: PreparedQuery }>();

/** The place-order statement of this app, built and serialised on its first order. */
function placementStatement(ctx: Ctx): PreparedQuery {
  const rule = shippingRule(ctx);
  const key = JSON.stringify(rule);
  const kept = placementStatements.get(ctx.jobs);
  if (kept?.rule === key) return kept.statement;
  const statement = repo.placementStatement(stockReservation(), rule, (when) =>
    ctx.jobs.insertSql('order-confirmation-email', sql.placeholder(CONFIRMATION_JOB_DATA), when),
  );
  placementStatements.set(ctx.jobs, { rule: key, statement });
  return statement;
}

/**
 * Writes the order with its stock (one statement), or throws why the stock was refused.
 * The confirmation job is written with the order: it becomes real with the order, or never.
 */
async function writeOrder(
  ctx: Ctx,
  executor: Executor,
  placing: Placing,
  discount: Discount | undefined,
): Promise<Order> {
  const { orderId, orderer, now, items } = placing;
  const placement = orderPlacement(ctx, placing, discount);
  const { locked, written } = await repo.placeOrderWithStock(executor, placementStatement(ctx), {
    ...reservationValues(items, { orderId, actorId: placedBy(orderer).ledgerActorId, now }),
    ...repo.placementValues(placement),
    [CONFIRMATION_JOB_DATA]: ctx.jobs.data('order-confirmation-email', { orderId }),
  });
  if (!written) {
    throw (
      (await reservationRefusal(executor, locked, items)) ??
      new Error(`order ${orderId}: stock refused, but every line was available under the lock`)
    );
  }
  // Each line's variant as the statement locked it: by its id, or its product's one variant.
  const variantOf = (line: repo.OrderPlacement['lines'][number]) =>
    locked.find((row) =>
      line.variantId === null ? row.productId === line.productId : row.id === line.variantId,
    )!;
  const row: repo.OrderRow = {
    ...placement.order,
    ...written,
    carrier: null,
    trackingNumber: null,
    paymentInProgress: false,
    restockedAt: null,
  };
  return toOrder(
    row,
    placement.lines.map((line) => {
      const variant = variantOf(line);
      const subtotal = variant.price * line.quantity;
      return {
        ...line,
        orderId,
        productId: variant.productId,
        variantId: variant.id,
        variantTitle: variant.title,
        sku: variant.sku,
        name: variant.name,
        unitPrice: variant.price,
        subtotal,
        total: subtotal - line.discount,
        restockedQuantity: 0,
      };
    }),
    [{ ...placement.first, seq: 0, orderId }],
    { caller: callerOf(placing), now },
    // The first entry's actor is the caller, named as a read of the order names them.
    isGuest(orderer) || orderer.name === undefined
      ? undefined
      : new Map([[orderer.userId, orderer.name.trim() || placing.email]]),
  );
}

/** The order, its lines and its first history entry, as placeOrderWithStock prices them. */
function orderPlacement(
  ctx: Ctx,
  placing: Placing,
  discount: Discount | undefined,
): repo.OrderPlacement {
  const { orderId, now, orderer, guestToken } = placing;
  const by = placedBy(orderer);
  return {
    order: {
      id: orderId,
      userId: orderer.userId ?? null,
      email: placing.email,
      guestTokenHash: guestToken === undefined ? null : guestTokenHash(guestToken),
      status: 'pending_payment',
      paymentStatus: 'unpaid',
      currency: ctx.config.currency,
      promoCode: discount?.code ?? null,
      shippingAddress: placing.shippingAddress,
      expiresAt: new Date(now.getTime() + ctx.config.orderPaymentTtlMs),
      createdAt: now,
      updatedAt: now,
    },
    lines: placing.items.map((item, position) => ({
      id: newId('oln', now.getTime()),
      position,
      variantId: item.variantId ?? null,
      productId: item.variantId === undefined ? (item.productId ?? null) : null,
      quantity: item.quantity,
      discount: discount?.shares.get(itemKey(item)) ?? 0,
    })),
    first: {
      fromStatus: null,
      toStatus: 'pending_payment',
      actorId: by.actorId,
      actorRole: by.actorRole,
      reason: 'order placed',
      createdAt: now,
    },
  };
}

/** The first key of the advisory lock that serialises one customer's order placements. */
const UNPAID_ORDERS_LOCK = 0x4f524452; // 'ORDR'

/**
 * Keeps one customer from holding a shop's stock in orders they never pay: at most
 * MAX_UNPAID_ORDERS orders awaiting payment, and at most MAX_UNITS_PER_PRODUCT units of one
 * variant across them (this order included). A guest is counted by their email, across the
 * guest orders that have joined no account. The customer's placements take turns on an
 * advisory lock held to the end of the transaction, so racing requests cannot all pass the
 * count. The lock is the transaction's first, before any product row, so it adds no deadlock.
 * An order past its `expiresAt` no longer counts: the expiry job is about to return its stock.
 */
async function refuseHoarding(
  ctx: Ctx,
  tx: Tx,
  orderer: Orderer,
  items: StockRequest[],
  now: Date,
): Promise<void> {
  const { maxUnpaidOrders, maxUnitsPerProduct } = ctx.config;
  if (!maxUnpaidOrders && !maxUnitsPerProduct) return;
  const theirs = isGuest(orderer)
    ? sql`user_id is null and email = ${orderer.email}`
    : sql`user_id = ${orderer.userId}`;
  await preparedRows(
    tx,
    sql`select pg_advisory_xact_lock(${UNPAID_ORDERS_LOCK}::int, hashtext(${customerKey(orderer)}))`,
  );
  // Both limits from one statement: the customer's unpaid orders, and the units of this
  // order's variants they hold (an item naming a product counts that product's lines: its
  // one variant's).
  const [held] = await preparedRows<{ unpaid: number; units: Record<string, number> }>(
    tx,
    sql`
    with unpaid as (
      select id from orders
       where ${theirs} and status = 'pending_payment' and expires_at > ${now}::timestamptz
    ), lines as (
      select line.variant_id, line.product_id, line.quantity
        from order_lines line join unpaid on unpaid.id = line.order_id
    )
    select (select count(*)::int from unpaid) as unpaid,
           coalesce((select json_object_agg(key, units) from (
             select variant_id as key, sum(quantity)::int as units from lines
              where variant_id = any(${sql.param(items.flatMap((i) => (i.variantId ? [i.variantId] : [])))}::text[])
              group by variant_id
             union all
             select product_id, sum(quantity)::int from lines
              where product_id = any(${sql.param(items.flatMap((i) => (i.variantId ? [] : [i.productId!])))}::text[])
              group by product_id) per_variant), '{}') as units`,
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
        ...(i.variantId === undefined ? { productId: i.productId } : { variantId: i.variantId }),
        requested: i.quantity,
        held: heldOf.get(itemKey(i)) ?? 0,
      }))
      .filter((i) => i.requested + i.held > maxUnitsPerProduct)
      .map((i) => ({ ...i, limit: maxUnitsPerProduct }));
    if (over.length > 0) {
      throw new AppError(
        'PRODUCT_UNIT_LIMIT',
        `At most ${maxUnitsPerProduct} units of one variant may wait for payment across your orders`,
        { details: over },
      );
    }
  }
}
