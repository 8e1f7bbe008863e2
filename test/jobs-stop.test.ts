import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { queryRows } from '../src/db/client.js';
import { Jobs, type AnyJobDefinition } from '../src/shared/jobs.js';
import { dropTestDatabase, openTestDatabase } from './helpers/test-app.js';
import { waitFor } from './helpers/wait.js';

// A job still running when the shutdown grace ends: `stop` fails it for a retry, and what the
// job does afterwards (here, a query once the pool is closed) reaches no caller as an
// unhandled rejection.

const settings = {
  retryLimit: 3,
  retryDelaySeconds: 1,
  timeoutSeconds: 60,
  pollingIntervalSeconds: 0.5,
  keepFailedDays: 1,
};

const rejections: unknown[] = [];
const onRejection = (reason: unknown) => rejections.push(reason);
process.on('unhandledRejection', onRejection);
afterAll(() => {
  process.off('unhandledRejection', onRejection);
});

describe('jobs.stop', () => {
  it('fails a job still running after the grace for a retry, and its later use of the closed pool is no unhandled rejection', async () => {
    const { database, url } = await openTestDatabase();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = false;
    let lateQuery: 'pending' | 'ok' | 'failed' = 'pending';
    const slow = {
      name: 'slow-probe',
      payload: z.object({}),
      handler: async () => {
        started = true;
        await gate;
        try {
          await queryRows(database.db, sql`select 1`);
          lateQuery = 'ok';
        } catch (error) {
          lateQuery = 'failed';
          throw error;
        }
      },
    } as unknown as AnyJobDefinition<unknown>;
    const jobs = new Jobs(database, settings, pino({ level: 'silent' }), [slow]);
    try {
      await jobs.install();
      await jobs.startWorker({});
      const id = await jobs.enqueue(database.db, 'slow-probe' as never, {} as never);
      await waitFor(() => started, { what: 'the job to start' });

      await jobs.stop(500);
      const [job] = await queryRows<{ state: string; retryCount: number; message: string }>(
        database.db,
        sql`select state::text as state, retry_count as "retryCount", output->>'message' as message
              from pgboss.job where id = ${id}`,
      );
      expect(job).toEqual({
        state: 'retry',
        retryCount: 0,
        message: 'the worker stopped while the job was running',
      });

      await database.close();
      release();
      await waitFor(() => lateQuery !== 'pending', { what: 'the late query' });
      expect(lateQuery).toBe('failed');
      // Give anything the runtime would do with the late failure time to surface.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(rejections).toEqual([]);
    } finally {
      release();
      await database.close().catch(() => {});
      await dropTestDatabase(url);
    }
  });
});
