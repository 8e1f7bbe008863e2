import type { paths } from '../../api/schema.gen';
import type { OrderStatus } from '../../api/types';
import { compact, optionalInt, optionalOneOf, optionalString } from '../../shop/search-params';

export const ORDERS_PAGE_SIZE = 25;

export const orderStatuses = [
  'pending_payment',
  'paid',
  'shipped',
  'delivered',
  'cancelled',
  'expired',
] as const satisfies readonly OrderStatus[];

export type AdminOrdersQuery = NonNullable<
  paths['/api/v1/admin/orders']['get']['parameters']['query']
>;

/**
 * The admin orders list's URL search params. Dates are calendar days (YYYY-MM-DD) in UTC, the
 * days the dashboard counts in: `from` and `to` are both included.
 */
export interface OrdersSearch {
  /** The order number (a typed leading # is dropped); a number, so the URL reads `number=1042`. */
  number?: number | undefined;
  status?: OrderStatus | undefined;
  email?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  promoCode?: string | undefined;
  page?: number | undefined;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** An order number as a person types it (`1042`, `#1042`); anything else is dropped. */
function optionalOrderNumber(value: unknown): number | undefined {
  const text = optionalString(value, 16);
  const match = text === undefined ? null : /^#?(\d{1,15})$/.exec(text);
  return match ? Number(match[1]) : undefined;
}

function optionalDay(value: unknown): string | undefined {
  if (typeof value !== 'string' || !DAY.test(value)) return undefined;
  const date = new Date(`${value}T00:00:00.000Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value
    ? undefined
    : value;
}

export function parseOrdersSearch(raw: Record<string, unknown>): OrdersSearch {
  return compact({
    number: optionalOrderNumber(raw.number),
    status: optionalOneOf(raw.status, orderStatuses),
    email: optionalString(raw.email, 254),
    from: optionalDay(raw.from),
    to: optionalDay(raw.to),
    promoCode: optionalString(raw.promoCode, 64),
    page: optionalInt(raw.page, 1),
  });
}

function nextDay(day: string): string {
  const date = new Date(`${day}T00:00:00.000Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString();
}

/** The filters as the API takes them (`to` is exclusive there: the day after the last one). */
export function toOrdersFilter(search: OrdersSearch): Omit<AdminOrdersQuery, 'page' | 'pageSize'> {
  return compact({
    number: search.number === undefined ? undefined : String(search.number),
    status: search.status,
    email: search.email,
    from: search.from ? `${search.from}T00:00:00.000Z` : undefined,
    to: search.to ? nextDay(search.to) : undefined,
    promoCode: search.promoCode,
  });
}

export function toOrdersQuery(search: OrdersSearch): AdminOrdersQuery {
  return { ...toOrdersFilter(search), page: search.page ?? 1, pageSize: ORDERS_PAGE_SIZE };
}

/** The CSV export's address for the same filters (every page: the export is not paged). */
export function exportCsvPath(search: OrdersSearch): string {
  const params = new URLSearchParams(toOrdersFilter(search));
  const query = params.toString();
  return `/api/v1/admin/orders/export.csv${query ? `?${query}` : ''}`;
}

export function hasFilters(search: OrdersSearch): boolean {
  return Object.keys(toOrdersFilter(search)).length > 0;
}
