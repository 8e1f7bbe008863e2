import { describe, expect, it } from 'vitest';
import {
  keptPriceText,
  pageCount,
  parseCatalogSearch,
  priceFromText,
  toProductQuery,
  PAGE_SIZE,
} from './catalog-search';

describe('catalog search params', () => {
  it('keeps well-formed values and drops the rest, never failing', () => {
    expect(
      parseCatalogSearch({
        q: '  lamp ',
        minPrice: 1000,
        maxPrice: '5000',
        inStock: true,
        sort: 'price',
        page: 2,
      }),
    ).toEqual({ q: 'lamp', minPrice: 1000, maxPrice: 5000, inStock: true, sort: 'price', page: 2 });
    expect(
      parseCatalogSearch({
        q: '',
        minPrice: -1,
        maxPrice: 1.5,
        inStock: 'maybe',
        sort: 'random',
        page: 0,
      }),
    ).toEqual({});
    expect(parseCatalogSearch({ q: 'x'.repeat(201) })).toEqual({});
  });

  it('maps to the API query, in minor units, first page by default', () => {
    expect(toProductQuery({})).toEqual({ page: 1, pageSize: PAGE_SIZE });
    expect(
      toProductQuery({
        q: 'pen',
        minPrice: 0,
        maxPrice: 2000,
        inStock: true,
        sort: '-price',
        page: 3,
      }),
    ).toEqual({
      page: 3,
      pageSize: PAGE_SIZE,
      q: 'pen',
      minPrice: 0,
      maxPrice: 2000,
      inStock: 'true',
      sort: '-price',
    });
  });

  it('carries a category slug from the URL to the API query', () => {
    expect(parseCatalogSearch({ category: ' tea-cups ', q: 'blue' })).toEqual({
      category: 'tea-cups',
      q: 'blue',
    });
    expect(parseCatalogSearch({ category: '' })).toEqual({});
    expect(parseCatalogSearch({ category: 'x'.repeat(101) })).toEqual({});
    expect(toProductQuery({ category: 'tea-cups', q: 'blue' })).toEqual({
      page: 1,
      pageSize: PAGE_SIZE,
      q: 'blue',
      category: 'tea-cups',
    });
  });

  it('counts pages, at least one', () => {
    expect(pageCount(0)).toBe(1);
    expect(pageCount(12, 12)).toBe(1);
    expect(pageCount(13, 12)).toBe(2);
  });
});

describe('the price filters’ text', () => {
  it('reads a typed price in minor units, and nothing from text that is no price', () => {
    expect(priceFromText('10', 'USD')).toBe(1000);
    expect(priceFromText('12.5', 'USD')).toBe(1250);
    expect(priceFromText(' ', 'USD')).toBeUndefined();
    expect(priceFromText('ten', 'USD')).toBeUndefined();
    expect(priceFromText('-3', 'USD')).toBeUndefined();
  });

  it('keeps what was typed while it means the URL’s price', () => {
    expect(keptPriceText('10.50', 1050, 'USD')).toBe('10.50');
    expect(keptPriceText('', undefined, 'USD')).toBe('');
  });

  it('takes a different price from the URL (back button, Clear filters)', () => {
    expect(keptPriceText('10', 2000, 'USD')).toBe('20');
    expect(keptPriceText('10', undefined, 'USD')).toBe('');
  });
});
