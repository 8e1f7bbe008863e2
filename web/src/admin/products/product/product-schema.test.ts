import { describe, expect, it } from 'vitest';
import { productFormValues, productSchema, stockAdjustmentSchema } from './product-schema';

/** Each field's first message, as the form shows it (react-hook-form keeps the first). */
function firstMessages(result: { error?: { issues: { path: PropertyKey[]; message: string }[] } }) {
  const messages: Record<string, string> = {};
  for (const issue of result.error?.issues ?? []) messages[issue.path.join('.')] ??= issue.message;
  return messages;
}

describe('the product form', () => {
  it('reads a new product into the API’s fields, the price in minor units', () => {
    const values = {
      ...productFormValues(undefined, 'USD'),
      sku: ' LAMP-1 ',
      name: 'Lamp',
      price: '12.30',
      stock: '5',
    };
    expect(productSchema('USD').parse(values)).toEqual({
      sku: 'LAMP-1',
      name: 'Lamp',
      description: '',
      price: 1230,
      stock: 5,
      active: true,
    });
  });

  it('refuses a price with more decimals than the currency has, and says why', () => {
    const values = { ...productFormValues(undefined, 'USD'), sku: 'A', name: 'A', price: '12.345' };
    expect(firstMessages(productSchema('USD').safeParse(values)).price).toMatch(/decimal/i);
  });

  it('holds the server’s limits: a SKU of 65 characters or with a space is refused', () => {
    const base = { ...productFormValues(undefined, 'USD'), name: 'A', price: '1' };
    expect(
      firstMessages(productSchema('USD').safeParse({ ...base, sku: 'x'.repeat(65) })).sku,
    ).toBe('At most 64 characters');
    expect(firstMessages(productSchema('USD').safeParse({ ...base, sku: 'a b' })).sku).toMatch(
      /^Letters, digits/,
    );
    expect(firstMessages(productSchema('USD').safeParse({ ...base, sku: '' })).sku).toBe(
      'Enter a SKU',
    );
    expect(
      firstMessages(productSchema('USD').safeParse({ ...base, sku: 'A', name: 'n'.repeat(201) }))
        .name,
    ).toBe('At most 200 characters');
  });

  it('leaves the stock out when editing an existing product', () => {
    const values = productFormValues(
      {
        sku: 'A',
        name: 'A',
        description: '',
        price: 100,
        active: true,
        stock: 9,
        options: [],
      } as never,
      'USD',
    );
    expect(productSchema('USD').parse(values)).not.toHaveProperty('stock');
  });

  it('leaves the price out for a product with options: each variant has its own', () => {
    const values = productFormValues(
      {
        sku: 'TEE',
        name: 'Tee',
        description: '',
        price: 1800,
        active: true,
        stock: 9,
        options: [{ name: 'Size', values: ['S', 'M'] }],
      } as never,
      'USD',
    );
    expect(values).not.toHaveProperty('price');
    expect(productSchema('USD').parse(values)).toEqual({
      sku: 'TEE',
      name: 'Tee',
      description: '',
      active: true,
    });
  });
});

describe('the stock adjustment form', () => {
  it('reads a signed change and a reason', () => {
    expect(stockAdjustmentSchema.parse({ delta: '−3', reason: ' damaged ' })).toEqual({
      delta: -3,
      reason: 'damaged',
    });
  });

  it('refuses zero and an empty reason, each with its message', () => {
    expect(firstMessages(stockAdjustmentSchema.safeParse({ delta: '0', reason: ' ' }))).toEqual({
      delta: 'Enter a change other than zero',
      reason: 'Say why (a count, damage, a delivery…)',
    });
  });
});
