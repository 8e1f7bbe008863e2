import type PgBoss from 'pg-boss';
import type { FastifyBaseLogger } from 'fastify';
import type { AnyJobDefinition, JobMeta } from './job-definitions.js';

/**
 * A fetched batch, from its handling to the record of each job's outcome: the jobs that are
 * done are completed in one statement, the others failed one by one (each with its error, so
 * each retries with its own backoff). At shutdown, `abandonAll` fails what is still running.
 */

type Outcome = Error | undefined;

interface RunningBatch {
  name: string;
  ids: string[];
  /** Set by `abandonAll`: the batch's outcome is no longer recorded. */
  abandoned: boolean;
}

export class JobBatches<TCtx> {
  readonly #running = new Set<RunningBatch>();

  constructor(
    private readonly boss: PgBoss,
    private readonly logger: FastifyBaseLogger,
  ) {}

  /**
   * Handles one fetched batch and records its outcomes through `db`. Never throws: a database
   * that cannot record the outcome leaves the jobs active until they time out, and then they
   * are retried.
   */
  async run(
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
      const outcomes = await handleJobs(ctx, definition, jobs);
      if (batch.abandoned) return; // failed by `abandonAll` already; the pool may be closed
      await this.#record(db, definition, jobs, outcomes);
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

  async #record(
    db: PgBoss.Db,
    definition: AnyJobDefinition<TCtx>,
    jobs: PgBoss.JobWithMetadata<object>[],
    outcomes: Outcome[],
  ): Promise<void> {
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
  }

  /**
   * Fails every job still running (so this or another worker retries it, as after a crash) and
   * abandons its batch: whatever it settles to later is ignored, so nothing uses the database
   * pool after the caller closes it.
   */
  async abandonAll(): Promise<void> {
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
}

interface ValidJob {
  index: number;
  payload: never;
  job: JobMeta;
}

/** Each job's outcome: undefined when done, its error otherwise. Never throws. */
async function handleJobs<TCtx>(
  ctx: TCtx,
  definition: AnyJobDefinition<TCtx>,
  jobs: PgBoss.JobWithMetadata<object>[],
): Promise<Outcome[]> {
  const outcomes: Outcome[] = jobs.map(() => undefined);
  const valid: ValidJob[] = [];
  for (const [index, job] of jobs.entries()) {
    const parsed = definition.payload.safeParse(job.data);
    if (!parsed.success) outcomes[index] = new Error(`invalid payload: ${parsed.error.message}`);
    else valid.push({ index, payload: parsed.data as never, job: metaOf(job) });
  }
  if (valid.length === 0) return outcomes;
  const answers = definition.handleBatch
    ? await wholeBatch(ctx, definition.handleBatch, valid)
    : await oneByOne(ctx, definition.handler, valid);
  for (const [i, { index }] of valid.entries()) outcomes[index] = answers[i];
  return outcomes;
}

/** The batch handler's answers; its throw is every job's error. */
async function wholeBatch<TCtx>(
  ctx: TCtx,
  handleBatch: NonNullable<AnyJobDefinition<TCtx>['handleBatch']>,
  valid: ValidJob[],
): Promise<Outcome[]> {
  try {
    return await handleBatch(ctx, valid);
  } catch (error) {
    return valid.map(() => error as Error);
  }
}

/**
 * The jobs of a batch run side by side: a slow one (an SMTP round trip) does not hold up the
 * rest.
 */
function oneByOne<TCtx>(
  ctx: TCtx,
  handler: AnyJobDefinition<TCtx>['handler'],
  valid: ValidJob[],
): Promise<Outcome[]> {
  return Promise.all(
    valid.map(async ({ payload, job }) => {
      try {
        await handler(ctx, payload, job);
        return undefined;
      } catch (error) {
        return error as Error;
      }
    }),
  );
}

const metaOf = (job: PgBoss.JobWithMetadata<object>): JobMeta => ({
  id: job.id,
  name: job.name,
  retryCount: job.retryCount,
  retryLimit: job.retryLimit,
});
