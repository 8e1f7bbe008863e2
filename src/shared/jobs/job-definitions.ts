import { z } from 'zod';

/**
 * What a job is: its name, its payload's type and schema, its handler, and the retry and expiry
 * settings its queue and every job sent to it get. Nothing here touches the database.
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

/** A queue's retry and expiry settings, as pg-boss's `createQueue` and `send` take them. */
export interface RetrySettings {
  retryLimit: number;
  retryDelay: number;
  retryBackoff: boolean;
  expireInSeconds: number;
}

/** A job's retry and expiry settings: its queue's, and each job's as it is sent or inserted. */
export function retrySettings(
  definition: Pick<AnyJobDefinition<unknown>, 'retryLimit'>,
  settings: JobSettings,
): RetrySettings {
  return {
    retryLimit: definition.retryLimit ?? settings.retryLimit,
    retryDelay: settings.retryDelaySeconds,
    retryBackoff: true,
    expireInSeconds: settings.timeoutSeconds,
  };
}

/** The definitions by name, for the runtime's parts that look one up. */
export class JobDefinitions<TCtx> {
  readonly #byName = new Map<string, AnyJobDefinition<TCtx>>();

  constructor(definitions: AnyJobDefinition<TCtx>[]) {
    for (const definition of definitions) this.#byName.set(definition.name, definition);
  }

  get(name: string): AnyJobDefinition<TCtx> {
    const definition = this.#byName.get(name);
    if (!definition) throw new Error(`unknown job ${name}`);
    return definition;
  }

  get names(): string[] {
    return [...this.#byName.keys()];
  }

  get all(): AnyJobDefinition<TCtx>[] {
    return [...this.#byName.values()];
  }
}
