import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { defineJob, type JobName, type JobPayloads } from '../../shared/jobs.js';
import { describeTokenEmail } from '../auth/auth.service.js';
import {
  findOrderForEmail,
  findOrdersForEmail,
  orderPageLink,
  type Order,
} from '../orders/orders.service.js';
import { findPaymentForEmail, findRefundForEmail } from '../payments/payments.service.js';
import { deliverAll, money, type EmailRequest } from './notifications.service.js';
import type { EmailKind } from './email.table.js';
import { orderView } from './order-view.js';

declare module '../../shared/jobs.js' {
  interface JobPayloads {
    'verification-email': { tokenId: string };
    'password-reset-email': { tokenId: string };
    'order-confirmation-email': { orderId: string };
    'payment-receipt-email': { paymentId: string };
    'order-shipped-email': { orderId: string };
    /** `historySeq`: the history entry of the change, so each change is told once. */
    'tracking-updated-email': { orderId: string; historySeq: number };
    'order-delivered-email': { orderId: string };
    'order-cancelled-email': { orderId: string };
    'order-refunded-email': { refundId: string };
  }
}

const tokenPayload = z.object({ tokenId: z.string() });
const orderPayload = z.object({ orderId: z.string() });

/** What an email job does before sending: the emails its payloads ask for, undefined for a cause that is gone. */
type Describe<N extends JobName> = (
  ctx: AppContext,
  payloads: JobPayloads[N][],
) => Promise<(EmailRequest | undefined)[]>;

/**
 * An email job. Jobs carry ids only; `describe` reloads what a batch of them needs, and
 * `deliverAll` sends each cause at most once, answering each job's outcome: a batch of
 * confirmations costs a few statements in all, not a few per email. One job on its own
 * (`runNow`) takes the same path as a batch of one.
 */
function emailJob<N extends JobName>(
  name: N,
  payload: z.ZodType<JobPayloads[N]>,
  describe: Describe<N>,
  tuning: { batchSize?: number; concurrency?: number } = {},
) {
  return defineJob<AppContext, N>({
    name,
    payload,
    ...tuning,
    async handler(ctx, one) {
      const [outcome] = await deliverAll(ctx, await describe(ctx, [one]));
      if (outcome instanceof Error) throw outcome;
    },
    async handleBatch(ctx, jobs) {
      const outcomes = await deliverAll(
        ctx,
        await describe(
          ctx,
          jobs.map((j) => j.payload),
        ),
      );
      return outcomes.map((outcome) => (outcome instanceof Error ? outcome : undefined));
    },
  });
}

/** Describes each payload on its own: for the rarer emails, where a batch is small. */
const each =
  <N extends JobName>(
    one: (ctx: AppContext, payload: JobPayloads[N]) => Promise<EmailRequest | undefined>,
  ): Describe<N> =>
  (ctx, payloads) =>
    Promise.all(payloads.map((payload) => one(ctx, payload)));

const tokenEmail =
  (kind: 'verification' | 'password-reset', extra: object = {}) =>
  async (ctx: AppContext, { tokenId }: { tokenId: string }) => {
    const email = await describeTokenEmail(ctx, tokenId);
    return (
      email && {
        kind,
        causeId: tokenId,
        to: email.to,
        userId: email.userId,
        data: { name: email.name, link: email.link, ...extra },
      }
    );
  };

export const notificationJobs = [
  emailJob('verification-email', tokenPayload, each(tokenEmail('verification'))),

  emailJob(
    'password-reset-email',
    tokenPayload,
    each(tokenEmail('password-reset', { validMinutes: 60 })),
  ),

  // One for every order placed, so the one queue that must keep up with the order rate: every
  // order of a batch is read in three queries, and two batches are in hand at a time (one
  // sending while the next is read and rendered).
  emailJob(
    'order-confirmation-email',
    orderPayload,
    async (ctx, payloads) => {
      const found = await findOrdersForEmail(
        ctx,
        payloads.map((p) => p.orderId),
      );
      return payloads.map(({ orderId }) => {
        const order = found.get(orderId);
        return order && orderEmail(ctx, 'order-confirmation', orderId, order);
      });
    },
    { batchSize: 100, concurrency: 2 },
  ),

  emailJob(
    'payment-receipt-email',
    z.object({ paymentId: z.string() }),
    each(async (ctx, { paymentId }) => {
      const payment = await findPaymentForEmail(ctx, paymentId);
      const order = payment && (await findOrderForEmail(ctx, payment.orderId));
      if (!payment || !order) return undefined;
      return orderEmail(ctx, 'payment-receipt', paymentId, order, {
        amount: money(ctx.config, payment.amount),
        paymentId,
        // An order whose total was 0 was not paid for: its receipt says so.
        free: payment.amount === 0,
      });
    }),
  ),

  emailJob(
    'order-shipped-email',
    orderPayload,
    each(async (ctx, { orderId }) => {
      const order = await findOrderForEmail(ctx, orderId);
      return (
        order &&
        orderEmail(ctx, 'order-shipped', orderId, order, {
          carrier: order.carrier,
          trackingNumber: order.trackingNumber,
        })
      );
    }),
  ),

  emailJob(
    'tracking-updated-email',
    z.object({ orderId: z.string(), historySeq: z.number().int() }),
    each(async (ctx, { orderId, historySeq }) => {
      const order = await findOrderForEmail(ctx, orderId);
      // The order as it is now: a later correction's tracking is the one worth sending.
      return (
        order &&
        orderEmail(ctx, 'tracking-updated', `${orderId}.${historySeq}`, order, {
          carrier: order.carrier,
          trackingNumber: order.trackingNumber,
        })
      );
    }),
  ),

  emailJob(
    'order-delivered-email',
    orderPayload,
    each(async (ctx, { orderId }) => {
      const order = await findOrderForEmail(ctx, orderId);
      return order && orderEmail(ctx, 'order-delivered', orderId, order);
    }),
  ),

  emailJob(
    'order-cancelled-email',
    orderPayload,
    each(async (ctx, { orderId }) => {
      const order = await findOrderForEmail(ctx, orderId);
      if (!order) return undefined;
      const cancelled = [...order.history].reverse().find((h) => h.to === 'cancelled');
      return orderEmail(ctx, 'order-cancelled', orderId, order, {
        // The customer's own words when they cancelled; the shop's reasons stay in the back office.
        reason:
          cancelled?.actorRole === 'customer' || cancelled?.actorRole === 'guest'
            ? cancelled.reason
            : undefined,
        refundAmount: order.paymentStatus === 'unpaid' ? undefined : money(ctx.config, order.total),
      });
    }),
  ),

  emailJob(
    'order-refunded-email',
    z.object({ refundId: z.string() }),
    each(async (ctx, { refundId }) => {
      const found = await findRefundForEmail(ctx, refundId);
      const order = found && (await findOrderForEmail(ctx, found.refund.orderId));
      if (!found || !order) return undefined;
      return orderEmail(ctx, 'order-refunded', refundId, order, {
        amount: money(ctx.config, found.refund.amount),
        refundedTotal: money(ctx.config, found.payment.refundedAmount),
        refundId,
      });
    }),
  ),
];

/**
 * An email about an order, to its customer, with the order and a link to it in the template
 * data. A guest's order is linked with its token (in the fragment, which browsers never send
 * to a server: not in access logs, nor in a Referer), so the link opens the order without an
 * account; the back office's email log shows the token redacted.
 */
function orderEmail(
  ctx: AppContext,
  kind: EmailKind,
  causeId: string,
  order: Order,
  data: object = {},
): EmailRequest {
  return {
    kind,
    causeId,
    to: order.email,
    orderId: order.id,
    ...(order.customerId === null ? {} : { userId: order.customerId }),
    data: {
      order: orderView(ctx.config, order),
      link: orderPageLink(ctx, order),
      ...data,
    },
  };
}
