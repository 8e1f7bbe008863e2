import type PgBoss from 'pg-boss';
import { is, Placeholder, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import {
  retrySettings,
  type JobDefinitions,
  type JobName,
  type JobPayloads,
  type JobSettings,
} from './job-definitions.js';
import { executorAdapter, insertJobSql } from './pg-boss.adapter.js';

/**
 * Enqueueing, always through the caller's transaction: a rolled-back change enqueues nothing
 * and a committed one cannot lose its job. The payload is checked against the job's schema
 * before it is written, and each job gets its queue's retry and expiry settings.
 */
export class JobEnqueue<TCtx> {
  constructor(
    private readonly boss: PgBoss,
    private readonly definitions: JobDefinitions<TCtx>,
    private readonly settings: JobSettings,
  ) {}

  /** Sends a job through `executor` (pg-boss's `send`). Returns the job id. */
  async enqueue<N extends JobName>(
    executor: Executor,
    name: N,
    payload: JobPayloads[N],
    options: { startAfter?: Date | number } = {},
  ): Promise<string | null> {
    const definition = this.definitions.get(name);
    const data = definition.payload.parse(payload) as object;
    return this.boss.send(name, data, {
      db: executorAdapter(executor, { prepared: true }),
      ...retrySettings(definition, this.settings),
      ...options,
    });
  }

  /**
   * The INSERT that enqueues a job, for a statement of the caller's own (`insertJobSql`, see
   * pg-boss.adapter.ts): the row `enqueue` writes, starting now, and only while `when` holds
   * (say, `exists (select 1 from o)`: the order was written). The payload may be a placeholder,
   * for a statement built once: `data` gives its value for each run.
   */
  insertSql<N extends JobName>(
    name: N,
    payload: JobPayloads[N] | Placeholder,
    when: SQL = sql`true`,
  ): SQL {
    const definition = this.definitions.get(name);
    const data = is(payload, Placeholder) ? payload : this.data(name, payload as JobPayloads[N]);
    return insertJobSql(name, data, retrySettings(definition, this.settings), when);
  }

  /** A job's payload as its row stores it, checked against the job's schema. */
  data<N extends JobName>(name: N, payload: JobPayloads[N]): string {
    return JSON.stringify(this.definitions.get(name).payload.parse(payload));
  }
}
