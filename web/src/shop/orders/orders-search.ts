import type { OrderStatus } from '../../api/types';
import { compact, optionalInt, optionalOneOf } from '../search-params';

const statuses = [
  'pending_payment',
  'paid',
  'shipped',
  'delivered',
  'cancelled',
  'expired',
] as const satisfies readonly OrderStatus[];

/** The order history's URL search params. */
export interface OrdersSearch {
  status?: OrderStatus | undefined;
  page?: number | undefined;
}

export function parseOrdersSearch(raw: Record<string, unknown>): OrdersSearch {
  return compact({ status: optionalOneOf(raw.status, statuses), page: optionalInt(raw.page, 1) });
}
