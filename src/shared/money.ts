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
