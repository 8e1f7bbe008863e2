import { describe, expect, it } from 'vitest';
import { minorToInput, parseMoneyInput, parsePercentInput } from './money-input';

describe('money input', () => {
  it('reads major units into exact minor units', () => {
    expect(parseMoneyInput('12.50', 'USD')).toEqual({ ok: true, minor: 1250 });
    expect(parseMoneyInput('0.29', 'USD')).toEqual({ ok: true, minor: 29 });
    expect(parseMoneyInput('19.99', 'USD')).toEqual({ ok: true, minor: 1999 });
    expect(parseMoneyInput(' 7 ', 'USD')).toEqual({ ok: true, minor: 700 });
    expect(parseMoneyInput('.5', 'USD')).toEqual({ ok: true, minor: 50 });
    expect(parseMoneyInput('3.', 'USD')).toEqual({ ok: true, minor: 300 });
    expect(parseMoneyInput('1,234.56', 'USD')).toEqual({ ok: true, minor: 123456 });
    expect(parseMoneyInput('1500', 'JPY')).toEqual({ ok: true, minor: 1500 });
    expect(parseMoneyInput('1.234', 'KWD')).toEqual({ ok: true, minor: 1234 });
  });

  it('refuses more decimals than the currency has instead of rounding', () => {
    expect(parseMoneyInput('10.005', 'USD')).toMatchObject({ ok: false });
    expect(parseMoneyInput('10.5', 'JPY')).toMatchObject({
      ok: false,
      message: 'JPY amounts have no decimals',
    });
  });

  it('refuses text that is not an amount, zero and negative amounts', () => {
    for (const bad of ['', 'abc', '1.2.3', '-5', '1e3', '12,5', '1,23.00', '.']) {
      expect(parseMoneyInput(bad, 'USD')).toMatchObject({ ok: false });
    }
    expect(parseMoneyInput('0', 'USD')).toMatchObject({ ok: false });
    expect(parseMoneyInput('0', 'USD', { allowZero: true })).toEqual({ ok: true, minor: 0 });
    expect(parseMoneyInput('99999999999999', 'USD')).toMatchObject({ ok: false });
  });

  it('writes minor units back for editing', () => {
    expect(minorToInput(1250, 'USD')).toBe('12.50');
    expect(minorToInput(5, 'USD')).toBe('0.05');
    expect(minorToInput(0, 'USD')).toBe('0.00');
    expect(minorToInput(1500, 'JPY')).toBe('1500');
    for (const minor of [0, 1, 99, 100, 123456, 1999]) {
      expect(parseMoneyInput(minorToInput(minor, 'USD'), 'USD', { allowZero: true })).toEqual({
        ok: true,
        minor,
      });
    }
  });

  it('reads percentages with at most two decimals, above 0 and at most 100', () => {
    expect(parsePercentInput('12.5')).toEqual({ ok: true, percent: 12.5 });
    expect(parsePercentInput('10%')).toEqual({ ok: true, percent: 10 });
    expect(parsePercentInput('100')).toEqual({ ok: true, percent: 100 });
    expect(parsePercentInput('33.33')).toEqual({ ok: true, percent: 33.33 });
    for (const bad of ['', '0', '100.01', '12.345', 'x', '-5', '101']) {
      expect(parsePercentInput(bad)).toMatchObject({ ok: false });
    }
  });
});
