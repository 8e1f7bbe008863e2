import { and, asc, eq, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { columnName } from '../../db/insert-select.js';
import { selectPage } from '../../db/page.js';
import type { PageRequest } from '../../shared/pagination.js';
import { taxRates } from './tax-rate.table.js';

export type TaxRateRow = typeof taxRates.$inferSelect;

/** The most specific rate for a destination: its region's, else its country's (SQL, so the placement statement can read it too). */
const forDestination = (country: SQL | string, region: SQL | string | null) =>
  and(
    eq(taxRates.country, country),
    or(isNull(taxRates.region), region === null ? sql`false` : eq(taxRates.region, region)),
  );

export async function rateFor(
  db: Executor,
  destination: { country: string; region?: string | undefined },
): Promise<TaxRateRow | undefined> {
  const [row] = await db
    .select()
    .from(taxRates)
    .where(forDestination(destination.country, destination.region ?? null))
    .orderBy(sql`${taxRates.region} is null`)
    .limit(1);
  return row;
}

/**
 * rateFor as a relation of at most one row (`rate`, `applies_to_shipping`, `name`), for a
 * statement that places an order: the destination's values are SQL (its placeholders).
 */
export function rateRelation(country: SQL, region: SQL): SQL {
  return sql`select ${taxRates.rate} as ${columnName(taxRates.rate)},
                    ${taxRates.appliesToShipping} as ${columnName(taxRates.appliesToShipping)},
                    ${taxRates.name} as ${columnName(taxRates.name)}
               from ${taxRates}
              where ${taxRates.country} = ${country}
                and (${taxRates.region} is null or ${taxRates.region} = ${region})
              order by ${taxRates.region} is null
              limit 1`;
}

export async function findRate(db: Executor, id: string): Promise<TaxRateRow | undefined> {
  const [row] = await db.select().from(taxRates).where(eq(taxRates.id, id));
  return row;
}

export async function insertRate(
  db: Executor,
  row: typeof taxRates.$inferInsert,
): Promise<TaxRateRow> {
  const [created] = await db.insert(taxRates).values(row).returning();
  return created!;
}

export async function updateRate(
  db: Executor,
  id: string,
  changes: Partial<typeof taxRates.$inferInsert>,
): Promise<TaxRateRow | undefined> {
  const [row] = await db.update(taxRates).set(changes).where(eq(taxRates.id, id)).returning();
  return row;
}

export async function deleteRate(db: Executor, id: string): Promise<boolean> {
  const rows = await db.delete(taxRates).where(eq(taxRates.id, id)).returning({ id: taxRates.id });
  return rows.length > 0;
}

export async function listRates(
  db: Executor,
  filter: { country?: string | undefined },
  page: PageRequest,
): Promise<{ rows: TaxRateRow[]; total: number }> {
  const where = filter.country ? eq(taxRates.country, filter.country) : undefined;
  return selectPage(
    db,
    taxRates,
    where,
    [asc(taxRates.country), sql`${taxRates.region} asc nulls first`, asc(taxRates.id)],
    page,
  );
}
