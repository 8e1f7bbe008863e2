import { z } from 'zod';
import { id } from '../../shared/schemas.js';
import { MAX_SLUG_LENGTH, SLUG_PATTERN } from './category-tree.js';

/** A category as a product lists it. */
export const categoryRefSchema = z
  .object({ id: z.string(), slug: z.string(), name: z.string() })
  .meta({ id: 'CategoryRef' });

/** The public tree: each category with its children, in display order. */
export const categoryNodeSchema = z
  .object({
    id: z.string(),
    slug: z.string().describe('stable: the catalog filters by it (`/api/v1/products?category=`)'),
    name: z.string(),
    parentId: z.string().nullable().describe('null for a top-level category'),
    get children(): z.ZodArray<typeof categoryNodeSchema> {
      return z.array(categoryNodeSchema).describe('subcategories, in display order');
    },
  })
  .meta({ id: 'CategoryNode' });

export const categoryTreeSchema = z
  .array(categoryNodeSchema)
  .describe('top-level categories in display order, each with its subcategories to any depth');

export const adminCategorySchema = z
  .object({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    parentId: z.string().nullable(),
    position: z
      .number()
      .int()
      .describe('order among siblings, lowest first (ties: creation order)'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'AdminCategory' });

export const adminCategoryNodeSchema = adminCategorySchema
  .extend({
    productCount: z
      .number()
      .int()
      .describe('products (not archived) in this category itself, not counting subcategories'),
    get children(): z.ZodArray<typeof adminCategoryNodeSchema> {
      return z.array(adminCategoryNodeSchema);
    },
  })
  .meta({ id: 'AdminCategoryNode' });

const name = z.string().trim().min(1).max(100);
const slug = z
  .string()
  .trim()
  .max(MAX_SLUG_LENGTH)
  .regex(
    SLUG_PATTERN,
    'lowercase letters and digits in words joined by single dashes, like `tea-cups`',
  );

export const categoryBody = z.strictObject({
  name,
  slug: slug
    .optional()
    .describe('made from the name when left out (a number added if it is taken)'),
  parentId: id.nullable().optional().describe('the parent category; null or left out: top level'),
  position: z
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .optional()
    .describe('order among siblings; left out: after the last'),
});

export const categoryPatchBody = z
  .strictObject({
    name: name.optional().describe('a rename never changes the slug'),
    slug: slug.optional(),
    parentId: id
      .nullable()
      .optional()
      .describe('move under this category (null: to the top level), after its last child'),
    position: z.number().int().min(0).max(1_000_000).optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'at least one field is required');

export const productCategoryIds = z
  .array(id)
  .max(100)
  .describe("the product's categories, replacing the ones it had (an empty list: none)");
