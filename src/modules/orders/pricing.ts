import { sql, type SQL } from 'drizzle-orm';
import { allocate } from '../../shared/money.js';

/**
 * Order pricing as pure functions over integer minor units. The server is the only place a
 * price comes from; these functions are where its arithmetic lives, so they are tested alone.
 */

export interface PricingLine {
  productId: string;
  sku: string;
  name: string;
  unitPrice: number;
  quantity: number;
}

export interface PricedLine extends PricingLine {
  /** unitPrice × quantity */
  subtotal: number;
  /** This line's share of the order discount. */
  discount: number;
  /** subtotal − discount */
  total: number;
}

export interface PricedOrder {
  lines: PricedLine[];
  subtotal: number;
  discount: number;
  shipping: number;
  total: number;
}

export interface ShippingRule {
  /** Charged once per order. */
  flatRate: number;
  /** Orders whose discounted subtotal is at or above this ship free; undefined: never free. */
  freeOver?: number | undefined;
}

/** Shipping for a discounted subtotal: the flat rate, or nothing at or above the threshold. */
export function shippingFor(discountedSubtotal: number, rule: ShippingRule): number {
  if (rule.freeOver !== undefined && discountedSubtotal >= rule.freeOver) return 0;
  return rule.flatRate;
}

/**
 * shippingFor as an SQL expression, for the statement that prices an order from the product
 * rows it locks (order.repository.ts); `amount` makes a parameter of the money column's type.
 * Its text is the same with or without a threshold, so it stays one prepared statement.
 */
export function shippingSql(
  discountedSubtotal: SQL,
  rule: ShippingRule,
  amount: (value: number | null) => SQL,
): SQL {
  const freeOver = amount(rule.freeOver ?? null);
  return sql`case when ${freeOver} is not null and ${discountedSubtotal} >= ${freeOver}
                  then 0 else ${amount(rule.flatRate)} end`;
}

/**
 * Prices an order. `discount` is clamped to [0, subtotal] and spread over the lines by
 * largest remainder in proportion to their subtotals, so the line shares add up to it exactly.
 * total = subtotal − discount + shipping.
 */
export function priceOrder(
  lines: readonly PricingLine[],
  discount: number,
  shipping: ShippingRule,
): PricedOrder {
  const subtotals = lines.map((line) => line.unitPrice * line.quantity);
  const subtotal = subtotals.reduce((a, b) => a + b, 0);
  const applied = Math.min(Math.max(0, discount), subtotal);
  const shares = allocate(applied, subtotals);
  const shippingAmount = shippingFor(subtotal - applied, shipping);
  return {
    lines: lines.map((line, i) => ({
      ...line,
      subtotal: subtotals[i]!,
      discount: shares[i]!,
      total: subtotals[i]! - shares[i]!,
    })),
    subtotal,
    discount: applied,
    shipping: shippingAmount,
    total: subtotal - applied + shippingAmount,
  };
}
