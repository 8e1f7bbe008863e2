import { and, asc, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { columnName } from '../../db/insert-select.js';
import { selectPage } from '../../db/page.js';
import type { PageRequest } from '../../shared/pagination.js';
import { shippingMethods } from './shipping-method.table.js';

export type ShippingMethodRow = typeof shippingMethods.$inferSelect;

const serves = (country: SQL | string) =>
  sql`(cardinality(${shippingMethods.countries}) = 0 or ${country} = any(${shippingMethods.countries}))`;

const servesEverywhere = sql`cardinality(${shippingMethods.countries}) = 0`;

/** Active methods serving `country` (without one: those serving every country). */
export async function activeMethods(
  db: Executor,
  country: string | undefined,
): Promise<ShippingMethodRow[]> {
  return db
    .select()
    .from(shippingMethods)
    .where(
      and(
        eq(shippingMethods.active, true),
        country === undefined ? servesEverywhere : serves(country),
      ),
    );
}

/** Whether the shop has any method at all (active or not): without one, the flat rate is the method. */
export async function anyMethod(db: Executor): Promise<boolean> {
  const [row] = await db
    .select({ one: sql`1` })
    .from(shippingMethods)
    .limit(1);
  return row !== undefined;
}

/**
 * The methods an order to `country` may go by, as a relation (`id`, `name`, `price`,
 * `free_over`) for the statement that places it: the active ones serving the country, or,
 * when the shop has no method at all, `legacy` (the flat rate's Standard); only `methodId`
 * when it is not null. The values are SQL (the statement's placeholders and parameters).
 */
export function methodChoices(
  country: SQL,
  methodId: SQL,
  legacy: { id: SQL; name: SQL; price: SQL; freeOver: SQL },
): SQL {
  const { id, name, price, freeOver } = shippingMethods;
  return sql`select ${id} as ${columnName(id)}, ${name} as ${columnName(name)},
                    ${price} as ${columnName(price)}, ${freeOver} as ${columnName(freeOver)}
               from ${shippingMethods}
              where ${shippingMethods.active} and ${serves(country)}
                and (${methodId} is null or ${id} = ${methodId})
             union all
             select ${legacy.id}, ${legacy.name}, ${legacy.price}, ${legacy.freeOver}
              where not exists (select 1 from ${shippingMethods})
                and (${methodId} is null or ${methodId} = ${legacy.id})`;
}

export async function findMethod(db: Executor, id: string): Promise<ShippingMethodRow | undefined> {
  const [row] = await db.select().from(shippingMethods).where(eq(shippingMethods.id, id));
  return row;
}

export async function insertMethod(
  db: Executor,
  row: typeof shippingMethods.$inferInsert,
): Promise<ShippingMethodRow> {
  const [created] = await db.insert(shippingMethods).values(row).returning();
  return created!;
}

export async function updateMethod(
  db: Executor,
  id: string,
  changes: Partial<typeof shippingMethods.$inferInsert>,
): Promise<ShippingMethodRow | undefined> {
  const [row] = await db
    .update(shippingMethods)
    .set(changes)
    .where(eq(shippingMethods.id, id))
    .returning();
  return row;
}

export async function deleteMethod(db: Executor, id: string): Promise<boolean> {
  const rows = await db
    .delete(shippingMethods)
    .where(eq(shippingMethods.id, id))
    .returning({ id: shippingMethods.id });
  return rows.length > 0;
}

export async function listMethods(
  db: Executor,
  filter: { active?: boolean | undefined },
  page: PageRequest,
): Promise<{ rows: ShippingMethodRow[]; total: number }> {
  const where = filter.active === undefined ? undefined : eq(shippingMethods.active, filter.active);
  return selectPage(
    db,
    shippingMethods,
    where,
    [desc(shippingMethods.active), asc(shippingMethods.price), asc(shippingMethods.id)],
    page,
  );
}
