import PgBoss from 'pg-boss';
import type { FastifyBaseLogger } from 'fastify';
import type { Placeholder, SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.js';
import { JobAdmin, type TroubledJob } from './job-admin.js';
import {
  JobDefinitions,
  retrySettings,
  type AnyJobDefinition,
  type JobName,
  type JobPayloads,
  type JobSettings,
  type RetrySettings,
} from './job-definitions.js';
import { JobEnqueue } from './job-enqueue.js';
import { JobWorkers } from './job-workers.js';
import {
  executorAdapter,
  PGBOSS_SCHEMA,
  readQueueSettings,
  wakeTriggerInstalled,
  wakeTriggerSql,
} from './pg-boss.adapter.js';

/**
 * Durable jobs on pg-boss, in Ordo's own database (PGlite or PostgreSQL alike): the one object
 * the rest of Ordo holds (`ctx.jobs`). Its parts, by role: the definitions and their settings
 * (job-definitions.ts), enqueueing through the caller's transaction (job-enqueue.ts), the
 * workers and their shutdown (job-workers.ts, job-batches.ts, queue-worker.ts, job-wake.ts),
 * the admin view (job-admin.ts), and pg-boss's tables (pg-boss.adapter.ts, the only file that
 * knows them). Every statement pg-boss runs goes through one executor adapter: on PGlite that
 * is the only connection there is, and inside a transaction it must be the transaction itself.
 */
export class Jobs<TCtx> {
  readonly boss: PgBoss;
  readonly #definitions: JobDefinitions<TCtx>;
  readonly #enqueue: JobEnqueue<TCtx>;
  readonly #workers: JobWorkers<TCtx>;
  readonly #admin: JobAdmin<TCtx>;

  constructor(
    private readonly database: Database,
    private readonly settings: JobSettings,
    private readonly logger: FastifyBaseLogger,
    definitions: AnyJobDefinition<TCtx>[],
  ) {
    this.#definitions = new JobDefinitions(definitions);
    const maintenance = Math.max(1, Math.min(60, Math.floor(settings.timeoutSeconds / 2)));
    this.boss = new PgBoss({
      db: executorAdapter(database),
      schema: PGBOSS_SCHEMA,
      migrate: true,
      supervise: true,
      schedule: true,
      maintenanceIntervalSeconds: maintenance,
      archiveFailedAfterSeconds: settings.keepFailedDays * 86_400,
      archiveCompletedAfterSeconds: 12 * 3600,
      deleteAfterDays: 7,
    });
    // A database restart must not crash the process: pg-boss reports and retries.
    this.boss.on('error', (err) => this.logger.warn({ err }, 'job runtime error'));
    this.#enqueue = new JobEnqueue(this.boss, this.#definitions, settings);
    this.#workers = new JobWorkers(this.boss, database, this.#definitions, settings, logger);
    this.#admin = new JobAdmin(database, this.#definitions);
  }

  get definitions(): AnyJobDefinition<TCtx>[] {
    return this.#definitions.all;
  }

  /**
   * Installs pg-boss's schema, creates every queue and the wake trigger. Idempotent, and safe
   * when processes start together (pg-boss takes an advisory lock). Runs with the migrations.
   */
  async install(): Promise<void> {
    const installer = new PgBoss({
      db: executorAdapter(this.database),
      schema: PGBOSS_SCHEMA,
      migrate: true,
      supervise: false,
      schedule: false,
    });
    installer.on('error', (err) => this.logger.warn({ err }, 'job schema install error'));
    await installer.start();
    try {
      await this.#installQueues(installer);
      const db = executorAdapter(this.database);
      if (!(await wakeTriggerInstalled(db))) await db.executeSql(wakeTriggerSql(), []);
    } finally {
      await installer.stop({ graceful: false, close: false, wait: true });
    }
  }

  /** One read of every queue's settings: a restart with an unchanged config changes nothing. */
  async #installQueues(installer: PgBoss): Promise<void> {
    const db = executorAdapter(this.database);
    const existing = await readQueueSettings(db, this.#definitions.names);
    for (const definition of this.#definitions.all) {
      const queue = { name: definition.name, ...retrySettings(definition, this.settings) };
      const current = existing.get(definition.name);
      if (!current) await installer.createQueue(definition.name, queue);
      else if (!sameSettings(current, queue)) await installer.updateQueue(definition.name, queue);
    }
  }

  /**
   * Enqueues a job through `executor`: pass the transaction whose commit should make the job
   * real. Returns the job id.
   */
  enqueue<N extends JobName>(
    executor: Executor,
    name: N,
    payload: JobPayloads[N],
    options: { startAfter?: Date | number } = {},
  ): Promise<string | null> {
    return this.#enqueue.enqueue(executor, name, payload, options);
  }

  /**
   * The INSERT that enqueues a job, for a statement of the caller's own (the order's): the row
   * `enqueue` writes, starting now, and only while `when` holds.
   */
  insertSql<N extends JobName>(name: N, payload: JobPayloads[N] | Placeholder, when?: SQL): SQL {
    return this.#enqueue.insertSql(name, payload, when);
  }

  /** A job's payload as its row stores it: the value of insertSql's placeholder payload. */
  data<N extends JobName>(name: N, payload: JobPayloads[N]): string {
    return this.#enqueue.data(name, payload);
  }

  /**
   * Runs a job's handler now, in this process, for an effect that should be prompt (a refund
   * the caller is waiting for). The durable copy was enqueued in the transaction that decided
   * it; both are idempotent, so this run only gets there first. A failure is logged, not
   * thrown: the queued job retries it.
   */
  async runNow<N extends JobName>(ctx: TCtx, name: N, payload: JobPayloads[N]): Promise<boolean> {
    const definition = this.#definitions.get(name);
    try {
      await definition.handler(ctx, definition.payload.parse(payload) as never, {
        id: 'inline',
        name,
        retryCount: 0,
        retryLimit: 0,
      });
      return true;
    } catch (error) {
      this.logger.warn({ err: error, job: name }, 'job run inline failed; its queued copy retries');
      return false;
    }
  }

  /** Starts the workers of every queue, and the schedules (job-workers.ts). */
  startWorker(ctx: TCtx): Promise<void> {
    return this.#workers.start(ctx);
  }

  /** Wakes a queue's worker by its id: it fetches at once instead of at its next poll. */
  notifyWorker(id: string): void {
    this.#workers.notifyWorker(id);
  }

  listTroubled(
    filter: { status?: 'retrying' | 'dead' | undefined; queue?: string | undefined },
    page: { page: number; pageSize: number },
  ): Promise<{ items: TroubledJob[]; total: number }> {
    return this.#admin.listTroubled(filter, page);
  }

  retry(id: string): Promise<TroubledJob | undefined> {
    return this.#admin.retry(id);
  }

  /**
   * Stops fetching; running jobs finish (up to `timeoutMs`). Jobs still running then are failed
   * (so this or another worker retries them, as after a crash) and abandoned: whatever they
   * settle to later is ignored, so nothing uses the database pool after the caller closes it.
   */
  stop(timeoutMs = 20_000): Promise<void> {
    return this.#workers.stop(timeoutMs);
  }
}

const sameSettings = (a: RetrySettings, b: RetrySettings) =>
  a.retryLimit === b.retryLimit &&
  a.retryDelay === b.retryDelay &&
  a.retryBackoff === b.retryBackoff &&
  a.expireInSeconds === b.expireInSeconds;
