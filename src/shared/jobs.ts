import { randomUUID } from 'node:crypto';
import PgBoss from 'pg-boss';
import type { FastifyBaseLogger } from 'fastify';
import type { Logger } from 'pino';
import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import {
  driverClient,
  openDatabase,
  statementName,
  type Database,
  type Executor,
} from '../db/client.js';
import { JobWake, SAFETY_POLL_SECONDS, wakeTriggerInstalled, wakeTriggerSql } from './job-wake.js';

/**
 * Durable jobs on pg-boss, in Ordo's own database (PGlite or PostgreSQL alike).
 *
 * Side effects are enqueued with `enqueue(tx, name, payload)` inside the transaction that
 * causes them, so a rolled-back change enqueues nothing and a committed one cannot lose its
 * job. Every statement pg-boss runs goes through one executor adapter: on PGlite that is the
 * only connection there is, and inside a transaction it must be the transaction itself.
 */

/** Job names and their payloads. Each module adds its jobs by declaration merging. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface JobPayloads {}
export type JobName = Extract<keyof JobPayloads, string>;

export interface JobMeta {
  id: string;
  name: string;
  retryCount: number;
  retryLimit: number;
}

export interface JobDefinition<TCtx, N extends JobName = JobName> {
  name: N;
  payload: z.ZodType<JobPayloads[N]>;
  handler: (ctx: TCtx, payload: JobPayloads[N], job: JobMeta) => Promise<void>;
  /** Cron expression (UTC) for scheduled jobs. */
  cron?: string;
  /** Overrides of the runtime's retry settings (housekeeping needs fewer retries than mail). */
  retryLimit?: number;
  /** Jobs fetched per poll; each is completed or failed on its own. */
  batchSize?: number;
  /** Batches of this queue handled side by side, each fetched by its own loop (default 1). */
  concurrency?: number;
  /**
   * Handles a whole batch at once (one read and one write for all of its jobs, say) where
   * `handler` would take them one by one. Answers each job's outcome, in the order given:
   * undefined when it is done, the error when it failed (that job alone is retried). A throw
   * fails the whole batch. `handler` still runs a single job (`runNow`).
   */
  handleBatch?: (ctx: TCtx, jobs: BatchJob<JobPayloads[N]>[]) => Promise<(Error | undefined)[]>;
}

/** A job of a batch, as `handleBatch` gets it. */
export interface BatchJob<P> {
  payload: P;
  job: JobMeta;
}

export interface JobSettings {
  retryLimit: number;
  retryDelaySeconds: number;
  /** An active job not finished in this time is failed and retried (its worker died). */
  timeoutSeconds: number;
  pollingIntervalSeconds: number;
  /** Failed (dead) jobs stay visible this long before pg-boss archives them. */
  keepFailedDays: number;
}

/** A job definition with its payload type erased, as the runtime keeps them. */
export interface AnyJobDefinition<TCtx> {
  name: string;
  payload: z.ZodType;
  handler: (ctx: TCtx, payload: never, job: JobMeta) => Promise<void>;
  cron?: string | undefined;
  retryLimit?: number | undefined;
  batchSize?: number | undefined;
  concurrency?: number | undefined;
  handleBatch?:
    ((ctx: TCtx, jobs: BatchJob<never>[]) => Promise<(Error | undefined)[]>) | undefined;
}

/** Declares a job: the payload schema checks what is enqueued and what a worker reads back. */
export const defineJob = <TCtx, N extends JobName>(definition: JobDefinition<TCtx, N>) =>
  definition as unknown as AnyJobDefinition<TCtx>;

/** The payload of a scheduled job that needs none. */
export const emptyPayload = z.object({}).strict() as z.ZodType<Record<string, never>>;

export const PGBOSS_SCHEMA = 'pgboss';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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

interface RawJob {
  id: string;
  name: string;
  state: string;
  data: unknown;
  output: { message?: string } | null;
  retryCount: number;
  retryLimit: number;
  createdOn: Date | string;
  startedOn: Date | string | null;
  completedOn: Date | string | null;
  startAfter: Date | string;
}

const iso = (value: Date | string | null) =>
  value === null ? null : new Date(value).toISOString();

function toTroubledJob(row: RawJob): TroubledJob {
  const dead = row.state === 'failed';
  return {
    id: row.id,
    queue: row.name,
    status: dead ? 'dead' : 'retrying',
    payload: row.data,
    lastError: row.output?.message ?? null,
    attempts: row.retryCount + 1,
    maxAttempts: row.retryLimit + 1,
    createdAt: iso(row.createdOn)!,
    lastAttemptAt: iso(row.completedOn ?? row.startedOn),
    nextAttemptAt: dead ? null : iso(row.startAfter),
  };
}

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

export class Jobs<TCtx> {
  readonly boss: PgBoss;
  readonly #definitions = new Map<string, AnyJobDefinition<TCtx>>();
  readonly #workers = new Map<string, QueueWorker>();
  readonly #running = new Set<RunningBatch>();
  #own: Database | undefined;
  #wake: JobWake | undefined;

  constructor(
    private readonly database: Database,
    private readonly settings: JobSettings,
    private readonly logger: FastifyBaseLogger,
    definitions: AnyJobDefinition<TCtx>[],
  ) {
    for (const definition of definitions) this.#definitions.set(definition.name, definition);
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
  }

  get definitions(): AnyJobDefinition<TCtx>[] {
    return [...this.#definitions.values()];
  }

  /**
   * Installs pg-boss's schema and creates every queue. Idempotent, and safe when processes
   * start together (pg-boss takes an advisory lock). Runs with the migrations.
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
      // One read of every queue's settings: a restart with an unchanged config changes nothing.
      const db = executorAdapter(this.database);
      const { rows } = await db.executeSql(
        `select name, retry_limit as "retryLimit", retry_delay as "retryDelay",
                retry_backoff as "retryBackoff", expire_seconds as "expireInSeconds"
           from ${PGBOSS_SCHEMA}.queue where name = any($1::text[])`,
        [[...this.#definitions.keys()]],
      );
      const existing = new Map((rows as { name: string }[]).map((row) => [row.name, row]));
      for (const definition of this.#definitions.values()) {
        const queue = { name: definition.name, ...this.#retrySettings(definition) };
        const current = existing.get(definition.name) as typeof queue | undefined;
        if (!current) {
          await installer.createQueue(definition.name, queue);
        } else if (
          current.retryLimit !== queue.retryLimit ||
          current.retryDelay !== queue.retryDelay ||
          current.retryBackoff !== queue.retryBackoff ||
          current.expireInSeconds !== queue.expireInSeconds
        ) {
          await installer.updateQueue(definition.name, queue);
        }
      }
      if (!(await wakeTriggerInstalled(db, PGBOSS_SCHEMA))) {
        await db.executeSql(wakeTriggerSql(PGBOSS_SCHEMA), []);
      }
    } finally {
      await installer.stop({ graceful: false, close: false, wait: true });
    }
  }

  /**
   * Enqueues a job through `executor`: pass the transaction whose commit should make the job
   * real. Returns the job id.
   */
  async enqueue<N extends JobName>(
    executor: Executor,
    name: N,
    payload: JobPayloads[N],
    options: { startAfter?: Date | number } = {},
  ): Promise<string | null> {
    const definition = this.#definitions.get(name);
    if (!definition) throw new Error(`unknown job ${name}`);
    const data = definition.payload.parse(payload) as object;
    return this.boss.send(name, data, {
      db: executorAdapter(executor, { prepared: true }),
      ...this.#retrySettings(definition),
      ...options,
    });
  }

  /** A job's retry and expiry settings: its queue's, and each job's as it is sent. */
  #retrySettings(definition: AnyJobDefinition<TCtx>) {
    return {
      retryLimit: definition.retryLimit ?? this.settings.retryLimit,
      retryDelay: this.settings.retryDelaySeconds,
      retryBackoff: true,
      expireInSeconds: this.settings.timeoutSeconds,
    };
  }

  /**
   * The INSERT that enqueues a job, for a statement of the caller's own: a job that goes with
   * an order is written in the order's statement, one round trip instead of two (pg-boss's
   * `send` is a statement of its own). Writes the row `enqueue` writes: the same retry and
   * expiry settings, the queue's policy, dead letter and retention, starting now, and only
   * while `when` holds (say, `exists (select 1 from o)`: the order was written). pg-boss's
   * table, as `send` fills it (pg-boss 10's insertJob); the wake trigger fires on it alike.
   */
  insertSql<N extends JobName>(name: N, payload: JobPayloads[N], when: SQL = sql`true`): SQL {
    const definition = this.#definitions.get(name);
    if (!definition) throw new Error(`unknown job ${name}`);
    const data = JSON.stringify(definition.payload.parse(payload));
    const { retryLimit, retryDelay, retryBackoff, expireInSeconds } =
      this.#retrySettings(definition);
    // pg-boss's send: a backoff's delay is at least a second.
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

  /**
   * Runs a job's handler now, in this process, for an effect that should be prompt (a refund
   * the caller is waiting for). The durable copy was enqueued in the transaction that decided
   * it; both are idempotent, so this run only gets there first. A failure is logged, not
   * thrown: the queued job retries it.
   */
  async runNow<N extends JobName>(ctx: TCtx, name: N, payload: JobPayloads[N]): Promise<boolean> {
    const definition = this.#definitions.get(name);
    if (!definition) throw new Error(`unknown job ${name}`);
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

  /**
   * Starts the workers of every queue, and the schedules. Any number of processes may do this
   * at once. A worker is woken when a job is ready (job-wake.ts) and otherwise polls rarely; in
   * a database without the wake-up trigger it polls every `pollingIntervalSeconds`, as before.
   *
   * The loops are Ordo's own over pg-boss's fetch, complete and fail (not `boss.work`), so
   * every statement they run is awaited and `stop` knows what is still running: a job left
   * running at shutdown is failed for a retry before the pool closes, and nothing it does
   * afterwards touches the database through the runtime.
   */
  async startWorker(ctx: TCtx): Promise<void> {
    await this.boss.start();
    // On PostgreSQL the workers have connections of their own, for their fetches and completions
    // and for the handlers' statements: on the shared pool each of a batch's few statements
    // queued behind the HTTP requests waiting for a connection (32 at once under load), which
    // put seconds on the email lag while the worker itself was idle.
    const own =
      this.database.kind === 'postgres'
        ? await openDatabase({
            databaseUrl: this.database.pool.options.connectionString,
            poolSize: WORKER_CONNECTIONS,
            logger: this.logger as Logger,
          })
        : undefined;
    this.#own = own;
    const db = executorAdapter(own ?? this.database);
    const workerCtx = own ? withDatabase(ctx, own) : ctx;
    const woken = await wakeTriggerInstalled(executorAdapter(this.database), PGBOSS_SCHEMA);
    const wake = woken
      ? new JobWake(this, this.database, this.settings.pollingIntervalSeconds, this.logger)
      : undefined;
    const pollingIntervalSeconds = woken
      ? Math.max(SAFETY_POLL_SECONDS, this.settings.pollingIntervalSeconds)
      : this.settings.pollingIntervalSeconds;
    for (const definition of this.#definitions.values()) {
      const batchSize = definition.batchSize ?? 10;
      const siblings: QueueWorker[] = [];
      for (let i = 0; i < (definition.concurrency ?? 1); i++) {
        const worker = new QueueWorker(pollingIntervalSeconds * 1000, async () => {
          const jobs = await this.boss.fetch<object>(definition.name, {
            batchSize,
            includeMetadata: true,
            priority: true,
            db,
          });
          if (jobs.length === 0) return false;
          // A full batch suggests more are waiting: the other loops fetch alongside this one.
          const full = jobs.length === batchSize;
          if (full) for (const other of siblings) if (other !== worker) other.notify();
          await this.#runBatch(workerCtx, db, definition, jobs);
          return full;
        });
        siblings.push(worker);
        worker.siblings = siblings;
        this.#workers.set(worker.id, worker);
        worker.start(this.logger);
      }
      wake?.add(definition.name, siblings[0]!.id);
      if (definition.cron) {
        await this.boss.schedule(definition.name, definition.cron, {}, { tz: 'UTC' });
      }
    }
    if (wake) {
      this.#wake = wake;
      await wake.start();
      wake.wakeAll(); // jobs that became due while the workers were being registered
    }
  }

  /**
   * Wakes a queue's worker (by the id `JobWake` was given): it fetches at once instead of at its
   * next poll. When that loop is busy with a batch, an idle loop of the same queue fetches
   * instead, so a job never waits for a batch it is not in while another loop sleeps.
   */
  notifyWorker(id: string): void {
    const worker = this.#workers.get(id);
    (worker?.siblings.find((w) => w.napping) ?? worker)?.notify();
  }

  /**
   * Handles one fetched batch, then completes the jobs that are done in one statement and fails
   * the others one by one (each with its error, so each retries with its own backoff). Never
   * throws: a database that cannot record the outcome leaves the jobs active until they time
   * out, and then they are retried.
   */
  async #runBatch(
    ctx: TCtx,
    db: PgBoss.Db,
    definition: AnyJobDefinition<TCtx>,
    jobs: PgBoss.JobWithMetadata<object>[],
  ): Promise<void> {
    const batch: RunningBatch = {
      name: definition.name,
      ids: jobs.map((j) => j.id),
      abandoned: false,
    };
    this.#running.add(batch);
    try {
      const outcomes = await this.#handle(ctx, definition, jobs);
      if (batch.abandoned) return; // failed by `stop` already; the pool may be closed
      const done = jobs.filter((_, i) => !outcomes[i]).map((job) => job.id);
      if (done.length > 0) await this.boss.complete(definition.name, done, { db });
      for (const [i, job] of jobs.entries()) {
        const err = outcomes[i];
        if (!err) continue;
        const last = job.retryCount >= job.retryLimit;
        this.logger[last ? 'error' : 'warn'](
          { err, job: job.name, jobId: job.id, attempt: job.retryCount + 1 },
          last ? 'job failed for good' : 'job failed; will retry',
        );
        await this.boss.fail(job.name, job.id, { message: err.message, name: err.name }, { db });
      }
    } catch (error) {
      if (!batch.abandoned) {
        this.logger.warn(
          { err: error, job: definition.name },
          'could not record the outcome of jobs; they are retried once they time out',
        );
      }
    } finally {
      this.#running.delete(batch);
    }
  }

  /** Each job's outcome: undefined when done, its error otherwise. Never throws. */
  async #handle(
    ctx: TCtx,
    definition: AnyJobDefinition<TCtx>,
    jobs: PgBoss.JobWithMetadata<object>[],
  ): Promise<(Error | undefined)[]> {
    const outcomes: (Error | undefined)[] = jobs.map(() => undefined);
    const valid: { index: number; payload: never; job: JobMeta }[] = [];
    for (const [index, job] of jobs.entries()) {
      const parsed = definition.payload.safeParse(job.data);
      if (!parsed.success) outcomes[index] = new Error(`invalid payload: ${parsed.error.message}`);
      else valid.push({ index, payload: parsed.data as never, job: metaOf(job) });
    }
    if (valid.length === 0) return outcomes;
    const { handleBatch } = definition;
    if (handleBatch) {
      try {
        const answers = await handleBatch(ctx, valid);
        for (const [i, { index }] of valid.entries()) outcomes[index] = answers[i];
      } catch (error) {
        for (const { index } of valid) outcomes[index] = error as Error;
      }
      return outcomes;
    }
    // The jobs of a batch run side by side: a slow one (an SMTP round trip) does not hold up
    // the rest.
    await Promise.all(
      valid.map(async ({ index, payload, job }) => {
        try {
          await definition.handler(ctx, payload, job);
        } catch (error) {
          outcomes[index] = error as Error;
        }
      }),
    );
    return outcomes;
  }

  /**
   * Jobs that need a person's eye: `retrying` (failed, another attempt scheduled) and `dead`
   * (failed on the last attempt: pg-boss's `failed` state, kept for `keepFailedDays`).
   */
  async listTroubled(
    filter: { status?: 'retrying' | 'dead' | undefined; queue?: string | undefined },
    page: { page: number; pageSize: number },
  ): Promise<{ items: TroubledJob[]; total: number }> {
    const db = executorAdapter(this.database);
    const states = filter.status
      ? [filter.status === 'dead' ? 'failed' : 'retry']
      : ['retry', 'failed'];
    const queues = filter.queue ? [filter.queue] : [...this.#definitions.keys()];
    const where = `state::text = any($1::text[]) and name = any($2::text[])`;
    const { rows } = await db.executeSql(
      `select id, name, state::text as state, data, output, retry_count as "retryCount",
              retry_limit as "retryLimit", created_on as "createdOn", started_on as "startedOn",
              completed_on as "completedOn", start_after as "startAfter"
         from ${PGBOSS_SCHEMA}.job where ${where}
        order by coalesce(completed_on, started_on, created_on) desc, id
        limit $3 offset $4`,
      [states, queues, page.pageSize, (page.page - 1) * page.pageSize],
    );
    const counted = await db.executeSql(
      `select count(*)::int as n from ${PGBOSS_SCHEMA}.job where ${where}`,
      [states, queues],
    );
    return {
      items: (rows as RawJob[]).map(toTroubledJob),
      total: Number((counted.rows[0] as { n: number } | undefined)?.n ?? 0),
    };
  }

  /**
   * Runs a dead job once more (pg-boss raises its retry limit by one), or brings a retrying
   * job's next attempt forward to now. Returns false when no such job is waiting for either.
   */
  async retry(id: string): Promise<TroubledJob | undefined> {
    if (!UUID.test(id)) return undefined;
    const db = executorAdapter(this.database);
    const { rows } = await db.executeSql(
      `update ${PGBOSS_SCHEMA}.job
          set state = 'retry',
              retry_limit = case when state = 'failed' then greatest(retry_limit, retry_count) + 1 else retry_limit end,
              start_after = now()
        where id = $1 and state in ('failed', 'retry') and name = any($2::text[])
        returning id, name, state::text as state, data, output, retry_count as "retryCount",
                  retry_limit as "retryLimit", created_on as "createdOn", started_on as "startedOn",
                  completed_on as "completedOn", start_after as "startAfter"`,
      [id, [...this.#definitions.keys()]],
    );
    const row = rows[0] as RawJob | undefined;
    return row ? toTroubledJob(row) : undefined;
  }

  /**
   * Stops fetching; running jobs finish (up to `timeoutMs`). Jobs still running then are failed
   * (so this or another worker retries them, as after a crash) and abandoned: whatever they
   * settle to later is ignored, so nothing uses the database pool after the caller closes it.
   */
  async stop(timeoutMs = 20_000): Promise<void> {
    await this.#wake?.stop();
    this.#wake = undefined;
    const workers = [...this.#workers.values()];
    this.#workers.clear();
    for (const worker of workers) worker.stop();
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      Promise.all(workers.map((w) => w.done)).then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (!finished) {
      for (const batch of this.#running) {
        batch.abandoned = true;
        this.logger.warn(
          { job: batch.name, jobs: batch.ids.length },
          'jobs still running at shutdown are failed for a retry',
        );
        for (const id of batch.ids) {
          await this.boss
            .fail(batch.name, id, { message: 'the worker stopped while the job was running' })
            .catch((err: unknown) =>
              this.logger.warn(
                { err, job: batch.name, jobId: id },
                'could not fail an abandoned job; it is retried once it times out',
              ),
            );
        }
      }
      this.#running.clear();
    }
    await this.boss.stop({ graceful: false, close: false, wait: true });
    await this.#own?.close();
    this.#own = undefined;
  }
}

/** The workers' own connections on PostgreSQL: two confirmation batches in hand, and one more. */
const WORKER_CONNECTIONS = 3;

/**
 * The context the handlers get when the workers have connections of their own: the same, with
 * its database swapped. A context without a database (a test's) is passed as it is.
 */
function withDatabase<TCtx>(ctx: TCtx, database: Database): TCtx {
  if (typeof ctx !== 'object' || ctx === null || !('db' in ctx) || !('database' in ctx)) return ctx;
  return { ...ctx, database, db: database.db };
}

const metaOf = (job: PgBoss.JobWithMetadata<object>): JobMeta => ({
  id: job.id,
  name: job.name,
  retryCount: job.retryCount,
  retryLimit: job.retryLimit,
});

interface RunningBatch {
  name: string;
  ids: string[];
  /** Set by `stop` when it gave up waiting: the batch's outcome is no longer recorded. */
  abandoned: boolean;
}

/**
 * One fetch-and-handle loop on a queue. `poll` fetches and handles a batch and says whether
 * another is likely waiting; otherwise the loop naps for `intervalMs` or until notified.
 */
class QueueWorker {
  readonly id = randomUUID();
  /** The loops of the same queue, this one included. */
  siblings: readonly QueueWorker[] = [];
  done: Promise<void> = Promise.resolve();
  #stopping = false;
  #notified = false;
  #wakeUp: (() => void) | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly poll: () => Promise<boolean>,
  ) {}

  start(logger: FastifyBaseLogger): void {
    this.done = this.#loop(logger);
  }

  async #loop(logger: FastifyBaseLogger): Promise<void> {
    while (!this.#stopping) {
      this.#notified = false;
      let more = false;
      try {
        more = await this.poll();
      } catch (err) {
        // pg-boss's fetch answers [] when the database is away; this is anything else.
        logger.warn({ err }, 'job worker poll failed');
      }
      if (!more && !this.#notified && !this.#stopping) await this.#nap();
    }
  }

  #nap(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#wakeUp?.(), this.intervalMs);
      this.#wakeUp = () => {
        clearTimeout(timer);
        this.#wakeUp = undefined;
        resolve();
      };
    });
  }

  /** Waiting for its next poll (not fetching or handling a batch). */
  get napping(): boolean {
    return this.#wakeUp !== undefined;
  }

  notify(): void {
    this.#notified = true;
    this.#wakeUp?.();
  }

  stop(): void {
    this.#stopping = true;
    this.#wakeUp?.();
  }
}
