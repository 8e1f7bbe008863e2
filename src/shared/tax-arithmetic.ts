/**
 * Tax arithmetic over integer minor units. A rate is an integer of thousandths of a percent
 * (8.875 % = 8875, 20 % = 20000), so every rate with at most three decimals is exact.
 */

/** 100 %, in thousandths of a percent. */
export const TAX_RATE_WHOLE = 100_000;

/** A percentage with at most three decimals, as an integer rate (8.875 → 8875), converted once at the edge. */
export function percentToTaxRate(percent: number): number {
  const rate = Math.round(percent * 1000);
  if (Math.abs(rate - percent * 1000) > 1e-6) {
    throw new RangeError(`a tax rate has at most three decimals, got ${percent}`);
  }
  return rate;
}

/** The integer rate as the percentage people read (8875 → 8.875). */
export const taxRateToPercent = (rate: number): number => rate / 1000;

/**
 * The tax on `amount` at `rate`, rounded half-up on the minor unit. Net prices (`included`
 * false): amount × rate, the tax to add. Gross prices: the part of `amount` that is tax,
 * amount × rate / (1 + rate). BigInt: exact for every safe-integer amount.
 */
export function taxOn(amount: number, rate: number, included: boolean): number {
  if (!Number.isSafeInteger(amount) || amount < 0) {
    throw new RangeError(`money must be a non-negative integer of minor units, got ${amount}`);
  }
  if (!Number.isInteger(rate) || rate < 0) {
    throw new RangeError(`a tax rate must be a non-negative integer, got ${rate}`);
  }
  const a = BigInt(amount);
  const r = BigInt(rate);
  const whole = BigInt(TAX_RATE_WHOLE);
  if (!included) return Number((a * r + whole / 2n) / whole);
  const divisor = whole + r;
  return Number((2n * a * r + divisor) / (2n * divisor));
}

/**
 * The tax within a refund of `amount` from a payment that carried `tax` in its `total`, when
 * `refunded` of it (with `refundedTax` of tax) has gone back already: the tax of all refunded
 * so far, pro rata and rounded half-up, less what earlier refunds gave back, never below 0
 * nor above what is left. Refunds that together return the whole payment return its whole
 * tax, and the refunds' tax never adds up to more than was charged.
 */
export function refundTax(
  payment: { total: number; tax: number; refunded: number; refundedTax: number },
  amount: number,
): number {
  const { total, tax, refunded, refundedTax } = payment;
  if (total <= 0 || tax <= 0) return 0;
  const after = Math.min(total, refunded + amount);
  const taxAfter =
    after === total
      ? tax
      : Number((BigInt(tax) * BigInt(after) * 2n + BigInt(total)) / (2n * BigInt(total)));
  return Math.min(Math.max(0, taxAfter - refundedTax), Math.max(0, tax - refundedTax));
}
