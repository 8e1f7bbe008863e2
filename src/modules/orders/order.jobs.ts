import type { AppContext } from '../../app-context.js';
import { defineJob, emptyPayload } from '../../shared/jobs.js';
import { expireOverdueOrders } from './expire-orders.js';

declare module '../../shared/jobs.js' {
  interface JobPayloads {
    'expire-orders': Record<string, never>;
  }
}

export const orderJobs = [
  defineJob<AppContext, 'expire-orders'>({
    name: 'expire-orders',
    payload: emptyPayload,
    cron: '* * * * *',
    retryLimit: 0,
    async handler(ctx) {
      const expired = await expireOverdueOrders(ctx);
      if (expired) ctx.logger.info({ expired }, 'unpaid orders expired');
    },
  }),
];
