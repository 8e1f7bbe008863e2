import { Column, getTableColumns, is, Placeholder, sql, SQL, type Subquery } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';

/**
 * Pieces of hand-assembled statements (data-modifying CTEs, `insert … select … where`, which
 * drizzle's builder does not write) named through the drizzle tables, so a renamed or retyped
 * column is a compile error or follows by itself, never a runtime surprise.
 */

/** A column's bare name, as an insert's column list or a CTE's column list wants it. */
export const columnName = (column: PgColumn): SQL => sql`${sql.identifier(column.name)}`;

/**
 * `value` as a parameter of `column`'s type (a prepared statement never has to guess it). The
 * value may be a placeholder (`sql.placeholder`), filled when the statement runs and encoded
 * as the column encodes its values.
 */
export const typedParam = (column: PgColumn, value: unknown): SQL =>
  sql`${sql.param(value, column)}::${sql.raw(column.getSQLType())}`;

type Values<T extends PgTable> = {
  [K in keyof T['$inferInsert']]?: T['$inferInsert'][K] | SQL | Column | Placeholder;
};

/**
 * Named placeholders for the given keys of a row, `prefix` + key, for a statement built once
 * and run with values many times (`prefixed` fills them from a row with the same keys).
 */
export function placeholders<K extends string>(
  prefix: string,
  keys: readonly K[],
): Record<K, Placeholder> {
  return Object.fromEntries(keys.map((key) => [key, sql.placeholder(`${prefix}${key}`)])) as Record<
    K,
    Placeholder
  >;
}

/** A row's values under the names `placeholders(prefix, …)` gave its keys. */
export function prefixed(prefix: string, row: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [`${prefix}${key}`, value]));
}

/**
 * `insert into <table> (<columns>) select <values> <rest>`: the columns named by the table's
 * keys; a value is an SQL expression or a column of the select, or a parameter of its
 * column's type.
 */
export function insertSelect<T extends PgTable>(table: T, values: Values<T>, rest: SQL): SQL {
  const columns = getTableColumns(table) as Record<string, PgColumn>;
  const given = Object.entries(values as Record<string, unknown>).filter(
    ([, value]) => value !== undefined,
  );
  const names = given.map(([key]) => columnName(columns[key]!));
  const exprs = given.map(([key, value]) =>
    is(value, SQL) || is(value, Column) ? sql`${value}` : typedParam(columns[key]!, value),
  );
  return sql`insert into ${table} (${sql.join(names, sql`, `)})
      select ${sql.join(exprs, sql`, `)} ${rest}`;
}

/**
 * Rows passed as one array per column (or a placeholder filled with one), `unnest`ed into a
 * relation `alias` whose columns are named and typed as the given table columns: one
 * parameter per column whatever the number of rows, so the statement's text (and its prepared
 * plan) does not vary with them. `count` is the number of rows (a placeholder filled with it,
 * or a number): see rowsOf.
 */
export function unnestAs(
  alias: string,
  columns: readonly [PgColumn, readonly unknown[] | Placeholder][],
  count: number | Placeholder,
): SQL {
  const arrays = columns.map(
    ([column, values]) =>
      sql`${is(values, Placeholder) ? values : sql.param(values)}::${sql.raw(column.getSQLType())}[]`,
  );
  const names = columns.map(([column]) => columnName(column));
  return rowsOf(
    sql`unnest(${sql.join(arrays, sql`, `)}) as ${sql.identifier(alias)}(${sql.join(names, sql`, `)})`,
    alias,
    count,
  );
}

/**
 * `from`, a set of rows given as parameters (an `unnest` of arrays), limited to `count`, the
 * number of rows it has, so the limit never drops one: `(select * from <from> limit $count) as
 * alias`. The limit is there for PostgreSQL's planner. A prepared statement runs on a generic
 * plan (made once) unless plans made for each call's values look cheaper, and the planner
 * counts the elements of an array it is given (one to three lines) but guesses ten for one it
 * is not: every plan for the values looked cheaper, so it planned the placement statement
 * again for every order, which cost more of PostgreSQL's time than running it (0.8 ms against
 * 0.7 ms per order, measured with pg_stat_statements' track_planning). A limit it is not given
 * it guesses at a tenth of its input, one row, no more than the values' plan has: the generic
 * plan then wins and is kept. (`plan_cache_mode = force_generic_plan` would do it for every
 * statement of a connection, and made the unprepared ones, pg-boss's, slower to plan.)
 */
export const rowsOf = (from: SQL, alias: string, count: number | Placeholder): SQL =>
  sql`(select * from ${from} limit ${is(count, Placeholder) ? count : sql.param(count)}::int4) as ${sql.identifier(alias)}`;

/** A drizzle `$with` relation as an entry of a hand-assembled WITH list: `alias as (body)`. */
export const cte = (relation: Subquery): SQL =>
  sql`${sql.identifier(relation._.alias)} as (${relation._.sql})`;
