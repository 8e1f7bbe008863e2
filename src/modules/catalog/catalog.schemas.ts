import { z } from 'zod';
import { pageQuery, queryBoolean } from '../../shared/pagination.js';
import { id, moneyInput } from '../../shared/schemas.js';
import { categoryRefSchema, productCategoryIds } from './categories.schemas.js';
import { movementKinds } from './product.table.js';

/** The most stock a request (or an import row) may set or open a variant with. */
export const MAX_STOCK_INPUT = 10_000_000;
/** The most values an option may have, and variants a product. */
export const MAX_OPTION_VALUES = 100;
export const MAX_VARIANTS = 1000;

const quantity = z.number().int('must be a whole number').min(0).max(MAX_STOCK_INPUT);

const imageVariantSchema = z.object({
  url: z.string().describe('content-hash URL, immutable: `/images/{hash}-{width}.webp`'),
  width: z.number().int(),
  height: z.number().int(),
});

export const productImageSchema = imageVariantSchema
  .extend({
    id: z.string(),
    position: z.number().int().describe('display order, lowest first'),
    variants: z
      .array(imageVariantSchema)
      .describe('every WebP rendition, narrowest first (320, 640, 1280 px wide; never enlarged)'),
  })
  .describe('`url`, `width` and `height` are the widest variant')
  .meta({ id: 'ProductImage' });

export const productOptionSchema = z
  .object({
    name: z.string().describe('such as `Size`'),
    values: z.array(z.string()).describe('in display order, such as `["S", "M", "L"]`'),
  })
  .meta({ id: 'ProductOption' });

export const variantSchema = z
  .object({
    id: z.string(),
    productId: z.string(),
    sku: z.string(),
    title: z
      .string()
      .describe(
        "the option values in the options' order, such as `M / Red`; empty without options",
      ),
    options: z
      .record(z.string(), z.string())
      .describe('one value of each of the product\'s options, such as `{"Size": "M"}`'),
    price: z.number().int().describe('minor units of the shop currency'),
    stock: z.number().int(),
    active: z.boolean(),
    imageId: z
      .string()
      .optional()
      .describe("one of the product's images, when the variant has one"),
    position: z.number().int().describe('display order within the product, lowest first'),
  })
  .meta({ id: 'Variant' });

export const productSchema = z
  .object({
    id: z.string(),
    sku: z.string().describe("the product's own SKU: without options, its one variant's"),
    name: z.string(),
    description: z.string(),
    price: z
      .number()
      .int()
      .describe('minor units of `currency`: the lowest price of its active variants'),
    currency: z.string(),
    stock: z.number().int().describe("the sum of its variants' stock"),
    active: z.boolean(),
    options: z
      .array(productOptionSchema)
      .describe('0 to 3; none means the product has exactly one variant'),
    variants: z.array(variantSchema).describe('in display order'),
    imageUrl: z
      .string()
      .nullable()
      .describe('the first image at list width (up to 640 px), or null without images'),
    images: z.array(productImageSchema).describe('uploaded images in display order'),
    categories: z.array(categoryRefSchema).describe("the product's categories, by name"),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Product' });

export const adminProductSchema = productSchema
  .extend({ archivedAt: z.string().nullable() })
  .meta({ id: 'AdminProduct' });

export const skuInput = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dot, dash and underscore only')
  .max(64);
const sku = skuInput;

export const productNameInput = z.string().trim().min(1).max(200);
export const descriptionInput = z.string().max(5000);

const productFields = {
  sku,
  name: productNameInput,
  description: descriptionInput.optional(),
  price: moneyInput,
  stock: quantity.optional(),
  active: z.boolean().optional(),
  categoryIds: productCategoryIds.optional(),
};

export const optionText = z.string().trim().min(1).max(100);

const optionInput = z.strictObject({
  name: optionText,
  values: z.array(optionText).min(1, 'at least one value').max(MAX_OPTION_VALUES),
});

const variantOptionsInput = z
  .record(optionText, optionText)
  .describe("one value of each of the product's options, by option name");

export const variantBody = z.strictObject({
  sku,
  options: variantOptionsInput,
  price: moneyInput,
  stock: quantity.optional().describe('opening stock, entered in the ledger (default 0)'),
  active: z.boolean().optional(),
});

export const productBody = z
  .strictObject({
    ...productFields,
    sku: sku
      .optional()
      .describe("required without `variants`; with them, default the first variant's"),
    price: moneyInput
      .optional()
      .describe('required without `variants`; with them the product price is their lowest'),
    stock: quantity.optional().describe('without `variants` only: the opening stock'),
    options: z
      .array(optionInput)
      .max(3, 'at most 3 options')
      .optional()
      .describe('0 to 3 options, such as `{name: "Size", values: ["S", "M"]}`'),
    variants: z
      .array(variantBody)
      .min(1)
      .max(MAX_VARIANTS)
      .optional()
      .describe('the combinations sold, each at most once; required with `options`'),
  })
  .superRefine((body, check) => {
    if (body.variants) return;
    for (const field of ['sku', 'price'] as const) {
      if (body[field] === undefined) {
        check.addIssue({ code: 'custom', path: [field], message: 'is required without variants' });
      }
    }
  });

export const productPatchBody = z
  .strictObject(productFields)
  .partial()
  .refine((body) => Object.keys(body).length > 0, 'at least one field is required');

export const variantPatchBody = z
  .strictObject({
    sku: sku.optional(),
    price: moneyInput.optional(),
    active: z.boolean().optional(),
    imageId: z
      .string()
      .min(1)
      .max(64)
      .nullable()
      .optional()
      .describe("one of the product's images, or null for none"),
  })
  .refine((body) => Object.keys(body).length > 0, 'at least one field is required');

export const productSort = z.enum(['price', '-price', 'name', '-createdAt']).default('-createdAt');

/** The most `option` filters one list takes. */
export const MAX_OPTION_FILTERS = 20;

/**
 * One `option` filter, `Name:Value` (split at the first colon, so a value may hold colons; an
 * option name with a colon cannot be named), each part trimmed, as the product's options name
 * them (case matters).
 */
const optionFilter = z
  .string()
  .max(201)
  .transform((text, check) => {
    const colon = text.indexOf(':');
    const name = colon < 0 ? '' : text.slice(0, colon).trim();
    const value = colon < 0 ? '' : text.slice(colon + 1).trim();
    if (!name || !value || name.length > 100 || value.length > 100) {
      check.addIssue({
        code: 'custom',
        message: 'must be an option name and one of its values, such as Size:M',
      });
      return z.NEVER;
    }
    return { name, value };
  });

/** A repeatable query parameter: one value is a string, several an array. */
const optionFilters = z
  .union(
    [
      z
        .array(z.string().max(201))
        .max(MAX_OPTION_FILTERS, `at most ${MAX_OPTION_FILTERS} option filters`),
      z.string().max(201),
    ],
    { error: `at most ${MAX_OPTION_FILTERS} filters, each Name:Value such as Size:M` },
  )
  .transform((given) => (Array.isArray(given) ? given : [given]))
  .pipe(
    z.array(optionFilter).max(MAX_OPTION_FILTERS, `at most ${MAX_OPTION_FILTERS} option filters`),
  )
  .describe(
    'repeatable, `Name:Value` such as `option=Size:M`: products with an active variant that has ' +
      'the value (with several values of one option, any of them; several options, all of them, ' +
      'on the same variant; with `inStock=true`, that variant has stock). Names and values are ' +
      'matched exactly, as `GET /api/v1/product-options` lists them',
  );

/** The option filters of a list, grouped: each option's name with the values any of which match. */
export type OptionFilter = { name: string; values: string[] }[];

export function groupOptionFilters(
  filters: readonly { name: string; value: string }[],
): OptionFilter {
  const byName = new Map<string, string[]>();
  for (const { name, value } of filters) {
    const values = byName.get(name) ?? [];
    if (!values.includes(value)) values.push(value);
    byName.set(name, values);
  }
  return [...byName.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, values]) => ({ name, values: values.sort() }));
}

const listFilters = {
  ...pageQuery,
  q: z.string().trim().max(200).optional(),
  minPrice: z.coerce.number().int().min(0).max(1_000_000_000).optional(),
  maxPrice: z.coerce.number().int().min(0).max(1_000_000_000).optional(),
  inStock: queryBoolean.optional(),
  category: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .describe(
      'a category slug: products in it or in any category below it, each once; an unknown slug lists nothing',
    ),
  option: optionFilters.optional(),
  sort: productSort,
};

export const catalogQuery = z.strictObject(listFilters);

export const productOptionsQuery = z.strictObject({
  category: listFilters.category,
});

/** The facets of the catalog: the options its products sell, each with the values sold. */
export const catalogOptionsSchema = z
  .array(productOptionSchema)
  .describe(
    'each option name the listed products have, with the values some active variant of an active product has, ' +
      "in the products' display order",
  );

export const adminProductQuery = z.strictObject({
  ...listFilters,
  active: queryBoolean.optional(),
  archived: queryBoolean.optional().describe('true lists archived products too'),
});

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
    variantId: z.string().nullable().describe('the variant whose stock moved'),
    kind: z.enum(movementKinds),
    delta: z.number().int(),
    stockAfter: z.number().int(),
    reason: z.string().nullable(),
    orderId: z.string().nullable(),
    actorId: z.string().nullable(),
    actorName: z
      .string()
      .nullable()
      .describe("who made the movement: the person's name (or email), or 'System' for Ordo itself"),
    createdAt: z.string(),
  })
  .meta({ id: 'StockMovement' });

export const imageParams = z.strictObject({ id, imageId: id });

export const imageOrderBody = z.strictObject({
  imageIds: z
    .array(id)
    .max(1000)
    .describe("each of the product's image ids exactly once, in the new display order"),
});

/**
 * What the multipart upload looks like in the OpenAPI document. The route reads the file from
 * the stream, so the parsed body is empty and the schema accepts that.
 */
export const imageUploadBody = z
  .object({
    file: z.string().meta({ format: 'binary' }).describe('a JPEG, PNG or WebP image, at most 5 MB'),
  })
  .nullish();

export const imageFileParams = z.strictObject({
  file: z.string().max(100).describe('`{hash}-{width}.webp`, as the product image URLs name it'),
});
