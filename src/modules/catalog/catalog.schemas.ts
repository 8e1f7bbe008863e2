import { z } from 'zod';
import { pageQuery, queryBoolean } from '../../shared/pagination.js';
import { movementKinds } from './product.table.js';

/** Minor units; ten million major units is far above any single product's price. */
const money = z.number().int('must be an integer amount in minor units').min(0).max(1_000_000_000);
const quantity = z.number().int('must be a whole number').min(0).max(10_000_000);

export const productSchema = z
  .object({
    id: z.string(),
    sku: z.string(),
    name: z.string(),
    description: z.string(),
    price: z.number().int().describe('minor units of `currency`'),
    currency: z.string(),
    stock: z.number().int(),
    active: z.boolean(),
    imageUrl: z.string().nullable(),
    images: z.array(z.object({ url: z.string(), width: z.number(), height: z.number() })),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Product' });

export const adminProductSchema = productSchema
  .extend({ archivedAt: z.string().nullable() })
  .meta({ id: 'AdminProduct' });

export const productBody = z.strictObject({
  sku: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dot, dash and underscore only')
    .max(64),
  name: z.string().trim().min(1).max(200),
  description: z.string().max(5000).optional(),
  price: money,
  stock: quantity.optional(),
  active: z.boolean().optional(),
});

export const productPatchBody = productBody
  .partial()
  .refine((body) => Object.keys(body).length > 0, 'at least one field is required');

export const productSort = z.enum(['price', '-price', 'name', '-createdAt']).default('-createdAt');

const listFilters = {
  ...pageQuery,
  q: z.string().trim().max(200).optional(),
  minPrice: z.coerce.number().int().min(0).max(1_000_000_000).optional(),
  maxPrice: z.coerce.number().int().min(0).max(1_000_000_000).optional(),
  inStock: queryBoolean.optional(),
  sort: productSort,
};

export const catalogQuery = z.strictObject(listFilters);

export const adminProductQuery = z.strictObject({
  ...listFilters,
  active: queryBoolean.optional(),
  archived: queryBoolean.optional().describe('true lists archived products too'),
});

export const idParams = z.strictObject({ id: z.string().min(1).max(64) });

export const stockAdjustmentBody = z.strictObject({
  delta: z
    .number()
    .int('must be a whole number')
    .min(-10_000_000)
    .max(10_000_000)
    .refine((d) => d !== 0, 'must not be zero'),
  reason: z.string().trim().min(1).max(500),
});

export const stockMovementSchema = z
  .object({
    id: z.string(),
    productId: z.string(),
    kind: z.enum(movementKinds),
    delta: z.number().int(),
    stockAfter: z.number().int(),
    reason: z.string().nullable(),
    orderId: z.string().nullable(),
    actorId: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'StockMovement' });
