import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openDatabase, queryRows, type Database } from '../src/db/client.js';
import { SAFETY_POLL_SECONDS } from '../src/shared/jobs/job-wake.js';
import { Jobs, PGBOSS_SCHEMA, type AnyJobDefinition } from '../src/shared/jobs.js';
import { sql } from 'drizzle-orm';
import { dropTestDatabase, openTestDatabase } from './helpers/test-app.js';
import { waitFor } from './helpers/wait.js';

// Workers are woken by the job table's trigger, not by polling: these jobs are delivered well
// inside the workers' own polling interval (SAFETY_POLL_SECONDS), which only a wake-up can do.
const WITHIN = { timeoutMs: (SAFETY_POLL_SECONDS * 1000) / 3 };

const logger = pino({ level: 'silent' });
const settings = {
  retryLimit: 3,
  retryDelaySeconds: 1,
  timeoutSeconds: 60,
  pollingIntervalSeconds: 0.5,
  keepFailedDays: 1,
};

let database: Database;
let url: string | undefined;
let jobs: Jobs<unknown>;
const handled: { n: number; attempt: number }[] = [];
const failFirst = new Set<number>();

const probe = {
  name: 'wake-probe',
  payload: z.object({ n: z.number() }),
  handler: async (_ctx: unknown, payload: { n: number }, job: { retryCount: number }) => {
    handled.push({ n: payload.n, attempt: job.retryCount + 1 });
    if (failFirst.has(payload.n) && job.retryCount === 0) throw new Error('first attempt fails');
  },
} as unknown as AnyJobDefinition<unknown>;

const send = (executor: Parameters<Jobs<unknown>['enqueue']>[0], n: number) =>
  jobs.enqueue(executor, 'wake-probe' as never, { n } as never);

const ran = (n: number, attempt = 1) =>
  handled.some((h) => h.n === n && h.attempt === attempt) || undefined;

beforeAll(async () => {
  ({ database, url } = await openTestDatabase());
  jobs = new Jobs(database, settings, logger, [probe]);
  await jobs.install();
  await jobs.startWorker({});
});
afterAll(async () => {
  await jobs?.stop();
  await database?.close();
  await dropTestDatabase(url);
});

describe('job wake-up', () => {
  it('a job enqueued in a committed transaction wakes its worker; one rolled back is never run', async () => {
    await database.db
      .transaction(async (tx) => {
        await send(tx, 1);
        throw new Error('roll back');
      })
      .catch(() => {});
    await database.db.transaction((tx) => send(tx, 2));
    await waitFor(() => ran(2), { ...WITHIN, what: 'the committed job' });
    expect(handled.filter((h) => h.n === 1)).toEqual([]);
    const rows = await queryRows<{ n: number }>(
      database.db,
      sql`select (data->>'n')::int as n from ${sql.identifier(PGBOSS_SCHEMA)}.job where name = 'wake-probe'`,
    );
    expect(rows.map((r) => r.n)).not.toContain(1);
  });

  it('a failed job is woken again when its retry is due', async () => {
    failFirst.add(3);
    await database.db.transaction((tx) => send(tx, 3));
    await waitFor(() => ran(3, 2), { ...WITHIN, what: 'the second attempt' });
    expect(handled.filter((h) => h.n === 3).map((h) => h.attempt)).toEqual([1, 2]);
  });

  it.skipIf(!process.env.DATABASE_URL)(
    'PostgreSQL: a job enqueued by another process wakes the worker, also after its listening connection was cut',
    async () => {
      // Another process's pool and job runtime, as an `ordo api` process has.
      const other = await openDatabase({ databaseUrl: url!, poolSize: 2 });
      try {
        const sender = new Jobs(other, settings, logger, [probe]);
        const sendOther = (n: number) =>
          other.db.transaction((tx) => sender.enqueue(tx, 'wake-probe' as never, { n } as never));
        await sendOther(4);
        await waitFor(() => ran(4), { ...WITHIN, what: "the other process's job" });

        const cut = await queryRows<{ cut: boolean }>(
          other.db,
          sql`select pg_terminate_backend(pid) as cut from pg_stat_activity
               where datname = current_database() and query ilike 'listen ordo_jobs'`,
        );
        expect(cut.length).toBeGreaterThan(0);
        await sendOther(5);
        await waitFor(() => ran(5), { ...WITHIN, what: 'the job sent while reconnecting' });
        // Reconnected: listening again.
        await waitFor(
          async () =>
            (
              await queryRows<{ n: number }>(
                other.db,
                sql`select count(*)::int as n from pg_stat_activity
                     where datname = current_database() and query ilike 'listen ordo_jobs'`,
              )
            )[0]!.n > 0,
          { what: 'the listening connection to be back' },
        );
        await sendOther(6);
        await waitFor(() => ran(6), { ...WITHIN, what: 'the job sent after reconnecting' });
      } finally {
        await other.close();
      }
    },
  );
});
