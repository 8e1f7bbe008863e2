import { countryRegions, regionOptions, regionProblem } from '../../../../src/shared/regions';

/**
 * A country's regions (states, provinces), as the server lists them (src/shared/regions.ts),
 * so the checkout offers exactly the codes it accepts. A country without a list has no region
 * field: its addresses are delivered without one.
 */
export { regionOptions, regionProblem };

export const hasRegions = (country: string): boolean => Object.hasOwn(countryRegions, country);

/** What a country calls its regions, for the field's label. */
export function regionLabel(country: string): string {
  switch (country) {
    case 'US':
      return 'State';
    case 'CA':
      return 'Province or territory';
    default:
      return 'Region';
  }
}

/** A region's name (`US-CA` → California), or its code when the list does not have it. */
export function regionName(code: string): string {
  const country = code.slice(0, 2);
  return countryRegions[country]?.[code] ?? code;
}
