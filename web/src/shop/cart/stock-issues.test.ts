import { describe, expect, it } from 'vitest';
import { issueFor, problemStockIssues, quoteStockIssues } from './stock-issues';

const line = (
  productId: string,
  quantity: number,
  available: number,
  variantId = `var_${productId}`,
) => ({
  productId,
  variantId,
  variantTitle: '',
  sku: productId,
  name: productId,
  unitPrice: 100,
  quantity,
  subtotal: 100 * quantity,
  discount: 0,
  total: 100 * quantity,
  available,
});

describe('stock issues', () => {
  it('names each quote line asking for more than is in stock', () => {
    const issues = quoteStockIssues({ lines: [line('a', 2, 5), line('b', 3, 1), line('c', 1, 0)] });
    expect(issues).toEqual([
      {
        productId: 'b',
        variantId: 'var_b',
        requested: 3,
        available: 1,
        message: 'Only 1 left (you asked for 3).',
      },
      {
        productId: 'c',
        variantId: 'var_c',
        requested: 1,
        available: 0,
        message: 'Out of stock: remove it to continue.',
      },
    ]);
    expect(issueFor(issues, { productId: 'b', variantId: 'var_b' })?.available).toBe(1);
    expect(issueFor(issues, { productId: 'a', variantId: 'var_a' })).toBeUndefined();
  });

  it('tells two variants of one product apart, and finds a line stored before variants by product', () => {
    const issues = quoteStockIssues({
      lines: [line('tee', 4, 2, 'var_m'), line('tee', 1, 9, 'var_l')],
    });
    expect(issueFor(issues, { productId: 'tee', variantId: 'var_m' })?.available).toBe(2);
    expect(issueFor(issues, { productId: 'tee', variantId: 'var_l' })).toBeUndefined();
    expect(issueFor(issues, { productId: 'tee' })?.variantId).toBe('var_m');
  });

  it('reads an OUT_OF_STOCK problem’s details the same way', () => {
    expect(
      problemStockIssues([{ productId: 'a', variantId: 'var_a', requested: 4, available: 2 }]),
    ).toEqual([
      {
        productId: 'a',
        variantId: 'var_a',
        requested: 4,
        available: 2,
        message: 'Only 2 left (you asked for 4).',
      },
    ]);
  });
});
