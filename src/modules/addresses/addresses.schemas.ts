import { z } from 'zod';
import { isCountryCode } from '../../shared/countries.js';
import { pageQuery } from '../../shared/pagination.js';
import { regionProblem } from '../../shared/regions.js';

const line = (max: number) => z.string().trim().min(1).max(max);

/**
 * The fields of a postal address and their rules, declared once: an order's shipping address
 * and an address book entry take the same, so a saved address is always one an order accepts.
 */
export const addressFields = {
  name: line(100),
  line1: line(200),
  line2: z.string().trim().max(200).optional(),
  city: line(100),
  region: z
    .string()
    .trim()
    .regex(/^[A-Za-z]{2}-[A-Za-z0-9]{1,3}$/, 'an ISO 3166-2 subdivision code, such as US-CA')
    .toUpperCase()
    .optional()
    .describe(
      "the state, province or other subdivision, as its ISO 3166-2 code (`US-CA`); it must be the country's",
    ),
  postalCode: line(20),
  // Upper-cased as a check, not a transform, so the OpenAPI document types it as a string.
  country: z
    .string()
    .trim()
    .regex(/^[A-Za-z]{2}$/, 'an ISO 3166-1 alpha-2 country code, such as US')
    .toUpperCase()
    // The pattern alone let XX, or a name cut to two letters ("Germany" as GE, Georgia), through.
    .refine(isCountryCode, 'not an assigned ISO 3166-1 alpha-2 country code'),
  phone: z
    .string()
    .trim()
    .max(30)
    .regex(/^\+?[0-9 ()./-]{4,30}$/, 'a phone number: digits, spaces and + ( ) . / - only')
    .optional()
    .describe('for the carrier, should it need to reach the recipient'),
};

const REGION_SHAPE = /^[A-Z]{2}-[A-Z0-9]{1,3}$/;

/** The region must be one of the country's (see shared/regions.ts), reported on `region`. */
export function checkRegion(
  address: { country?: string | undefined; region?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  if (address.region === undefined || address.country === undefined) return;
  // A value of the wrong shape is reported by the field's own pattern, once.
  if (!REGION_SHAPE.test(address.region)) return;
  const problem = regionProblem(address.country, address.region);
  if (problem) ctx.addIssue({ code: 'custom', path: ['region'], message: problem });
}

export const shippingAddressSchema = z
  .strictObject({
    name: addressFields.name,
    line1: addressFields.line1,
    line2: addressFields.line2,
    city: addressFields.city,
    region: addressFields.region,
    postalCode: addressFields.postalCode,
    country: addressFields.country,
    phone: addressFields.phone,
  })
  .superRefine(checkRegion)
  .meta({
    id: 'ShippingAddress',
    description: 'Where an order goes. The one declaration of its rules: forms read them here.',
  });

export const addressBody = z
  .strictObject({
    ...shippingAddressSchema.shape,
    isDefault: z
      .boolean()
      .optional()
      .describe(
        "make it the default address (the account's first address is the default whatever this says)",
      ),
  })
  .superRefine(checkRegion);

export const addressPatch = z
  .strictObject({
    name: addressFields.name.optional(),
    line1: addressFields.line1.optional(),
    // null clears an optional field.
    line2: addressFields.line2.nullable(),
    city: addressFields.city.optional(),
    region: addressFields.region.nullable(),
    postalCode: addressFields.postalCode.optional(),
    country: addressFields.country.optional(),
    phone: addressFields.phone.nullable(),
    isDefault: z
      .literal(true)
      .optional()
      .describe(
        'make it the default (the previous default stops being it); to change the default, make another address the default',
      ),
  })
  .superRefine((patch, ctx) =>
    checkRegion({ country: patch.country, region: patch.region ?? undefined }, ctx),
  );

export const addressSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    line1: z.string(),
    line2: z.string().optional(),
    city: z.string(),
    region: z.string().optional(),
    postalCode: z.string(),
    country: z.string(),
    phone: z.string().optional(),
    isDefault: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Address' });

export const addressesQuery = z.strictObject({ ...pageQuery });
