import { describe, expect, it } from 'vitest';
import { countryCodes, countryName, countryOptions, isCountryCode } from './countries';

describe('the checkout’s countries', () => {
  it('lists every assigned ISO 3166-1 alpha-2 code once', () => {
    expect(countryCodes).toHaveLength(249);
    expect(new Set(countryCodes).size).toBe(249);
    for (const code of ['US', 'DE', 'GE', 'GB', 'JP', 'SS', 'AX']) {
      expect(isCountryCode(code)).toBe(true);
    }
  });

  it('refuses codes that are not assigned countries', () => {
    for (const code of ['XX', 'UK', 'EU', 'ZZ', 'XK', 'de', 'DEU', '']) {
      expect(isCountryCode(code)).toBe(false);
    }
  });

  it('names each country in the reader’s language, sorted by name', () => {
    const options = countryOptions('en');
    expect(options).toHaveLength(249);
    expect(options.find((o) => o.code === 'DE')?.name).toBe('Germany');
    expect(options.find((o) => o.code === 'GE')?.name).toBe('Georgia');
    const names = options.map((o) => o.name);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'en')));
    expect(countryOptions('de').find((o) => o.code === 'DE')?.name).toBe('Deutschland');
  });

  it('shows a stored code that is not on the list as it is', () => {
    expect(countryName('DE', 'en')).toBe('Germany');
    expect(countryName('XX', 'en')).toBe('XX');
  });
});
