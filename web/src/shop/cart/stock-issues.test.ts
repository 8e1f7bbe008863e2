import { describe, expect, it } from 'vitest';
import { issuesByProduct, problemStockIssues, quoteStockIssues } from './stock-issues';

const line = (productId: string, quantity: number, available: number) => ({
  productId,
  variantId: `var_${productId}`,
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
      { productId: 'b', requested: 3, available: 1, message: 'Only 1 left (you asked for 3).' },
      {
        productId: 'c',
        requested: 1,
        available: 0,
        message: 'Out of stock: remove it to continue.',
      },
    ]);
    expect(issuesByProduct(issues).get('b')?.available).toBe(1);
  });

  it('reads an OUT_OF_STOCK problem’s details the same way', () => {
    expect(problemStockIssues([{ productId: 'a', requested: 4, available: 2 }])).toEqual([
      { productId: 'a', requested: 4, available: 2, message: 'Only 2 left (you asked for 4).' },
    ]);
  });
});
