/**
 * What a person types as an amount (major units, "12.50") → integer minor units, exactly: the
 * digits are read as text, never through binary floating point, and an amount with more
 * decimals than the currency has is refused rather than rounded (a refund of "10.005" is a
 * typing mistake, not a request for 10.01).
 */

const digitsCache = new Map<string, number>();

/** The currency's number of minor-unit digits: USD 2, JPY 0, KWD 3. */
export function currencyDigits(currency: string): number {
  let digits = digitsCache.get(currency);
  if (digits === undefined) {
    digits =
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
        .maximumFractionDigits ?? 2;
    digitsCache.set(currency, digits);
  }
  return digits;
}

export type MoneyParse = { ok: true; minor: number } | { ok: false; message: string };

const MAX_MINOR = 1_000_000_000_000;

export function parseMoneyInput(
  input: string,
  currency: string,
  { allowZero = false }: { allowZero?: boolean } = {},
): MoneyParse {
  const text = input.trim().replace(/\s/g, '');
  if (text === '') return { ok: false, message: 'Enter an amount' };
  // Thousands separators are accepted only where they belong ("1,234.50").
  const plain = /^\d{1,3}(,\d{3})+(\.\d*)?$/.test(text) ? text.replace(/,/g, '') : text;
  const match = /^(\d*)(?:\.(\d*))?$/.exec(plain);
  if (!match || (match[1] === '' && (match[2] ?? '') === '')) {
    return { ok: false, message: 'Enter an amount such as 12.50' };
  }
  const digits = currencyDigits(currency);
  const whole = match[1] ?? '';
  const fraction = match[2] ?? '';
  if (fraction.length > digits) {
    return {
      ok: false,
      message:
        digits === 0
          ? `${currency} amounts have no decimals`
          : `${currency} amounts have at most ${digits} decimals`,
    };
  }
  const minor = Number((whole || '0') + fraction.padEnd(digits, '0'));
  if (!Number.isSafeInteger(minor) || minor > MAX_MINOR) {
    return { ok: false, message: 'That amount is too large' };
  }
  if (minor === 0 && !allowZero) return { ok: false, message: 'Enter an amount above zero' };
  return { ok: true, minor };
}

/** Minor units → the text an input shows for editing ("12.50"), without grouping. */
export function minorToInput(minor: number, currency: string): string {
  const digits = currencyDigits(currency);
  if (digits === 0) return String(minor);
  const sign = minor < 0 ? '-' : '';
  const text = String(Math.abs(minor)).padStart(digits + 1, '0');
  return `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

export type PercentParse = { ok: true; percent: number } | { ok: false; message: string };

/** A percentage as the promotions API takes it: 0–100 with at most two decimals ("12.5"). */
export function parsePercentInput(input: string): PercentParse {
  const text = input.trim().replace(/%$/, '').trim();
  const match = /^(\d{1,3})(?:\.(\d{0,2}))?$/.exec(text);
  if (!match)
    return { ok: false, message: 'Enter a percentage such as 12.5 (two decimals at most)' };
  const percent = Number(`${match[1]}.${match[2] ?? ''}0`);
  if (percent <= 0 || percent > 100) {
    return { ok: false, message: 'Enter a percentage above 0 and at most 100' };
  }
  return { ok: true, percent };
}
