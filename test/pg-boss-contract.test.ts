import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../src/config.js';
import { queryRows, type Database, type Executor } from '../src/db/client.js';
import { allJobs } from '../src/jobs.js';
import { Jobs, type AnyJobDefinition, type JobName } from '../src/shared/jobs.js';
import {
  JOB_TABLE_COLUMNS,
  PGBOSS_SCHEMA,
  PGBOSS_SCHEMA_VERSION,
} from '../src/shared/jobs/pg-boss.adapter.js';
import { dropTestDatabase, openTestDatabase } from './helpers/test-app.js';

// The contract between Ordo and pg-boss's private tables (src/shared/jobs/pg-boss.adapter.ts):
// the job row Ordo writes inside its own statements (`jobs.insertSql`) is, column by column,
// the row pg-boss's `send` writes, and the table is the one the adapter was written for. A
// pg-boss upgrade that changes either fails here before it reaches an order.

const logger = pino({ level: 'silent' });
const schema = sql.identifier(PGBOSS_SCHEMA);

let database: Database;
let url: string | undefined;

beforeAll(async () => {
  ({ database, url } = await openTestDatabase());
});
afterAll(async () => {
  await database?.close();
  await dropTestDatabase(url);
});

class RolledBack extends Error {}

/** Every column of a job but its id, as one JSON value. */
async function jobRow(tx: Executor, id: string | null | undefined) {
  const [row] = await queryRows<{ row: Record<string, unknown> }>(
    tx,
    sql`select to_jsonb(j) - 'id' as row from ${schema}.job j where j.id = ${id}::uuid`,
  );
  return row?.row;
}

/**
 * The job each way writes, in one transaction (so `now()`, and with it every timestamp, is the
 * same for both), rolled back afterwards.
 */
async function insertedAndSent<TCtx>(jobs: Jobs<TCtx>, name: string, payload: object) {
  let rows: { inserted: unknown; sent: unknown } | undefined;
  const job = name as JobName;
  await database.db
    .transaction(async (tx) => {
      const [written] = await queryRows<{ id: string }>(
        tx,
        sql`${jobs.insertSql(job, payload as never)} returning id`,
      );
      const inserted = await jobRow(tx, written?.id);
      // A queue whose policy allows one waiting job at a time would refuse the second.
      await queryRows(tx, sql`delete from ${schema}.job where id = ${written?.id}::uuid`);
      const sent = await jobRow(tx, await jobs.enqueue(tx, job, payload as never));
      rows = { inserted, sent };
      throw new RolledBack();
    })
    .catch((error: unknown) => {
      if (!(error instanceof RolledBack)) throw error;
    });
  return rows!;
}

/** A payload that passes a job's schema: Ordo's payloads are ids, and a few sequence numbers. */
const payloadFor = (definition: AnyJobDefinition<unknown>) =>
  Object.fromEntries(
    Object.entries((definition.payload as z.ZodObject).shape).map(([key, field]) => [
      key,
      field instanceof z.ZodNumber ? 7 : randomUUID(),
    ]),
  );

describe('the pg-boss contract', () => {
  it('pgboss.job has exactly the columns the adapter knows, at the schema version it was written for', async () => {
    const columns = await queryRows<{ name: string }>(
      database.db,
      sql`select column_name as name from information_schema.columns
           where table_schema = ${PGBOSS_SCHEMA} and table_name = 'job'`,
    );
    expect(columns.map((c) => c.name).sort()).toEqual(Object.keys(JOB_TABLE_COLUMNS).sort());
    const [version] = await queryRows<{ version: number }>(
      database.db,
      sql`select version from ${schema}.version`,
    );
    expect(version?.version).toBe(PGBOSS_SCHEMA_VERSION);
  });

  it("insertSql writes, for every job Ordo defines, send's row column by column", async () => {
    const config = loadConfig({ NODE_ENV: 'test' });
    const jobs = new Jobs(database, { ...config.jobs, keepFailedDays: 30 }, logger, allJobs);
    await jobs.install();
    for (const definition of allJobs) {
      const payload = payloadFor(definition as AnyJobDefinition<unknown>);
      const { inserted, sent } = await insertedAndSent(jobs, definition.name, payload);
      expect(sent, definition.name).toMatchObject({ name: definition.name, state: 'created' });
      expect(inserted, definition.name).toEqual(sent);
    }
  });

  it("insertSql takes the queue's policy, dead letter and retention as send does", async () => {
    const probe = (name: string, retryLimit?: number) =>
      ({
        name,
        payload: z.object({ n: z.number() }),
        handler: async () => {},
        retryLimit,
      }) as AnyJobDefinition<unknown>;
    const settings = {
      retryLimit: 5,
      retryDelaySeconds: 0, // with backoff, send makes it at least a second
      timeoutSeconds: 90,
      pollingIntervalSeconds: 1,
      keepFailedDays: 1,
    };
    const jobs = new Jobs(database, settings, logger, [
      probe('contract-plain'),
      probe('contract-kept', 0),
    ]);
    await jobs.install();
    await queryRows(
      database.db,
      sql`update ${schema}.queue set policy = 'short', retention_minutes = 90,
            dead_letter = 'contract-plain' where name = 'contract-kept'`,
    );
    for (const name of ['contract-plain', 'contract-kept']) {
      const { inserted, sent } = await insertedAndSent(jobs, name, { n: 1 });
      expect(inserted, name).toEqual(sent);
    }
    const { sent } = await insertedAndSent(jobs, 'contract-kept', { n: 2 });
    const { keep_until, start_after } = sent as Record<string, string>;
    expect(Date.parse(keep_until!) - Date.parse(start_after!)).toBe(90 * 60_000);
    expect(sent).toMatchObject({
      policy: 'short',
      dead_letter: 'contract-plain',
      retry_limit: 0,
      retry_delay: 1,
      expire_in: '00:01:30',
    });
  });
});
