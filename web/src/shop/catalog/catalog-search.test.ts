import { describe, expect, it } from 'vitest';
import {
  keptPriceText,
  MAX_OPTION_FILTERS,
  optionFilters,
  pageCount,
  parseOptionFilter,
  toggleOption,
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

  it('carries option filters (Size:M) from the URL to the API query, each once', () => {
    expect(parseCatalogSearch({ option: ['Size:M', ' Colour : Red ', 'Size:M'] })).toEqual({
      option: ['Size:M', 'Colour:Red'],
    });
    // One filter may come as a string; malformed ones are dropped.
    expect(parseCatalogSearch({ option: 'Ratio:16:9' })).toEqual({ option: ['Ratio:16:9'] });
    expect(parseCatalogSearch({ option: ['Size', ':M', 'Size:', 7, { a: 1 }] })).toEqual({});
    expect(
      parseCatalogSearch({ option: Array.from({ length: 30 }, (_, i) => `Size:${i}`) }).option,
    ).toHaveLength(MAX_OPTION_FILTERS);
    expect(toProductQuery({ option: ['Size:M', 'Colour:Red'] })).toEqual({
      page: 1,
      pageSize: PAGE_SIZE,
      option: ['Size:M', 'Colour:Red'],
    });
  });

  it('reads, ticks and unticks option filters', () => {
    expect(parseOptionFilter('Ratio:16:9')).toEqual({ name: 'Ratio', value: '16:9' });
    expect(parseOptionFilter('Size')).toBeUndefined();
    expect(optionFilters({ option: ['Size:M', 'junk'] })).toEqual([{ name: 'Size', value: 'M' }]);
    expect(toggleOption(undefined, 'Size', 'M', true)).toEqual(['Size:M']);
    expect(toggleOption(['Size:M'], 'Size', 'L', true)).toEqual(['Size:M', 'Size:L']);
    expect(toggleOption(['Size:M', 'Size:L'], 'Size', 'M', false)).toEqual(['Size:L']);
    expect(toggleOption(['Size:M'], 'Size', 'M', false)).toBeUndefined();
    expect(toggleOption(['Size:M'], 'Size', 'M', true)).toEqual(['Size:M']);
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
