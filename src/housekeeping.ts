import { z } from 'zod';
import type { AppContext } from './app-context.js';
import { purgeSpentCredentials } from './modules/auth/auth.service.js';
import { purgeIdempotencyKeys } from './shared/idempotency.js';
import { defineJob } from './shared/jobs.js';

declare module './shared/jobs.js' {
  interface JobPayloads {
    housekeeping: Record<string, never>;
  }
}

/**
 * Every ten minutes: forget expired idempotency keys and spent tokens and sessions. Old
 * finished jobs are pg-boss's own maintenance (archived after 12 h, deleted after 7 days).
 */
export const housekeepingJob = defineJob<AppContext, 'housekeeping'>({
  name: 'housekeeping',
  payload: z.object({}).strict(),
  cron: '*/10 * * * *',
  retryLimit: 2,
  async handler(ctx) {
    const idempotencyKeys = await purgeIdempotencyKeys(ctx.db, ctx.clock.now());
    const credentials = await purgeSpentCredentials(ctx);
    ctx.logger.info({ idempotencyKeys, ...credentials }, 'housekeeping done');
  },
});
