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

/** Major units (what a person types, e.g. "12.50") → minor units, rounded half-up. */
export function toMinorUnits(major: number, currency: string): number {
  const digits = formatter(currency, 'en').resolvedOptions().maximumFractionDigits ?? 2;
  return Math.round(major * 10 ** digits + Number.EPSILON);
}

export function formatMoney(minor: number, currency: string, locale?: string): string {
  return formatter(currency, locale).format(toMajorUnits(minor, currency));
}
