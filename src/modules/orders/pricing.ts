import { sql, type SQL } from 'drizzle-orm';
import { allocate } from '../../shared/money.js';
import { TAX_RATE_WHOLE, taxOn } from '../../shared/tax-arithmetic.js';

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
  /** The tax on `total` (added to it, or the part of it that is tax: see TaxTerms.included). */
  tax: number;
  /** The rate `tax` was charged at, in thousandths of a percent. */
  taxRate: number;
}

export interface PricedOrder {
  lines: PricedLine[];
  subtotal: number;
  discount: number;
  shipping: number;
  /** The tax on shipping (within `tax`). */
  shippingTax: number;
  /** The lines' tax and shipping's. */
  tax: number;
  /** Whether prices (so `subtotal` and `shipping`) already include `tax`. */
  taxIncluded: boolean;
  /** subtotal − discount + shipping, + tax when prices are net. */
  total: number;
}

/**
 * The tax an order is charged: the rate of its lines and of its shipping (0 when the rate
 * does not apply to shipping), in thousandths of a percent (8.875 % = 8875), and whether
 * prices include it.
 */
export interface TaxTerms {
  rate: number;
  shippingRate: number;
  included: boolean;
}

export const NO_TAX: TaxTerms = { rate: 0, shippingRate: 0, included: false };

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
 * Prices an order. `discount` is clamped to [0, subtotal] and spread over the lines by
 * largest remainder in proportion to their subtotals, so the line shares add up to it exactly.
 * Tax is charged on each line's total after its share of the discount, and on shipping, each
 * rounded half-up on its own (taxOn); the order's tax is their sum.
 * total = subtotal − discount + shipping (+ tax when prices are net).
 */
export function priceOrder(
  lines: readonly PricingLine[],
  discount: number,
  shipping: ShippingRule,
  tax: TaxTerms = NO_TAX,
): PricedOrder {
  const subtotals = lines.map((line) => line.unitPrice * line.quantity);
  const subtotal = subtotals.reduce((a, b) => a + b, 0);
  const applied = Math.min(Math.max(0, discount), subtotal);
  const shares = allocate(applied, subtotals);
  const shippingAmount = shippingFor(subtotal - applied, shipping);
  const priced = lines.map((line, i) => {
    const total = subtotals[i]! - shares[i]!;
    return {
      ...line,
      subtotal: subtotals[i]!,
      discount: shares[i]!,
      total,
      tax: taxOn(total, tax.rate, tax.included),
      taxRate: tax.rate,
    };
  });
  const shippingTax = taxOn(shippingAmount, tax.shippingRate, tax.included);
  const taxSum = priced.reduce((sum, line) => sum + line.tax, shippingTax);
  return {
    lines: priced,
    subtotal,
    discount: applied,
    shipping: shippingAmount,
    shippingTax,
    tax: taxSum,
    taxIncluded: tax.included,
    total: subtotal - applied + shippingAmount + (tax.included ? 0 : taxSum),
  };
}

/**
 * taxOn as an SQL expression over bigint amounts and an integer rate (integer division
 * truncates, which is the floor for the non-negative amounts it is given), for the statement
 * that prices an order from the rows it locks. test/taxes.test.ts runs both over random
 * amounts and rates and finds them equal.
 */
export function taxSql(amount: SQL, rate: SQL, included: boolean): SQL {
  const whole = sql.raw(String(TAX_RATE_WHOLE));
  return included
    ? sql`((2 * (${amount})::int8 * (${rate})::int8 + ${whole} + (${rate})::int8) / (2 * (${whole} + (${rate})::int8)))`
    : sql`(((${amount})::int8 * (${rate})::int8 + ${whole} / 2) / ${whole})`;
}

/** A way an order may ship: its price and the discounted subtotal from which it is free. */
export interface ShippingChoice {
  id: string;
  name: string;
  price: number;
  freeOver: number | null;
}

/** A method as a quote offers it: the price this cart would be charged. */
export interface OfferedShipping {
  id: string;
  name: string;
  price: number;
}

/**
 * The methods offered for a cart whose subtotal after discount is `discountedSubtotal`, each
 * at the price it would charge, cheapest first (ties by id, in code-unit order, as the
 * placement statement's `collate "C"` orders them), so the first is the default.
 */
export function offerShipping(
  choices: readonly ShippingChoice[],
  discountedSubtotal: number,
): OfferedShipping[] {
  return choices
    .map((choice) => ({
      id: choice.id,
      name: choice.name,
      price: shippingFor(discountedSubtotal, {
        flatRate: choice.price,
        freeOver: choice.freeOver ?? undefined,
      }),
    }))
    .sort((a, b) => a.price - b.price || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
