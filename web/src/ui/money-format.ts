/** Money is integer minor units until it is shown; these helpers only format, never compute prices. */

const formatters = new Map<string, Intl.NumberFormat>();

function formatter(currency: string, locale: string | undefined): Intl.NumberFormat {
  const key = `${locale ?? ''}|${currency}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    formatters.set(key, format);
  }
  return format;
}

/** Minor units → major units, by the currency's own number of decimals (JPY 0, USD 2, KWD 3). */
export function toMajorUnits(minor: number, currency: string): number {
  const digits = formatter(currency, 'en').resolvedOptions().maximumFractionDigits ?? 2;
  return minor / 10 ** digits;
}

/**
 * Major units (what a person types, e.g. "12.50") → minor units, rounded half-up on the minor
 * unit. Done on the decimal digits, not in binary floating point, where 1.005 × 100 is 100.4999….
 */
export function toMinorUnits(major: number | string, currency: string): number {
  const digits = formatter(currency, 'en').resolvedOptions().maximumFractionDigits ?? 2;
  const text = String(major).trim();
  const match = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match) return Math.round(Number(text) * 10 ** digits);
  const [, sign, whole = '', fraction = ''] = match;
  const kept = fraction.padEnd(digits, '0').slice(0, digits);
  const next = Number(fraction[digits] ?? '0');
  const minor = Number(whole + kept) + (next >= 5 ? 1 : 0);
  return sign ? -minor : minor;
}

export function formatMoney(minor: number, currency: string, locale?: string): string {
  return formatter(currency, locale).format(toMajorUnits(minor, currency));
}
