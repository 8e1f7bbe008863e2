import { percentOf } from '../../shared/money.js';

/**
 * Promo code rules as pure functions: whether a code applies to a cart, and how much it takes
 * off. The service feeds them the code, the cart's subtotal, the time and the usage counts.
 */

export interface PromoRule {
  type: 'fixed' | 'percentage';
  amountOff: number | null;
  percentOffBp: number | null;
  maxDiscount: number | null;
  minSubtotal: number | null;
  startsAt: Date | null;
  endsAt: Date | null;
  usageLimit: number | null;
  perCustomerLimit: number | null;
  active: boolean;
  timesUsed: number;
}

export type PromoRefusal =
  | 'PROMO_CODE_INACTIVE'
  | 'PROMO_CODE_NOT_STARTED'
  | 'PROMO_CODE_EXPIRED'
  | 'PROMO_CODE_MIN_SUBTOTAL'
  | 'PROMO_CODE_USAGE_LIMIT'
  | 'PROMO_CODE_CUSTOMER_LIMIT';

export type PromoVerdict =
  { applies: true; discount: number } | { applies: false; reason: PromoRefusal };

/**
 * The discount a code gives on `subtotal`: a fixed amount, or a percentage rounded half-up on
 * the minor unit and capped at `maxDiscount`; never more than the subtotal, never negative.
 */
export function discountFor(rule: PromoRule, subtotal: number): number {
  const raw =
    rule.type === 'fixed'
      ? (rule.amountOff ?? 0)
      : Math.min(
          percentOf(subtotal, rule.percentOffBp ?? 0),
          rule.maxDiscount ?? Number.MAX_SAFE_INTEGER,
        );
  return Math.max(0, Math.min(raw, subtotal));
}

/**
 * Whether a code applies, checked in a fixed order so the reason is predictable: inactive,
 * not started, expired (`endsAt` is exclusive), minimum subtotal, global usage, per customer.
 */
export function evaluatePromo(
  rule: PromoRule,
  cart: { subtotal: number; now: Date; usedByCustomer: number },
): PromoVerdict {
  if (!rule.active) return { applies: false, reason: 'PROMO_CODE_INACTIVE' };
  if (rule.startsAt && cart.now < rule.startsAt)
    return { applies: false, reason: 'PROMO_CODE_NOT_STARTED' };
  if (rule.endsAt && cart.now >= rule.endsAt)
    return { applies: false, reason: 'PROMO_CODE_EXPIRED' };
  if (rule.minSubtotal !== null && cart.subtotal < rule.minSubtotal) {
    return { applies: false, reason: 'PROMO_CODE_MIN_SUBTOTAL' };
  }
  if (rule.usageLimit !== null && rule.timesUsed >= rule.usageLimit) {
    return { applies: false, reason: 'PROMO_CODE_USAGE_LIMIT' };
  }
  if (rule.perCustomerLimit !== null && cart.usedByCustomer >= rule.perCustomerLimit) {
    return { applies: false, reason: 'PROMO_CODE_CUSTOMER_LIMIT' };
  }
  return { applies: true, discount: discountFor(rule, cart.subtotal) };
}

/** 12.5 (percent, at most two decimals) → 1250 basis points; undefined when it has more decimals. */
export function percentToBasisPoints(percent: number): number | undefined {
  const bp = Math.round(percent * 100);
  // Exact: 12.5 and 0.29 come back as themselves; 12.345 or 12.000000001 do not.
  return bp / 100 === percent ? bp : undefined;
}

export const basisPointsToPercent = (bp: number) => bp / 100;
