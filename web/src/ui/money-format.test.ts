import { describe, expect, it } from 'vitest';
import { formatMoney, toMajorUnits, toMinorUnits } from './money-format';

describe('money formatting', () => {
  it('formats minor units in the currency, with its own number of decimals', () => {
    expect(formatMoney(123456, 'USD', 'en-US')).toBe('$1,234.56');
    expect(formatMoney(5, 'USD', 'en-US')).toBe('$0.05');
    expect(formatMoney(0, 'EUR', 'de-DE')).toBe('0,00\u00a0€');
    expect(formatMoney(1500, 'JPY', 'en-US')).toBe('¥1,500');
    expect(formatMoney(1234, 'KWD', 'en-US')).toBe('KWD\u00a01.234');
  });

  it('converts between major and minor units by the currency', () => {
    expect(toMajorUnits(1999, 'USD')).toBe(19.99);
    expect(toMajorUnits(1999, 'JPY')).toBe(1999);
    expect(toMinorUnits(19.99, 'USD')).toBe(1999);
    expect(toMinorUnits(0.29, 'USD')).toBe(29); // 0.29 * 100 is 28.999… in floating point
    expect(toMinorUnits(1.005, 'USD')).toBe(101); // half-up
    expect(toMinorUnits(12, 'JPY')).toBe(12);
    expect(toMinorUnits('12.5', 'USD')).toBe(1250);
    expect(toMinorUnits('.994', 'USD')).toBe(99);
    expect(toMinorUnits('0.995', 'USD')).toBe(100);
  });
});
