import { z } from 'zod';
import { pageQuery, queryBoolean } from '../../shared/pagination.js';
import { moneyInput } from '../../shared/schemas.js';
import { isoInstant } from '../../shared/time.js';
import { promoTypes } from './promo-code.table.js';

const count = z.number().int('must be a whole number').min(1).max(100_000_000);
const time = isoInstant;

const promoFields = {
  code: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'letters, digits, dash and underscore only')
    .max(64),
  type: z.enum(promoTypes),
  amountOff: moneyInput.nullable().optional().describe('fixed codes: minor units off'),
  percentOff: z
    .number()
    .min(0)
    .max(100)
    .nullable()
    .optional()
    .describe('percentage codes: 0–100, at most two decimals'),
  maxDiscount: moneyInput.nullable().optional().describe('percentage codes: cap in minor units'),
  minSubtotal: moneyInput.nullable().optional(),
  startsAt: time.nullable().optional(),
  endsAt: time.nullable().optional().describe('exclusive'),
  usageLimit: count.nullable().optional(),
  perCustomerLimit: count.nullable().optional(),
  active: z.boolean().optional(),
};

export const promoBody = z.strictObject(promoFields);
export const promoPatchBody = z
  .strictObject(promoFields)
  .partial()
  .refine((body) => Object.keys(body).length > 0, 'at least one field is required');

export const promoSchema = z
  .object({
    id: z.string(),
    code: z.string(),
    type: z.enum(promoTypes),
    amountOff: z.number().int().nullable(),
    percentOff: z.number().nullable(),
    maxDiscount: z.number().int().nullable(),
    minSubtotal: z.number().int().nullable(),
    startsAt: z.string().nullable(),
    endsAt: z.string().nullable(),
    usageLimit: z.number().int().nullable(),
    perCustomerLimit: z.number().int().nullable(),
    active: z.boolean(),
    timesUsed: z.number().int().describe('live uses: orders not cancelled or expired'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'PromoCode' });

export const redemptionSchema = z.object({
  orderId: z.string(),
  userId: z.string(),
  discount: z.number().int(),
  redeemedAt: z.string(),
  releasedAt: z.string().nullable(),
});

export const promoListQuery = z.strictObject({
  ...pageQuery,
  q: z.string().trim().max(64).optional(),
  active: queryBoolean.optional(),
});

export const redemptionsQuery = z.strictObject(pageQuery);

export type PromoCode = z.output<typeof promoSchema>;
export type PromoInput = z.output<typeof promoBody>;
export type Redemption = z.output<typeof redemptionSchema>;
