import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../../../src/db/client.js';
import { waitFor } from '../../helpers/wait.js';

/** table → `rows:md5 of every row` */
export type Digest = Record<string, string>;

/**
 * A digest of everything Ordo stores: every row of every table of Ordo's schema and the
 * gateway's, and the jobs enqueued (by queue and payload: pg-boss's own bookkeeping columns
 * move without anyone asking). Equal digests mean no row was added, changed or removed.
 */
export async function stateDigest(db: Executor): Promise<Digest> {
  const tables = await queryRows<{ schema: string; name: string }>(
    db,
    sql`select table_schema as schema, table_name as name from information_schema.tables
        where table_schema in ('public', 'gateway') and table_type = 'BASE TABLE'
        order by 1, 2`,
  );
  const parts = tables.map(
    ({ schema, name }) =>
      `select '${schema}.${name}' as t, count(*)::int as n,
         md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as h
       from "${schema}"."${name}" x`,
  );
  parts.push(
    `select 'pgboss.job' as t, count(*)::int as n,
       md5(coalesce(string_agg(name || ':' || data::text, '|' order by name, data::text), '')) as h
     from pgboss.job`,
  );
  const rows = await queryRows<{ t: string; n: number; h: string }>(
    db,
    sql.raw(parts.join('\nunion all\n')),
  );
  return Object.fromEntries(rows.map((r) => [r.t, `${r.n}:${r.h}`]));
}

/**
 * Waits until nothing changes any more (webhooks of earlier payments arrive on their own):
 * the same digest twice, a quarter of a second apart.
 */
export async function quiescentDigest(db: Executor): Promise<Digest> {
  let last = await stateDigest(db);
  let settled: Digest | undefined;
  await waitFor(
    async () => {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const next = await stateDigest(db);
      const same = JSON.stringify(next) === JSON.stringify(last);
      last = next;
      if (same) settled = next;
      return same;
    },
    { what: 'the stored state to stop changing', timeoutMs: 20_000 },
  );
  return settled!;
}
