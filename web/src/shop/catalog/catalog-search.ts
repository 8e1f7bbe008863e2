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
  /**
   * Option values, each `Name:Value` (`Size:M`), as the API's `option` filter takes them: a
   * product with a variant that has one of each option's values.
   */
  option?: string[] | undefined;
  sort?: ProductSort | undefined;
  page?: number | undefined;
}

/** The most option values a search holds (the API's limit). */
export const MAX_OPTION_FILTERS = 20;

/** An option filter's name and value (`Size:M`), split at the first colon; undefined when malformed. */
export function parseOptionFilter(text: string): { name: string; value: string } | undefined {
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  const name = text.slice(0, colon).trim();
  const value = text.slice(colon + 1).trim();
  return name && value && name.length <= 100 && value.length <= 100 ? { name, value } : undefined;
}

export const optionFilterText = (name: string, value: string) => `${name}:${value}`;

/** The search's option filters, read. */
export function optionFilters(search: CatalogSearch): { name: string; value: string }[] {
  return (search.option ?? []).flatMap((text) => parseOptionFilter(text) ?? []);
}

/** The search's option filters with `name: value` added (`on`) or taken out; undefined for none. */
export function toggleOption(
  option: readonly string[] | undefined,
  name: string,
  value: string,
  on: boolean,
): string[] | undefined {
  const text = optionFilterText(name, value);
  const rest = (option ?? []).filter((t) => t !== text);
  const next = on ? [...rest, text] : rest;
  return next.length > 0 ? next : undefined;
}

/** Well-formed option filters from the URL (one string or a list), each once, at most 20. */
function parseOptions(value: unknown): string[] | undefined {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  const texts = [
    ...new Set(
      list.flatMap((item) => {
        const text = optionalString(item, 201);
        const filter = text === undefined ? undefined : parseOptionFilter(text);
        return filter ? [optionFilterText(filter.name, filter.value)] : [];
      }),
    ),
  ].slice(0, MAX_OPTION_FILTERS);
  return texts.length > 0 ? texts : undefined;
}

export function parseCatalogSearch(raw: Record<string, unknown>): CatalogSearch {
  return compact({
    q: optionalString(raw.q),
    minPrice: optionalInt(raw.minPrice, 0),
    maxPrice: optionalInt(raw.maxPrice, 0),
    inStock: optionalTrue(raw.inStock),
    category: optionalString(raw.category, 100),
    option: parseOptions(raw.option),
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
  if (search.option?.length) query.option = search.option;
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
