import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { defineJob } from '../../shared/jobs.js';
import { expireOverdueOrders } from './expire-orders.js';
import { reconcilePayments, refundLatePayment } from './payments.service.js';

declare module '../../shared/jobs.js' {
  interface JobPayloads {
    'refund-late-payment': { paymentId: string };
    'reconcile-payments': Record<string, never>;
    'expire-orders': Record<string, never>;
  }
}

const none = z.object({}).strict() as z.ZodType<Record<string, never>>;

export const paymentJobs = [
  defineJob<AppContext, 'refund-late-payment'>({
    name: 'refund-late-payment',
    payload: z.object({ paymentId: z.string() }),
    handler: (ctx, { paymentId }) => refundLatePayment(ctx, paymentId),
  }),
  defineJob<AppContext, 'reconcile-payments'>({
    name: 'reconcile-payments',
    payload: none,
    cron: '* * * * *',
    retryLimit: 0,
    async handler(ctx) {
      const settled = await reconcilePayments(ctx);
      if (settled) ctx.logger.info({ settled }, 'processing payments reconciled');
    },
  }),
  defineJob<AppContext, 'expire-orders'>({
    name: 'expire-orders',
    payload: none,
    cron: '* * * * *',
    retryLimit: 0,
    async handler(ctx) {
      const expired = await expireOverdueOrders(ctx);
      if (expired) ctx.logger.info({ expired }, 'unpaid orders expired');
    },
  }),
];
