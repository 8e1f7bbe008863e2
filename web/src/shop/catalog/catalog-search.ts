import type { ProductQuery, ProductSort } from '../../api/types';
import { toMajorUnits, toMinorUnits } from '../../ui/money-format';
import {
  compact,
  optionalInt,
  optionalOneOf,
  optionalString,
  optionalTrue,
} from '../search-params';

export const PAGE_SIZE = 12;

export const sortOptions: { value: ProductSort; label: string }[] = [
  { value: '-createdAt', label: 'Newest' },
  { value: 'price', label: 'Price: low to high' },
  { value: '-price', label: 'Price: high to low' },
  { value: 'name', label: 'Name' },
];

const sorts = ['price', '-price', 'name', '-createdAt'] as const satisfies readonly ProductSort[];

/**
 * The catalog's URL search params, typed: filters, sort and page live in the URL so a list can
 * be shared, reloaded and navigated back to. Prices are minor units, as the API takes them.
 */
export interface CatalogSearch {
  q?: string | undefined;
  minPrice?: number | undefined;
  maxPrice?: number | undefined;
  inStock?: true | undefined;
  /** A category's slug: its products and those of every category below it. */
  category?: string | undefined;
  sort?: ProductSort | undefined;
  page?: number | undefined;
}

export function parseCatalogSearch(raw: Record<string, unknown>): CatalogSearch {
  return compact({
    q: optionalString(raw.q),
    minPrice: optionalInt(raw.minPrice, 0),
    maxPrice: optionalInt(raw.maxPrice, 0),
    inStock: optionalTrue(raw.inStock),
    category: optionalString(raw.category, 100),
    sort: optionalOneOf(raw.sort, sorts),
    page: optionalInt(raw.page, 1),
  });
}

/** The API query for a catalog search. */
export function toProductQuery(search: CatalogSearch): ProductQuery {
  const query: ProductQuery = { page: search.page ?? 1, pageSize: PAGE_SIZE };
  if (search.q) query.q = search.q;
  if (search.minPrice !== undefined) query.minPrice = search.minPrice;
  if (search.maxPrice !== undefined) query.maxPrice = search.maxPrice;
  if (search.inStock) query.inStock = 'true';
  if (search.category) query.category = search.category;
  if (search.sort) query.sort = search.sort;
  return query;
}

export function pageCount(total: number, pageSize = PAGE_SIZE): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

/** A typed price (major units, "12.50") in minor units; undefined when empty or not a price. */
export function priceFromText(text: string, currency: string): number | undefined {
  const value = Number(text);
  return text.trim() === '' || !Number.isFinite(value) || value < 0
    ? undefined
    : toMinorUnits(text, currency);
}

/** A price from the URL as the filter's text. */
export function priceText(minor: number | undefined, currency: string): string {
  return minor === undefined ? '' : String(toMajorUnits(minor, currency));
}

/**
 * A price filter's text once the URL has changed: what the person typed is kept while it means
 * the URL's price (so "10.50" is not rewritten as "10.5"); only a different price in the URL
 * (the back button, Clear filters) replaces it. The field used to be reset to the URL on every
 * filter change, which threw away a price typed but not yet searched.
 */
export function keptPriceText(typed: string, inUrl: number | undefined, currency: string): string {
  return priceFromText(typed, currency) === inUrl ? typed : priceText(inUrl, currency);
}

declare module '@tanstack/history' {
  interface HistoryState {
    /** The catalog's filters a product page was opened from, for its "Back to the shop". */
    catalogSearch?: CatalogSearch;
  }
}
