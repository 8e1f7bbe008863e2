import { count, sql, type SQL } from 'drizzle-orm';
import type { PgTable, SelectedFields } from 'drizzle-orm/pg-core';
import { offsetOf, type PageRequest } from '../shared/pagination.js';
import type { Executor } from './client.js';

/**
 * The most rows a list counts. Counting every match costs a scan of all of them, which grows
 * with the data; counting up to a bound keeps each page's cost flat. A list whose `total` is
 * MAX_TOTAL has at least that many matches (it is exact below).
 */
export const MAX_TOTAL = 10_000;

/**
 * One page of a table's rows matching `where`, in `orderBy` order, and how many match in all,
 * counted up to MAX_TOTAL.
 */
export async function selectPage<T extends PgTable, R = T['$inferSelect']>(
  db: Executor,
  table: T,
  where: SQL | undefined,
  orderBy: SQL[],
  page: PageRequest,
  /** The row's fields, when they are more than the table's columns (a derived one). */
  columns?: SelectedFields,
): Promise<{ rows: R[]; total: number }> {
  const [rows, [totals]] = await Promise.all([
    (columns ? db.select(columns) : db.select())
      .from(table as PgTable)
      .where(where)
      .orderBy(...orderBy)
      .limit(page.pageSize)
      .offset(offsetOf(page)),
    db.select({ total: count() }).from(
      db
        .select({ one: sql`1` })
        .from(table as PgTable)
        .where(where)
        .limit(MAX_TOTAL)
        .as('matches'),
    ),
  ]);
  return { rows: rows as R[], total: totals?.total ?? 0 };
}
