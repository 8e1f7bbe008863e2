import { z } from 'zod';
import { pageQuery } from '../../shared/pagination.js';
import {
  countryCode,
  regionCode,
  regionMismatch,
  regionOfCountry,
} from '../../shared/place-schemas.js';

const percent = z
  .number()
  .min(0)
  .max(100)
  .refine(
    (p) => Math.abs(Math.round(p * 1000) - p * 1000) < 1e-6,
    'a percentage with at most three decimals, such as 8.875',
  )
  .describe('percent, at most three decimals (8.875 for 8.875 %)');

const fields = {
  name: z.string().trim().min(1).max(100),
  country: countryCode,
  region: regionCode
    .nullable()
    .optional()
    .describe("ISO 3166-2, of the country (US-CA); none: the whole country's rate"),
  rate: percent,
  appliesToShipping: z
    .boolean()
    .optional()
    .describe('shipping is taxed at this rate too (default true)'),
};

export const taxRateBody = z.strictObject(fields).refine(regionOfCountry, regionMismatch());

export const taxRatePatchBody = z
  .strictObject(fields)
  .partial()
  .refine((body) => Object.keys(body).length > 0, 'at least one field is required');

export const taxRateSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    country: z.string(),
    region: z.string().nullable(),
    rate: z.number().describe('percent'),
    appliesToShipping: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'TaxRate' });

export const taxRatesQuery = z.strictObject({ ...pageQuery, country: countryCode.optional() });

export type TaxRate = z.output<typeof taxRateSchema>;
export type TaxRateInput = z.output<typeof taxRateBody>;
