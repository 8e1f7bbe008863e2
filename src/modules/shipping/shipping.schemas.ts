import { z } from 'zod';
import { pageQuery, queryBoolean } from '../../shared/pagination.js';
import { countryCode } from '../../shared/place-schemas.js';
import { money, moneyInput } from '../../shared/schemas.js';

const fields = {
  name: z.string().trim().min(1).max(100),
  countries: z
    .array(countryCode)
    .max(250)
    .optional()
    .describe('ISO 3166-1 alpha-2 codes it serves; empty or absent: every country'),
  price: moneyInput,
  freeOver: moneyInput
    .nullable()
    .optional()
    .describe('free when the subtotal after discount is at least this'),
  active: z.boolean().optional(),
};

export const shippingMethodBody = z.strictObject(fields);

export const shippingMethodPatchBody = z
  .strictObject(fields)
  .partial()
  .refine((body) => Object.keys(body).length > 0, 'at least one field is required');

export const shippingMethodSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    countries: z.array(z.string()),
    price: money,
    freeOver: money.nullable(),
    active: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'ShippingMethod' });

export const shippingMethodsQuery = z.strictObject({
  ...pageQuery,
  active: queryBoolean.optional(),
});

export type ShippingMethod = z.output<typeof shippingMethodSchema>;
export type ShippingMethodInput = z.output<typeof shippingMethodBody>;
