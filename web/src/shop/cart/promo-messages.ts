/**
 * Why a promo code does not apply, in words. The quote names the refusal by its error code
 * (PROMO_CODE_EXPIRED, ...), which a customer must never read; the sentences are the ones the
 * server sends as `detail` when placing the order is refused for the same reason.
 */
const refusals: Record<string, string> = {
  PROMO_CODE_UNKNOWN: 'there is no such promo code',
  PROMO_CODE_INACTIVE: 'this promo code is not active',
  PROMO_CODE_NOT_STARTED: 'this promo code is not valid yet',
  PROMO_CODE_EXPIRED: 'this promo code has expired',
  PROMO_CODE_MIN_SUBTOTAL: 'the order is below the minimum for this promo code',
  PROMO_CODE_USAGE_LIMIT: 'this promo code has been used up',
  PROMO_CODE_CUSTOMER_LIMIT: 'you have already used this promo code',
};

const fallback = 'it is not valid for this cart';

/** The reason as a clause ("this promo code has expired"); a code it does not know reads as the fallback, never as itself. */
export function promoRefusalMessage(reason: string | undefined): string {
  return reason && Object.hasOwn(refusals, reason) ? refusals[reason]! : fallback;
}
