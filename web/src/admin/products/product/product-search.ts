import { compact, optionalInt, optionalString } from '../../../shop/search-params';

/** A product page's URL search params: the movements' page, and the variant whose stock is open. */
export interface ProductSearch {
  page?: number | undefined;
  /** A variant id: its stock adjustment and movements are shown instead of the product's. */
  variant?: string | undefined;
}

export function parseProductSearch(raw: Record<string, unknown>): ProductSearch {
  return compact({ page: optionalInt(raw.page, 1), variant: optionalString(raw.variant, 64) });
}
