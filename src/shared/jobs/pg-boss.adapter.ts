import type PgBoss from 'pg-boss';
import { sql, type Placeholder, type SQL } from 'drizzle-orm';
import {
  driverClient,
  queryRows,
  statementName,
  type Database,
  type Db,
  type Executor,
} from '../../db/client.js';
import type { RetrySettings } from './job-definitions.js';
import { WAKE_CHANNEL } from './job-wake.js';

/**
 * The one file that knows pg-boss's tables (pg-boss 10, schema version 24). Everything else in
 * Ordo uses pg-boss's API (`send`, `fetch`, `complete`, `fail`, `createQueue`, `schedule`).
 *
 * Why Ordo touches pg-boss's private tables at all: the API cannot
 * - write a job inside a statement of Ordo's own: the confirmation job of an order is written
 *   by the order's statement (`insertJobSql`), one round trip instead of two on the hottest path;
 * - list failed and retrying jobs across queues for a person, or give a dead job one more attempt;
 * - count every queue's waiting, retrying and dead jobs in one grouped read for the metrics;
 * - wake a worker at commit when a job becomes ready (a trigger on the job table).
 * A pg-boss upgrade that changes these tables must change this file, and
 * test/pg-boss-contract.test.ts fails until it does: it compares every column `insertJobSql`
 * writes with the row `send` writes, and the table's columns and schema version with the ones
 * below.
 */

export const PGBOSS_SCHEMA = 'pgboss';
/** pg-boss's schema version (`pgboss.version`) this file was written against. */
export const PGBOSS_SCHEMA_VERSION = 24;

/**
 * Every column of `pgboss.job`, and how `insertJobSql` fills it: `written` as `send` would, or
 * `default`, left to the table's default as `send` leaves it for a job without a singleton key.
 */
export const JOB_TABLE_COLUMNS = {
  id: 'default',
  name: 'written',
  priority: 'written',
  data: 'written',
  state: 'default',
  retry_limit: 'written',
  retry_count: 'default',
  retry_delay: 'written',
  retry_backoff: 'written',
  start_after: 'written',
  started_on: 'default',
  singleton_key: 'default',
  singleton_on: 'default',
  expire_in: 'written',
  created_on: 'default',
  completed_on: 'default',
  keep_until: 'written',
  output: 'default',
  dead_letter: 'written',
  policy: 'written',
} as const;

/**
 * pg-boss's `Db`: runs SQL through an Ordo executor (the pool, PGlite, or a transaction).
 * With `prepared`, PostgreSQL parses and plans each statement once per connection (pg's named
 * statements): for a hot path that runs the same statement every time, such as enqueueing a
 * job with every order. PGlite runs in-process and has no such cost to save.
 */
export function executorAdapter(
  executor: Executor | Database,
  { prepared = false }: { prepared?: boolean } = {},
): PgBoss.Db {
  const client = driverClient(executor);
  const named = prepared && !client.exec;
  return {
    async executeSql(text: string, values?: unknown[]) {
      if (values && values.length > 0) {
        return named
          ? client.query({ name: statementName(text), text, values })
          : client.query(text, values);
      }
      // Several statements in one string (pg-boss's locked maintenance commands): PGlite's
      // `query` runs one statement only, so use `exec` there and answer with the last result.
      if (client.exec) {
        const results = await client.exec(text);
        return { rows: results.at(-1)?.rows ?? [] };
      }
      const result = await client.query(text);
      return Array.isArray(result)
        ? { rows: (result.at(-1) as { rows: unknown[] })?.rows ?? [] }
        : result;
    },
  };
}

/**
 * The INSERT of one job that runs only while `when` holds, as `send` writes it (pg-boss 10's
 * insertJob): the given retry and expiry settings, the queue's policy, dead letter and
 * retention, starting now. The wake trigger fires on it alike.
 */
export function insertJobSql(
  name: string,
  data: string | Placeholder,
  settings: RetrySettings,
  when: SQL,
): SQL {
  const { retryLimit, retryDelay, retryBackoff, expireInSeconds } = settings;
  // As `send`: a backoff's delay is at least a second.
  const delay = retryBackoff ? Math.max(retryDelay, 1) : retryDelay;
  return sql`insert into ${sql.raw(PGBOSS_SCHEMA)}.job (name, data, priority, start_after,
        dead_letter, expire_in, keep_until, retry_limit, retry_delay, retry_backoff, policy)
      select q.name, ${data}::jsonb, 0, now(), q.dead_letter,
             ${expireInSeconds}::int * interval '1s',
             now() + coalesce(q.retention_minutes * interval '1 minute', interval '14 days'),
             ${retryLimit}::int, ${delay}::int, ${retryBackoff}::boolean, q.policy
        from ${sql.raw(PGBOSS_SCHEMA)}.queue q
       where q.name = ${name} and ${when}`;
}

/** The retry and expiry settings of the queues that exist among `names`, in one read. */
export async function readQueueSettings(
  db: PgBoss.Db,
  names: string[],
): Promise<Map<string, RetrySettings>> {
  const { rows } = await db.executeSql(
    `select name, retry_limit as "retryLimit", retry_delay as "retryDelay",
            retry_backoff as "retryBackoff", expire_seconds as "expireInSeconds"
       from ${PGBOSS_SCHEMA}.queue where name = any($1::text[])`,
    [names],
  );
  return new Map((rows as (RetrySettings & { name: string })[]).map((row) => [row.name, row]));
}

/** A job as the admin view shows it: `dead` is pg-boss's `failed` state, else it is `retry`. */
export interface TroubledJobRow {
  id: string;
  name: string;
  dead: boolean;
  data: unknown;
  lastError: string | null;
  retryCount: number;
  retryLimit: number;
  createdOn: Date | string;
  startedOn: Date | string | null;
  completedOn: Date | string | null;
  startAfter: Date | string;
}

const troubledColumns = `id, name, state = 'failed' as dead, data, output->>'message' as "lastError",
  retry_count as "retryCount", retry_limit as "retryLimit", created_on as "createdOn",
  started_on as "startedOn", completed_on as "completedOn", start_after as "startAfter"`;

/** A page of the jobs of `queues` that failed: dead, retrying, or both; the latest first. */
export async function selectTroubledJobs(
  db: PgBoss.Db,
  filter: { dead: boolean[]; queues: string[] },
  page: { limit: number; offset: number },
): Promise<{ rows: TroubledJobRow[]; total: number }> {
  const states = filter.dead.map((dead) => (dead ? 'failed' : 'retry'));
  const where = `state::text = any($1::text[]) and name = any($2::text[])`;
  const { rows } = await db.executeSql(
    `select ${troubledColumns} from ${PGBOSS_SCHEMA}.job where ${where}
      order by coalesce(completed_on, started_on, created_on) desc, id
      limit $3 offset $4`,
    [states, filter.queues, page.limit, page.offset],
  );
  const counted = await db.executeSql(
    `select count(*)::int as n from ${PGBOSS_SCHEMA}.job where ${where}`,
    [states, filter.queues],
  );
  const total = Number((counted.rows[0] as { n: number } | undefined)?.n ?? 0);
  return { rows: rows as TroubledJobRow[], total };
}

/**
 * Sets a dead job back to `retry` with its retry limit raised by one, or a retrying job's next
 * attempt to now; undefined when `id` is neither, in `queues`.
 */
export async function retryTroubledJob(
  db: PgBoss.Db,
  id: string,
  queues: string[],
): Promise<TroubledJobRow | undefined> {
  const { rows } = await db.executeSql(
    `update ${PGBOSS_SCHEMA}.job
        set state = 'retry',
            retry_limit = case when state = 'failed' then greatest(retry_limit, retry_count) + 1 else retry_limit end,
            start_after = now()
      where id = $1 and state in ('failed', 'retry') and name = any($2::text[])
      returning ${troubledColumns}`,
    [id, queues],
  );
  return rows[0] as TroubledJobRow | undefined;
}

/** Each queue's jobs waiting (due or not), retrying and dead, and the age of the oldest due one. */
export interface QueueCounts {
  queue: string;
  waiting: number;
  retrying: number;
  dead: number;
  /** Seconds. */
  oldest: number;
}

export function readQueueCounts(db: Db): Promise<QueueCounts[]> {
  return queryRows<QueueCounts>(
    db,
    sql`select q.name as queue,
        count(j.id) filter (where j.state in ('created', 'retry'))::bigint as waiting,
        count(j.id) filter (where j.state = 'retry')::bigint as retrying,
        count(j.id) filter (where j.state = 'failed')::bigint as dead,
        coalesce(extract(epoch from now() - min(j.created_on)
          filter (where j.state in ('created', 'retry') and j.start_after <= now())), 0)::float8 as oldest
      from ${sql.identifier(PGBOSS_SCHEMA)}.queue q
      left join ${sql.identifier(PGBOSS_SCHEMA)}.job j
        on j.name = q.name and j.state in ('created', 'retry', 'failed')
      group by q.name`,
  );
}

const TRIGGER_VERSION = 'ordo job wake v1';

/**
 * The wake trigger (job-wake.ts): notifies `ordo_jobs` with the queue and the delay until the
 * job may start, for every job that becomes fetchable (inserted, or set to `retry` or due again).
 * Installed with pg-boss's schema, idempotent, under a lock so processes take turns.
 */
export function wakeTriggerSql(): string {
  const schema = PGBOSS_SCHEMA;
  return `
    begin;
    select pg_advisory_xact_lock(7361402918);
    create or replace function ${schema}.ordo_job_ready() returns trigger language plpgsql as $$
    begin
      perform pg_notify('${WAKE_CHANNEL}', json_build_object(
        'queue', new.name,
        'inMs', greatest(0, ceil(extract(epoch from new.start_after - now()) * 1000))
      )::text);
      return null;
    end $$;
    create or replace trigger ordo_job_ready after insert or update of state, start_after
      on ${schema}.job for each row when (new.state in ('created', 'retry'))
      execute function ${schema}.ordo_job_ready();
    comment on function ${schema}.ordo_job_ready() is '${TRIGGER_VERSION}';
    commit;`;
}

/** Whether this version of the trigger is in place (a worker without it polls as configured). */
export async function wakeTriggerInstalled(db: PgBoss.Db): Promise<boolean> {
  const schema = PGBOSS_SCHEMA;
  const { rows } = await db.executeSql(
    `select coalesce(
      obj_description(to_regprocedure('${schema}.ordo_job_ready()'), 'pg_proc') = '${TRIGGER_VERSION}'
      and exists (select 1 from pg_trigger where tgname = 'ordo_job_ready'
                   and tgrelid = to_regclass('${schema}.job')), false) as current`,
    [],
  );
  return Boolean((rows[0] as { current?: boolean } | undefined)?.current);
}
