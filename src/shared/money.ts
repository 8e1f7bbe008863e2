/**
 * Money is an integer number of minor units (cents for USD) everywhere in Ordo. These are the
 * only places that divide money, and each says how it rounds.
 */

/** Basis points in a whole: 100% = 10 000 bp. */
export const BASIS_POINTS = 10_000;

/**
 * `amount × bp / 10 000`, rounded half-up on the minor unit (half a cent rounds up).
 * BigInt arithmetic: exact for every safe-integer amount.
 */
export function percentOf(amount: number, basisPoints: number): number {
  assertMinor(amount);
  if (!Number.isInteger(basisPoints) || basisPoints < 0) {
    throw new RangeError(`basis points must be a non-negative integer, got ${basisPoints}`);
  }
  const whole = BigInt(BASIS_POINTS);
  return Number((BigInt(amount) * BigInt(basisPoints) + whole / 2n) / whole);
}

/**
 * Splits `total` over `weights` in proportion, by largest remainder: each share is the floor
 * of its exact part, and the units left over go to the largest fractional parts (ties to the
 * earlier weight). The shares always add up to `total` exactly.
 */
export function allocate(total: number, weights: readonly number[]): number[] {
  assertMinor(total);
  const sum = weights.reduce((a, b) => a + b, 0);
  if (weights.length === 0) return [];
  if (sum === 0) {
    if (total !== 0) throw new RangeError('cannot allocate a non-zero total over zero weights');
    return weights.map(() => 0);
  }
  // Exact in BigInt: share_i = total × w_i / sum, as quotient and remainder.
  const bigSum = BigInt(sum);
  const parts = weights.map((w, index) => {
    assertMinor(w);
    const numerator = BigInt(total) * BigInt(w);
    return { index, share: Number(numerator / bigSum), remainder: numerator % bigSum };
  });
  let left = total - parts.reduce((a, p) => a + p.share, 0);
  const byRemainder = [...parts].sort((a, b) =>
    a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1,
  );
  for (const part of byRemainder) {
    if (left === 0) break;
    part.share += 1;
    left -= 1;
  }
  return parts.map((p) => p.share);
}

function assertMinor(amount: number): void {
  if (!Number.isSafeInteger(amount) || amount < 0) {
    throw new RangeError(`money must be a non-negative integer of minor units, got ${amount}`);
  }
}

/** Formats minor units for people, in the shop currency (`1999`, `USD` → `$19.99`). */
export function formatMoney(amount: number, currency: string, locale = 'en-US'): string {
  const key = `${locale} ${currency}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    const format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    formatter = { format, digits: format.resolvedOptions().maximumFractionDigits ?? 2 };
    formatters.set(key, formatter);
  }
  return formatter.format.format(amount / 10 ** formatter.digits);
}

// One formatter per locale and currency (a shop has one or two): building an Intl.NumberFormat
// costs far more than formatting with it, and an email formats a dozen amounts.
const formatters = new Map<string, { format: Intl.NumberFormat; digits: number }>();

/** The number of minor-unit digits of a currency: 2 for USD and EUR, 0 for JPY, 3 for KWD. */
export function currencyDigits(currency: string): number {
  return (
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits ?? 2
  );
}

/** Minor units as a decimal string in the currency's own precision: 1234 USD → "12.34". */
export function decimalAmount(minor: number, currency: string): string {
  const digits = currencyDigits(currency);
  if (digits === 0) return String(minor);
  const scale = 10 ** digits;
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  return `${sign}${Math.floor(abs / scale)}.${String(abs % scale).padStart(digits, '0')}`;
}

/**
 * A non-negative amount written by a person in major units of `currency` ("12.50", "12.5",
 * "12" for USD; "1500" for JPY), as minor units; or why it is not one. Exact: digits are
 * read as text, never through a float, and more decimals than the currency has are refused
 * rather than rounded ("12.505" USD). No thousands separators, signs or currency symbols: in a
 * file they are ambiguous ("1,250" is 1250 or 1.25 depending on where it was written).
 */
export function parseDecimalAmount(
  text: string,
  currency: string,
): { minor: number } | { error: string } {
  const digits = currencyDigits(currency);
  const example = digits === 0 ? '1250' : `12.${'5'.padEnd(digits, '0')}`;
  const match = /^(\d+)(?:\.(\d*))?$/.exec(text.trim());
  if (!match) {
    return {
      error: `"${text}" is not an amount: write it in ${currency} with digits${digits > 0 ? ' and a dot for the decimals' : ''}, such as ${example} (no currency sign or thousands separator)`,
    };
  }
  const [, whole, fraction = ''] = match as unknown as [string, string, string | undefined];
  if (fraction.length > digits) {
    return {
      error:
        digits === 0
          ? `"${text}" has decimals, but ${currency} has none`
          : `"${text}" has more than ${digits} decimals, the most ${currency} has`,
    };
  }
  const minor = Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
  if (!Number.isSafeInteger(minor)) return { error: `"${text}" is too large` };
  return { minor };
}
