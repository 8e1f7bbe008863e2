import { compact, optionalInt, optionalOneOf, optionalString } from '../shop/search-params';

/** Search params of the smaller admin lists (promo codes, customers, jobs, emails). */
export interface PageSearch {
  page?: number | undefined;
}

export function parsePageSearch(raw: Record<string, unknown>): PageSearch {
  return compact({ page: optionalInt(raw.page, 1) });
}

export interface PromoCodesSearch extends PageSearch {
  q?: string | undefined;
}
export function parsePromoCodesSearch(raw: Record<string, unknown>): PromoCodesSearch {
  return compact({ q: optionalString(raw.q, 64), page: optionalInt(raw.page, 1) });
}

export const roles = ['customer', 'staff', 'admin'] as const;
export type Role = (typeof roles)[number];

export interface CustomersSearch extends PageSearch {
  role?: Role | undefined;
  q?: string | undefined;
}
export function parseCustomersSearch(raw: Record<string, unknown>): CustomersSearch {
  return compact({
    role: optionalOneOf(raw.role, roles),
    q: optionalString(raw.q, 254),
    page: optionalInt(raw.page, 1),
  });
}

export const jobStatuses = ['retrying', 'dead'] as const;
export interface JobsSearch extends PageSearch {
  status?: (typeof jobStatuses)[number] | undefined;
}
export function parseJobsSearch(raw: Record<string, unknown>): JobsSearch {
  return compact({
    status: optionalOneOf(raw.status, jobStatuses),
    page: optionalInt(raw.page, 1),
  });
}

export interface EmailsSearch extends PageSearch {
  to?: string | undefined;
  orderId?: string | undefined;
  id?: string | undefined;
}
export function parseEmailsSearch(raw: Record<string, unknown>): EmailsSearch {
  return compact({
    to: optionalString(raw.to, 254),
    orderId: optionalString(raw.orderId, 64),
    id: optionalString(raw.id, 64),
    page: optionalInt(raw.page, 1),
  });
}

export function pageCount(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / pageSize));
}
