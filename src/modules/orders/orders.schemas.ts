import { z } from 'zod';
import { pageQuery } from '../../shared/pagination.js';
import { id, money } from '../../shared/schemas.js';
import { isoInstant } from '../../shared/time.js';
import { shippingAddressSchema } from '../addresses/addresses.schemas.js';
import { orderActions } from './order-access.js';
import { orderStatuses, paymentStatuses } from './order.table.js';

const item = z
  .strictObject({
    variantId: id.optional().describe('the variant ordered'),
    productId: id
      .optional()
      .describe(
        'instead of variantId, for a product without options (its one variant); a product with options is 422 VARIANT_REQUIRED',
      ),
    quantity: z.number().int('must be a whole number').min(1).max(1000),
  })
  .refine((i) => (i.variantId === undefined) !== (i.productId === undefined), {
    message: 'name either a variantId or a productId',
    path: ['variantId'],
  });

const promoCode = z.string().trim().min(1).max(64);

const shippingAddressId = id.describe(
  "instead of `shippingAddress`: one of the signed-in customer's saved addresses (`/api/v1/me/addresses`); another account's is 422 SHIPPING_ADDRESS_UNKNOWN, as an unknown one",
);

export const quoteBody = z.strictObject({
  items: z.array(item).min(1, 'at least one item').max(100),
  promoCode: promoCode.optional(),
  shippingAddressId: shippingAddressId.optional(),
});

export { shippingAddressSchema };

export const placeOrderBody = z
  .strictObject({
    ...quoteBody.shape,
    // Where the order goes (or `shippingAddressId`). No description here: the reference to the
    // ShippingAddress schema stays a bare $ref, which the forms read their rules through.
    shippingAddress: shippingAddressSchema.optional(),
    email: z
      .string()
      .trim()
      .max(254)
      .pipe(z.email())
      .optional()
      .describe(
        "a guest's email (required without a session, refused with one: an account's orders go to its email); the order's emails go there",
      ),
  })
  .superRefine((body, ctx) => {
    if ((body.shippingAddress === undefined) === (body.shippingAddressId === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['shippingAddress'],
        message: 'send either a shippingAddress or a shippingAddressId',
      });
    }
  });

const pricedLine = {
  productId: z.string(),
  variantId: z.string().describe('the variant ordered'),
  variantTitle: z
    .string()
    .describe("the variant's title when ordered, such as `M / Red`; empty without options"),
  sku: z.string(),
  name: z.string(),
  unitPrice: money,
  quantity: z.number().int(),
  subtotal: money,
  discount: money,
  total: money,
};

export const quoteSchema = z
  .object({
    lines: z.array(z.object({ ...pricedLine, available: z.number().int() })),
    subtotal: money,
    discount: money,
    shipping: money,
    total: money,
    currency: z.string(),
    promo: z
      .object({ code: z.string(), applied: z.boolean(), reason: z.string().optional() })
      .nullable(),
  })
  .meta({ id: 'Quote' });

export const orderSchema = z
  .object({
    id: z.string(),
    number: z.string().describe('human-readable, sequential'),
    status: z.enum(orderStatuses),
    paymentStatus: z.enum(paymentStatuses),
    customerId: z
      .string()
      .nullable()
      .describe("the customer's account; null for a guest's order that has joined no account"),
    guest: z
      .boolean()
      .describe(
        'placed without an account (guest checkout), whether or not it has joined one since',
      ),
    email: z.string(),
    lines: z.array(z.object(pricedLine)),
    subtotal: money,
    discount: money,
    shipping: money,
    total: money,
    currency: z.string(),
    promoCode: z.string().nullable(),
    // As it was stored: the input's rules are not checked again on the way out, so an order
    // placed before a rule tightened still reads.
    shippingAddress: z.object({
      name: z.string(),
      line1: z.string(),
      line2: z.string().optional(),
      city: z.string(),
      region: z.string().optional(),
      postalCode: z.string(),
      country: z.string(),
      phone: z.string().optional(),
    }),
    expiresAt: z.string(),
    carrier: z.string().nullable(),
    trackingNumber: z.string().nullable(),
    history: z.array(
      z.object({
        from: z.enum(orderStatuses).nullable(),
        to: z.enum(orderStatuses),
        actorId: z.string().nullable(),
        actorRole: z.string().nullable(),
        actorName: z
          .string()
          .nullable()
          .describe(
            "who acted, by name: the person's name (or email), 'System' for Ordo itself; a customer reads 'Shop staff' for the shop's people",
          ),
        reason: z
          .string()
          .nullable()
          .describe(
            "staff read the reason as written; the order's customer reads what happened in the shop's words (for example 'Refunded $10.00'), never staff's own text",
          ),
        at: z.string(),
      }),
    ),
    createdAt: z.string(),
    updatedAt: z.string(),
    allowedActions: z
      .array(z.enum(orderActions))
      .describe(
        'What the caller may do with this order now (pay and cancel are its customer’s; ship, deliver, cancel and refund are staff’s). An action listed succeeds when taken at once; one not listed is refused.',
      ),
  })
  .meta({ id: 'Order' });

/** What placing an order answers: the order, and a guest's its token, once. */
export const placedOrderSchema = orderSchema
  .extend({
    guestToken: z
      .string()
      .optional()
      .describe(
        "a guest's order only: the secret that opens this order (send it as `X-Order-Token`). Shown once here (and in the order's emails' links); Ordo keeps only its hash",
      ),
  })
  .meta({ id: 'PlacedOrder' });

/** The `X-Order-Token` request header: a guest order's token. */
export const orderTokenHeaders = z.object({
  'x-order-token': z
    .string()
    .max(200)
    .optional()
    .describe(
      "a guest order's token (from placing it, or its emails' links): opens that order without a session; a wrong one is 404",
    ),
});

export const ownOrdersQuery = z.strictObject({
  ...pageQuery,
  status: z.enum(orderStatuses).optional(),
});

export const adminOrdersQuery = z.strictObject({
  ...pageQuery,
  status: z.enum(orderStatuses).optional(),
  email: z.string().trim().min(1).max(254).optional(),
  from: isoInstant.optional().describe('created at or after (ISO 8601)'),
  to: isoInstant.optional().describe('created before (ISO 8601)'),
  promoCode: promoCode.optional(),
  number: z
    .string()
    .trim()
    .regex(/^#?\d{1,15}$/, 'must be an order number, such as 1042')
    .transform((n) => Number(n.replace('#', '')))
    .optional()
    .describe('the order number, exactly (a leading # is allowed: 1042 or #1042)'),
});

const text = (max: number) => z.string().trim().min(1).max(max);

// A cancel may come with no body at all (fastify then hands the route `null`).
export const cancelBody = z.strictObject({ reason: text(500).optional() }).nullish();

export const staffCancelBody = z
  .strictObject({ reason: text(500).optional(), restock: z.boolean().optional() })
  .nullish();

export const shipBody = z
  .strictObject({ carrier: text(100).optional(), trackingNumber: text(100).optional() })
  .nullish();

export const trackingBody = z.strictObject({ carrier: text(100), trackingNumber: text(100) });
