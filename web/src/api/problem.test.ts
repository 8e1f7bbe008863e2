import { describe, expect, it } from 'vitest';
import { fieldLabel } from './problem';

describe('fieldLabel: a problem field path as a person reads it', () => {
  it('drops the request part and writes camelCase as words', () => {
    expect(fieldLabel('body.shippingAddress.country')).toBe('Shipping address country');
    expect(fieldLabel('body.shippingAddress.postalCode')).toBe('Shipping address postal code');
    expect(fieldLabel('query.pageSize')).toBe('Page size');
  });

  it('numbers list entries from 1, in the singular', () => {
    expect(fieldLabel('body.items.0.quantity')).toBe('Item 1 quantity');
    expect(fieldLabel('body.items.11')).toBe('Item 12');
  });

  it('names a field it cannot read generically, never with an empty label', () => {
    expect(fieldLabel('body')).toBe('This field');
    expect(fieldLabel('')).toBe('This field');
    expect(fieldLabel('email')).toBe('Email');
  });
});
