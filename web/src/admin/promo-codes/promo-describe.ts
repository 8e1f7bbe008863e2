import { formatMoney } from '../../ui/money-format';
import type { PromoCode } from './promo-form';

/** "12.5% off (at most $20.00), from $50.00" or "$10.00 off". */
export function describePromo(
  promo: Pick<PromoCode, 'type' | 'amountOff' | 'percentOff' | 'maxDiscount' | 'minSubtotal'>,
  currency: string,
  locale?: string,
): string {
  const parts: string[] = [];
  if (promo.type === 'percentage') {
    parts.push(`${promo.percentOff ?? 0}% off`);
    if (promo.maxDiscount !== null) {
      parts.push(`(at most ${formatMoney(promo.maxDiscount, currency, locale)})`);
    }
  } else {
    parts.push(`${formatMoney(promo.amountOff ?? 0, currency, locale)} off`);
  }
  const text = parts.join(' ');
  return promo.minSubtotal !== null && promo.minSubtotal > 0
    ? `${text}, on ${formatMoney(promo.minSubtotal, currency, locale)} or more`
    : text;
}
