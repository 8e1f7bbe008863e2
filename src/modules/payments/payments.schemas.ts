import { z } from 'zod';
import { money } from '../../shared/schemas.js';
import { paymentRecordStatuses } from './payment.table.js';

export const paymentSchema = z
  .object({
    id: z.string(),
    orderId: z.string(),
    status: z.enum(paymentRecordStatuses),
    amount: money,
    refundedAmount: money,
    currency: z.string(),
    failureCode: z.string().optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Payment' });

export type Payment = z.output<typeof paymentSchema>;

export const payBody = z.strictObject({
  paymentMethod: z
    .string()
    .trim()
    .regex(/^pm_\w+$/, 'a payment method id')
    .max(100),
});

export const checkoutSessionSchema = z
  .object({
    url: z
      .string()
      .describe(
        "The provider's hosted payment page (its origin, never Ordo's): send the browser there",
      ),
    expiresAt: z.string().describe('When the page stops taking payment'),
  })
  .meta({ id: 'CheckoutSession' });

export type CheckoutSessionAnswer = z.output<typeof checkoutSessionSchema>;

export const webhookParams = z.strictObject({ provider: z.string().max(32) });

const text = (max: number) => z.string().trim().min(1).max(max);

// A refund may come with no body at all (fastify then hands the route `null`): all of it.
export const refundBody = z
  .strictObject({
    // An order's total can pass a price's cap (many lines), so a refund's cap is higher.
    amount: z
      .number()
      .int('must be an integer amount in minor units')
      .min(1)
      .max(1_000_000_000_000)
      .optional(),
    restock: z
      .union([
        z.boolean(),
        z
          .array(
            z
              .strictObject({
                variantId: z.string().min(1).max(64).optional(),
                productId: z
                  .string()
                  .min(1)
                  .max(64)
                  .optional()
                  .describe('instead of variantId, for a product the order has one variant of'),
                quantity: z.number().int().min(1).max(1_000_000),
              })
              .refine((line) => line.variantId ?? line.productId, {
                message: 'name a variantId (or a productId)',
                path: ['variantId'],
              }),
          )
          .max(1000),
      ])
      .optional()
      .describe(
        'Units back to stock: a list of {variantId, quantity} ({productId, quantity} for a product the order has one variant of, else 422 VARIANT_REQUIRED; at most what the order still holds of each variant: ordered, less units already restocked or chosen by a refund still pending; 422 RESTOCK_EXCEEDS_ORDER otherwise), false for none, or true for every unit the order still holds (only with a refund of everything left). Unsaid: every unit when the refund is of everything left and the order has not shipped, none otherwise.',
      ),
    reason: text(500).optional(),
  })
  .nullish();
