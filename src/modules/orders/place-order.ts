import type { AppContext } from '../../app-context.js';
import { AppError } from '../../shared/errors.js';
import type { RecordResponse } from '../../shared/idempotency.js';
import { newId } from '../../shared/ids.js';
import { getMe, type Actor } from '../auth/auth.service.js';
import {
  getOrderableProducts,
  reserveStock,
  type OrderableProduct,
  type StockRequest,
} from '../catalog/catalog.service.js';
import * as repo from './order.repository.js';
import type { ShippingAddress } from './order.table.js';
import { hydrate, type Order } from './orders.service.js';
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
 * Places an order: stock for every line reserved or none, prices snapshot from the server,
 * the order, its lines and its first history entry written in one transaction. With an
 * Idempotency-Key, the response is recorded in that same transaction.
 */
export async function placeOrder(
  ctx: Ctx,
  actor: Actor,
  input: PlaceOrderInput,
  record?: RecordResponse,
): Promise<Order> {
  const customer = await getMe(ctx, actor);
  if (ctx.config.requireVerifiedEmail && !customer.emailVerified) {
    throw new AppError('EMAIL_NOT_VERIFIED', 'Verify your email address before ordering');
  }
  const items = sumItems(input.items);
  const now = ctx.clock.now();
  const orderId = newId('ord', now.getTime());

  return ctx.db.transaction(async (tx) => {
    const products = await reserveStock(tx, items, { orderId, actorId: actor.userId, now });
    const lines = pricingLines(items, products);
    const promo = input.promoCode
      ? await redeemPromo(tx, {
          code: input.promoCode,
          userId: actor.userId,
          orderId,
          subtotal: subtotalOf(lines),
          now,
        })
      : undefined;
    const priced = priceOrder(lines, promo?.discount ?? 0, shippingRule(ctx));

    const row = await repo.insertOrder(
      tx,
      {
        id: orderId,
        userId: actor.userId,
        email: customer.email,
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
      priced.lines.map((line, position) => ({
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
    );
    await repo.insertHistory(tx, {
      orderId,
      fromStatus: null,
      toStatus: 'pending_payment',
      actorId: actor.userId,
      actorRole: actor.role,
      reason: 'order placed',
      createdAt: now,
    });
    await ctx.jobs.enqueue(tx, 'order-confirmation-email', { orderId });
    const [order] = await hydrate(tx, [row]);
    await record?.(tx, 201, order);
    return order!;
  });
}
