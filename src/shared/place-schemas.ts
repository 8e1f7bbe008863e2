import { z } from 'zod';
import { isCountryCode } from './countries.js';
import { regionProblem } from './regions.js';

/**
 * A country and a region of it, as tax rates, shipping methods and destinations name them.
 * Upper-cased as a check, not a transform, so the OpenAPI document types them as strings.
 */
export const countryCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{2}$/, 'an ISO 3166-1 alpha-2 country code, such as US')
  .toUpperCase()
  // The pattern alone let XX, or a name cut to two letters ("Germany" as GE, Georgia), through.
  .refine(isCountryCode, 'not an assigned ISO 3166-1 alpha-2 country code');

/** ISO 3166-2: the country's code, a hyphen, one to three letters or digits (`US-CA`). */
export const regionCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{2}-[A-Za-z0-9]{1,3}$/, 'an ISO 3166-2 region code, such as US-CA')
  .toUpperCase();

/**
 * Whether `region` (when given) is one of `country`'s: listed for it in shared/regions.ts (the
 * address book's and the checkout's list), or, for a country without a list, a code that
 * starts with the country's.
 */
export const regionOfCountry = (place: { country: string; region?: string | null | undefined }) =>
  place.region === undefined ||
  place.region === null ||
  regionProblem(place.country, place.region) === undefined;

export const REGION_MISMATCH =
  "the region must be one of the country's ISO 3166-2 subdivisions, such as US-CA for US";

/** The refinement's issue (a new object each time: zod takes the one it is given for its own). */
export const regionMismatch = () => ({ message: REGION_MISMATCH, path: ['region'] });

/** Where an order goes, as far as tax and shipping care: `{country, region?}`. */
export const destinationSchema = z
  .strictObject({ country: countryCode, region: regionCode.optional() })
  .refine(regionOfCountry, regionMismatch())
  .meta({ id: 'Destination' });
