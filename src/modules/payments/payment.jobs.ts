import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { defineJob, emptyPayload } from '../../shared/jobs.js';
import { reconcilePayments } from './payments.service.js';
import { reconcileRefunds, refundCancelledOrder, refundLatePayment } from './refunds.js';

declare module '../../shared/jobs.js' {
  interface JobPayloads {
    /** Enqueued by the order lifecycle when a paid order is cancelled. */
    'refund-cancelled-order': { orderId: string };
    'refund-late-payment': { paymentId: string };
    'reconcile-payments': Record<string, never>;
  }
}

export const paymentJobs = [
  defineJob<AppContext, 'refund-cancelled-order'>({
    name: 'refund-cancelled-order',
    payload: z.object({ orderId: z.string() }),
    handler: (ctx, { orderId }) => refundCancelledOrder(ctx, orderId),
  }),
  defineJob<AppContext, 'refund-late-payment'>({
    name: 'refund-late-payment',
    payload: z.object({ paymentId: z.string() }),
    handler: (ctx, { paymentId }) => refundLatePayment(ctx, paymentId),
  }),
  defineJob<AppContext, 'reconcile-payments'>({
    name: 'reconcile-payments',
    payload: emptyPayload,
    cron: '* * * * *',
    retryLimit: 0,
    async handler(ctx) {
      const settled = await reconcilePayments(ctx);
      const refunded = await reconcileRefunds(ctx);
      if (settled || refunded) ctx.logger.info({ settled, refunded }, 'payments reconciled');
    },
  }),
];
