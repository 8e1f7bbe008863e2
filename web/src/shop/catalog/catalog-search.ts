import type { ProductQuery, ProductSort } from '../../api/types';
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
  sort?: ProductSort | undefined;
  page?: number | undefined;
}

export function parseCatalogSearch(raw: Record<string, unknown>): CatalogSearch {
  return compact({
    q: optionalString(raw.q),
    minPrice: optionalInt(raw.minPrice, 0),
    maxPrice: optionalInt(raw.maxPrice, 0),
    inStock: optionalTrue(raw.inStock),
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
  if (search.sort) query.sort = search.sort;
  return query;
}

export function pageCount(total: number, pageSize = PAGE_SIZE): number {
  return Math.max(1, Math.ceil(total / pageSize));
}
