import type { Database } from '../../db/client.js';
import type { JobDefinitions } from './job-definitions.js';
import {
  executorAdapter,
  retryTroubledJob,
  selectTroubledJobs,
  type TroubledJobRow,
} from './pg-boss.adapter.js';

/**
 * The jobs that need a person's eye, as the admin API shows them: `retrying` (failed, another
 * attempt scheduled) and `dead` (failed on the last attempt, kept for `keepFailedDays`).
 */
export interface TroubledJob {
  id: string;
  queue: string;
  status: 'retrying' | 'dead';
  payload: unknown;
  lastError: string | null;
  attempts: number;
  maxAttempts: number;
  createdAt: string;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const iso = (value: Date | string | null) =>
  value === null ? null : new Date(value).toISOString();

function toTroubledJob(row: TroubledJobRow): TroubledJob {
  return {
    id: row.id,
    queue: row.name,
    status: row.dead ? 'dead' : 'retrying',
    payload: row.data,
    lastError: row.lastError,
    attempts: row.retryCount + 1,
    maxAttempts: row.retryLimit + 1,
    createdAt: iso(row.createdOn)!,
    lastAttemptAt: iso(row.completedOn ?? row.startedOn),
    nextAttemptAt: row.dead ? null : iso(row.startAfter),
  };
}

/** The troubled jobs of Ordo's own queues; another application's jobs are not shown. */
export class JobAdmin<TCtx> {
  constructor(
    private readonly database: Database,
    private readonly definitions: JobDefinitions<TCtx>,
  ) {}

  async listTroubled(
    filter: { status?: 'retrying' | 'dead' | undefined; queue?: string | undefined },
    page: { page: number; pageSize: number },
  ): Promise<{ items: TroubledJob[]; total: number }> {
    const { rows, total } = await selectTroubledJobs(
      executorAdapter(this.database),
      {
        dead: filter.status ? [filter.status === 'dead'] : [false, true],
        queues: filter.queue ? [filter.queue] : this.definitions.names,
      },
      { limit: page.pageSize, offset: (page.page - 1) * page.pageSize },
    );
    return { items: rows.map(toTroubledJob), total };
  }

  /**
   * Runs a dead job once more (its retry limit raised by one), or brings a retrying job's next
   * attempt forward to now. Undefined when no such job is waiting for either.
   */
  async retry(id: string): Promise<TroubledJob | undefined> {
    if (!UUID.test(id)) return undefined;
    const row = await retryTroubledJob(executorAdapter(this.database), id, this.definitions.names);
    return row ? toTroubledJob(row) : undefined;
  }
}
