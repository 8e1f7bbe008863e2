import { z } from 'zod';
import { bodyRules, serverText } from '../../../api/field-rules';
import type { AdminProduct } from '../../../api/hooks/products';
import { minorToInput, parseMoneyInput } from '../../money-input';
import { parseStockDelta } from './product-logic';

// The server's limits for a product (POST /api/v1/admin/products), from its OpenAPI document.
const fields = bodyRules['/api/v1/admin/products'].post.properties;
const adjustment = bodyRules['/api/v1/admin/products/{id}/stock-adjustments'].post.properties;

export const skuMessages = {
  required: 'Enter a SKU',
  pattern: 'Letters, digits, dots, dashes and underscores, starting with a letter or digit',
};

/** An amount as typed in major units ("12.50") → minor units; zero is a price too. */
export const moneyField = (currency: string) =>
  z.string().transform((text, ctx) => {
    const price = parseMoneyInput(text, currency, { allowZero: true });
    if (price.ok) return price.minor;
    ctx.addIssue({ code: 'custom', message: price.message });
    return z.NEVER;
  });

/** Units on hand to start with: a whole number, 0 or more. */
export const openingStockField = z
  .string()
  .trim()
  .regex(/^\d{1,7}$/, 'Enter a whole number, 0 or more')
  .transform(Number);

/** The product form: text as typed, read into the API's fields (the price in minor units). */
export const productSchema = (currency: string) =>
  z.object({
    sku: serverText(fields.sku, skuMessages),
    name: serverText(fields.name, { required: 'Enter a name' }),
    description: z.string().max(fields.description.maxLength, 'At most 5000 characters'),
    // A product with options has a price per variant, changed there, not here.
    price: moneyField(currency).optional(),
    // Only a new product sets its stock here; an existing one changes by adjustments.
    stock: openingStockField.optional(),
    active: z.boolean(),
  });

export type ProductFormValues = z.input<ReturnType<typeof productSchema>>;

export function productFormValues(
  product: AdminProduct | undefined,
  currency: string,
): ProductFormValues {
  return {
    sku: product?.sku ?? '',
    name: product?.name ?? '',
    description: product?.description ?? '',
    ...(product?.options.length
      ? {}
      : { price: product ? minorToInput(product.price, currency) : '' }),
    ...(product ? {} : { stock: '0' }),
    active: product?.active ?? true,
  };
}

/** A stock adjustment: a signed whole number other than zero, and why. */
export const stockAdjustmentSchema = z.object({
  delta: z.string().transform((text, ctx) => {
    const parsed = parseStockDelta(text);
    if (parsed.ok) return parsed.delta;
    ctx.addIssue({ code: 'custom', message: parsed.message });
    return z.NEVER;
  }),
  reason: serverText(adjustment.reason, { required: 'Say why (a count, damage, a delivery…)' }),
});
