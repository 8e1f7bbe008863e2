/**
 * Durable jobs, as the rest of Ordo uses them: declare a job (`defineJob`, its name and payload
 * type added to `JobPayloads` by declaration merging on this module), enqueue it through the
 * transaction that causes it (`ctx.jobs.enqueue(tx, name, payload)`), and let the workers run
 * it. The parts, by role, are in `./jobs/` (job-runtime.ts says which is which); pg-boss's
 * tables are known to `./jobs/pg-boss.adapter.ts` alone.
 */
export {
  defineJob,
  emptyPayload,
  type AnyJobDefinition,
  type BatchJob,
  type JobDefinition,
  type JobMeta,
  type JobName,
  type JobPayloads,
  type JobSettings,
} from './jobs/job-definitions.js';
export { Jobs } from './jobs/job-runtime.js';
export type { TroubledJob } from './jobs/job-admin.js';
export {
  executorAdapter,
  PGBOSS_SCHEMA,
  readQueueCounts,
  type QueueCounts,
} from './jobs/pg-boss.adapter.js';
