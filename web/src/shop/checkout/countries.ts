import { countryCodes, isCountryCode } from '../../../../src/shared/countries';

/**
 * The countries an order can ship to: every assigned ISO 3166-1 alpha-2 code, shown by its
 * name in the reader's language (Intl.DisplayNames), so a person picks "Germany" from a list
 * instead of typing a code ("Germany" typed as GE was Georgia, and was accepted). The codes are
 * the server's own list (src/shared/countries.ts), so the checkout offers exactly what it accepts.
 */
export { countryCodes, isCountryCode };

function regionNames(locale: string | undefined): Intl.DisplayNames {
  return new Intl.DisplayNames(locale === undefined ? undefined : [locale], {
    type: 'region',
    fallback: 'code',
  });
}

/** A country's name, or its code when the code is not one (an order placed before the list). */
export function countryName(code: string, locale?: string): string {
  return isCountryCode(code) ? (regionNames(locale).of(code) ?? code) : code;
}

export interface CountryOption {
  code: string;
  name: string;
}

/** Every country, by name in `locale`'s order, for a <select>. */
export function countryOptions(locale?: string): CountryOption[] {
  const names = regionNames(locale);
  const collator = new Intl.Collator(locale);
  return countryCodes
    .map((code) => ({ code, name: names.of(code) ?? code }))
    .sort((a, b) => collator.compare(a.name, b.name));
}
