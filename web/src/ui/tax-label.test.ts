import { describe, expect, it } from 'vitest';
import { taxLabel } from './tax-label';

describe('the tax line label', () => {
  it('says tax is added to net prices, with the rate charged', () => {
    expect(taxLabel({ taxIncluded: false, taxRate: 8.875, taxName: 'CA sales tax' })).toBe(
      'Tax (CA sales tax 8.875%)',
    );
  });
  it('says prices include it when they are gross', () => {
    expect(taxLabel({ taxIncluded: true, taxRate: 19, taxName: 'VAT' })).toBe(
      'Includes tax (VAT 19%)',
    );
  });
  it('says only "Tax" for a quote that names no rate', () => {
    expect(taxLabel({ taxIncluded: false })).toBe('Tax');
  });
});
