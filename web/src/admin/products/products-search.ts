import type { paths } from '../../api/schema.gen';
import { compact, optionalInt, optionalString, optionalTrue } from '../../shop/search-params';

export const PRODUCTS_PAGE_SIZE = 25;

type AdminProductQuery = NonNullable<paths['/api/v1/admin/products']['get']['parameters']['query']>;

/** The admin products list's URL search params. */
export interface ProductsSearch {
  q?: string | undefined;
  /** Lists archived products too. */
  archived?: true | undefined;
  page?: number | undefined;
}

export function parseProductsSearch(raw: Record<string, unknown>): ProductsSearch {
  return compact({
    q: optionalString(raw.q),
    archived: optionalTrue(raw.archived),
    page: optionalInt(raw.page, 1),
  });
}

export function toProductsQuery(search: ProductsSearch): AdminProductQuery {
  return compact({
    q: search.q,
    archived: search.archived ? 'true' : undefined,
    sort: 'name',
    page: search.page ?? 1,
    pageSize: PRODUCTS_PAGE_SIZE,
  });
}
