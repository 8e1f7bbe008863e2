import { describe, expect, it } from 'vitest';
import { promoRefusalMessage } from './promo-messages';

describe('why a promo code does not apply', () => {
  it('says each refusal the quote names in words', () => {
    expect(promoRefusalMessage('PROMO_CODE_UNKNOWN')).toBe('there is no such promo code');
    expect(promoRefusalMessage('PROMO_CODE_EXPIRED')).toBe('this promo code has expired');
    expect(promoRefusalMessage('PROMO_CODE_CUSTOMER_LIMIT')).toBe(
      'you have already used this promo code',
    );
  });

  it('never shows a code it does not know, nor a missing reason, as the message', () => {
    expect(promoRefusalMessage('PROMO_CODE_SOMETHING_NEW')).toBe('it is not valid for this cart');
    expect(promoRefusalMessage(undefined)).toBe('it is not valid for this cart');
    expect(promoRefusalMessage('toString')).toBe('it is not valid for this cart');
  });
});
