import type PgBoss from 'pg-boss';
import type { FastifyBaseLogger } from 'fastify';
import type { Logger } from 'pino';
import { openDatabase, type Database } from '../../db/client.js';
import { JobBatches } from './job-batches.js';
import type { AnyJobDefinition, JobDefinitions, JobSettings } from './job-definitions.js';
import { JobWake, SAFETY_POLL_SECONDS } from './job-wake.js';
import { executorAdapter, wakeTriggerInstalled } from './pg-boss.adapter.js';
import { QueueWorker } from './queue-worker.js';

/** The workers' own connections on PostgreSQL: two confirmation batches in hand, and one more. */
const WORKER_CONNECTIONS = 3;

/**
 * The workers of every queue, from start to shutdown. The loops are Ordo's own over pg-boss's
 * fetch, complete and fail (not `boss.work`), so every statement they run is awaited and `stop`
 * knows what is still running: a job left running at shutdown is failed for a retry before the
 * pool closes, and nothing it does afterwards touches the database through the runtime.
 */
export class JobWorkers<TCtx> {
  readonly #loops = new Map<string, QueueWorker>();
  readonly #batches: JobBatches<TCtx>;
  #own: Database | undefined;
  #wake: JobWake | undefined;

  constructor(
    private readonly boss: PgBoss,
    private readonly database: Database,
    private readonly definitions: JobDefinitions<TCtx>,
    private readonly settings: JobSettings,
    private readonly logger: FastifyBaseLogger,
  ) {
    this.#batches = new JobBatches(boss, logger);
  }

  /**
   * Starts the loops of every queue, and the schedules. Any number of processes may do this at
   * once. A worker is woken when a job is ready (job-wake.ts) and otherwise polls rarely; in a
   * database without the wake-up trigger it polls every `pollingIntervalSeconds`, as before.
   */
  async start(ctx: TCtx): Promise<void> {
    await this.boss.start();
    const own = await this.#openOwnConnections();
    this.#own = own;
    const db = executorAdapter(own ?? this.database);
    const workerCtx = own ? withDatabase(ctx, own) : ctx;
    const woken = await wakeTriggerInstalled(executorAdapter(this.database));
    const wake = woken
      ? new JobWake(this, this.database, this.settings.pollingIntervalSeconds, this.logger)
      : undefined;
    const pollingIntervalSeconds = woken
      ? Math.max(SAFETY_POLL_SECONDS, this.settings.pollingIntervalSeconds)
      : this.settings.pollingIntervalSeconds;
    for (const definition of this.definitions.all) {
      const loops = this.#startLoops(workerCtx, db, definition, pollingIntervalSeconds * 1000);
      wake?.add(definition.name, loops[0]!.id);
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
   * On PostgreSQL the workers have connections of their own, for their fetches and completions
   * and for the handlers' statements: on the shared pool each of a batch's few statements
   * queued behind the HTTP requests waiting for a connection (32 at once under load), which put
   * seconds on the email lag while the worker itself was idle.
   */
  async #openOwnConnections(): Promise<Database | undefined> {
    if (this.database.kind !== 'postgres') return undefined;
    return openDatabase({
      databaseUrl: this.database.pool.options.connectionString,
      poolSize: WORKER_CONNECTIONS,
      logger: this.logger as Logger,
    });
  }

  /** A queue's `concurrency` loops, each fetching a batch at a time. */
  #startLoops(
    ctx: TCtx,
    db: PgBoss.Db,
    definition: AnyJobDefinition<TCtx>,
    intervalMs: number,
  ): QueueWorker[] {
    const batchSize = definition.batchSize ?? 10;
    const siblings: QueueWorker[] = [];
    for (let i = 0; i < (definition.concurrency ?? 1); i++) {
      const worker = new QueueWorker(intervalMs, async () => {
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
        await this.#batches.run(ctx, db, definition, jobs);
        return full;
      });
      siblings.push(worker);
      worker.siblings = siblings;
      this.#loops.set(worker.id, worker);
      worker.start(this.logger);
    }
    return siblings;
  }

  /**
   * Wakes a queue's worker (by the id `JobWake` was given): it fetches at once instead of at its
   * next poll. When that loop is busy with a batch, an idle loop of the same queue fetches
   * instead, so a job never waits for a batch it is not in while another loop sleeps.
   */
  notifyWorker(id: string): void {
    const worker = this.#loops.get(id);
    (worker?.siblings.find((w) => w.napping) ?? worker)?.notify();
  }

  /**
   * Stops fetching; running jobs finish (up to `timeoutMs`). Jobs still running then are failed
   * for a retry and abandoned (`JobBatches.abandonAll`). Then pg-boss stops, and the workers'
   * own connections close.
   */
  async stop(timeoutMs: number): Promise<void> {
    await this.#wake?.stop();
    this.#wake = undefined;
    const loops = [...this.#loops.values()];
    this.#loops.clear();
    for (const loop of loops) loop.stop();
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      Promise.all(loops.map((w) => w.done)).then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (!finished) await this.#batches.abandonAll();
    await this.boss.stop({ graceful: false, close: false, wait: true });
    await this.#own?.close();
    this.#own = undefined;
  }
}

/**
 * The context the handlers get when the workers have connections of their own: the same, with
 * its database swapped. A context without a database (a test's) is passed as it is.
 */
function withDatabase<TCtx>(ctx: TCtx, database: Database): TCtx {
  if (typeof ctx !== 'object' || ctx === null || !('db' in ctx) || !('database' in ctx)) return ctx;
  return { ...ctx, database, db: database.db };
}
