import { z } from 'zod';
import { bodyRules, serverText } from '../../../api/field-rules';
import type { ProductBody } from '../../../api/hooks/products';
import type { VariantBody } from '../../../api/hooks/variants';
import { minorToInput } from '../../money-input';
import {
  moneyField,
  openingStockField,
  productFormValues,
  productSchema,
  skuMessages,
} from './product-schema';
import { parseOptionValues } from './variant-logic';

// The server's limits (POST /api/v1/admin/products, PATCH /api/v1/admin/variants/{id}).
const product = bodyRules['/api/v1/admin/products'].post.properties;
const option = product.options.items.properties;
const variant = product.variants.items.properties;
const variantPatch = bodyRules['/api/v1/admin/variants/{id}'].patch.properties;

/** The most options a product may have (3), and the most variants one request creates. */
export const MAX_OPTIONS = product.options.maxItems;
const MAX_VARIANTS = product.variants.maxItems;

const variantSku = serverText(variant.sku, skuMessages);

/** Reads `value` with `schema`, reporting its problems under `path`; undefined when refused. */
function read<T>(
  ctx: z.RefinementCtx,
  path: string,
  schema: z.ZodType<T, string>,
  value: string,
): T | undefined {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    ctx.addIssue({ code: 'custom', path: [path], message: issue.message });
  }
  return undefined;
}

/** A proposed variant row → the API's variant, or null when it is left out. */
export const variantRowSchema = (currency: string) =>
  z
    .object({
      key: z.string(),
      title: z.string(),
      options: z.record(z.string(), z.string()),
      include: z.boolean(),
      sku: z.string(),
      price: z.string(),
      stock: z.string(),
    })
    .transform((row, ctx): VariantBody | null => {
      if (!row.include) return null;
      const sku = read(ctx, 'sku', variantSku, row.sku);
      const price = read(ctx, 'price', moneyField(currency), row.price);
      const stock = read(ctx, 'stock', openingStockField, row.stock);
      if (sku === undefined || price === undefined || stock === undefined) return z.NEVER;
      return { sku, options: row.options, price, stock };
    });

/** Checks what one form's rows ask for together: at least one, at most the server's limit, SKUs apart. */
function checkIncluded(rows: readonly (VariantBody | null)[], ctx: z.RefinementCtx): void {
  const included = rows.filter((row) => row !== null);
  if (included.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['variants'], message: 'Include at least one variant' });
  }
  if (included.length > MAX_VARIANTS) {
    ctx.addIssue({
      code: 'custom',
      path: ['variants'],
      message: `At most ${MAX_VARIANTS} variants at once: leave some out, or use fewer values`,
    });
  }
  const seen = new Set<string>();
  rows.forEach((row, i) => {
    if (row === null) return;
    const sku = row.sku.toLowerCase();
    if (seen.has(sku)) {
      ctx.addIssue({
        code: 'custom',
        path: ['variants', i, 'sku'],
        message: 'Another variant has this SKU: each needs its own',
      });
    }
    seen.add(sku);
  });
}

const optionSchema = z.object({
  name: serverText(option.name, { required: 'Name the option, such as Size' }),
  values: z.string().transform((text, ctx) => {
    const values = parseOptionValues(text);
    if (values.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'Enter at least one value, such as S, M, L' });
    }
    const long = values.find((value) => value.length > option.values.items.maxLength);
    if (long !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `A value may have at most ${option.values.items.maxLength} characters`,
      });
    }
    if (values.length > option.values.maxItems) {
      ctx.addIssue({ code: 'custom', message: `At most ${option.values.maxItems} values` });
    }
    return values;
  }),
});

/**
 * The new-product form: the product's fields, and optionally its options (each values typed
 * with commas) and a row per combination. Without options it is today's body (sku, price,
 * opening stock); with them, the options and the rows kept, the product's price and stock left
 * to its variants (its SKU is its style code).
 */
export const newProductSchema = (currency: string) =>
  productSchema(currency)
    .extend({
      price: moneyField(currency),
      options: z.array(optionSchema).max(MAX_OPTIONS),
      variants: z.array(variantRowSchema(currency)),
    })
    .superRefine((values, ctx) => {
      const names = values.options.map((o) => o.name.toLowerCase());
      names.forEach((name, i) => {
        if (names.indexOf(name) !== i) {
          ctx.addIssue({
            code: 'custom',
            path: ['options', i, 'name'],
            message: 'Another option has this name',
          });
        }
      });
      if (values.options.length > 0) checkIncluded(values.variants, ctx);
    })
    .transform(({ options, variants, stock, price, ...fields }): ProductBody => {
      if (options.length === 0) return { ...fields, price, stock: stock ?? 0 };
      return { ...fields, options, variants: variants.filter((v) => v !== null) };
    });

export type NewProductFormValues = z.input<ReturnType<typeof newProductSchema>>;

export function newProductFormValues(currency: string): NewProductFormValues {
  return { ...productFormValues(undefined, currency), price: '', options: [], variants: [] };
}

/**
 * "Add a value" on a product with options: which option, the value, and a row per combination
 * it lacks with that value → the variants to create, one request each.
 */
export const addValueSchema = (currency: string, optionNames: readonly string[]) =>
  z
    .object({
      option: z.string().refine((name) => optionNames.includes(name), 'Choose an option'),
      value: serverText(option.values.items, { required: 'Enter the value, such as XL' }),
      variants: z.array(variantRowSchema(currency)),
    })
    .superRefine((values, ctx) => checkIncluded(values.variants, ctx))
    .transform((values) => values.variants.filter((v) => v !== null));

export type AddValueFormValues = z.input<ReturnType<typeof addValueSchema>>;

/** One variant's row on a product's page: its SKU, price and whether the shop sells it. */
export const variantEditSchema = (currency: string) =>
  z.object({
    sku: serverText(variantPatch.sku, skuMessages),
    price: moneyField(currency),
    active: z.boolean(),
  });

export type VariantEditValues = z.input<ReturnType<typeof variantEditSchema>>;

export function variantEditValues(
  variant: { sku: string; price: number; active: boolean },
  currency: string,
): VariantEditValues {
  return { sku: variant.sku, price: minorToInput(variant.price, currency), active: variant.active };
}
