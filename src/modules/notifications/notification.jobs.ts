import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { defineJob } from '../../shared/jobs.js';
import { describeTokenEmail } from '../auth/auth.service.js';
import { findOrderForEmail, type Order } from '../orders/orders.service.js';
import { findPaymentForEmail, findRefundForEmail } from '../payments/payments.service.js';
import { deliver, money } from './notifications.service.js';
import type { EmailKind } from './email.table.js';
import { orderView } from './order-view.js';

declare module '../../shared/jobs.js' {
  interface JobPayloads {
    'verification-email': { tokenId: string };
    'password-reset-email': { tokenId: string };
    'order-confirmation-email': { orderId: string };
    'payment-receipt-email': { paymentId: string };
    'order-shipped-email': { orderId: string };
    'order-delivered-email': { orderId: string };
    'order-cancelled-email': { orderId: string };
    'order-refunded-email': { refundId: string };
  }
}

const tokenPayload = z.object({ tokenId: z.string() });
const orderPayload = z.object({ orderId: z.string() });

/**
 * Each email is a job carrying ids only. The handler reloads what it needs, skips what is
 * gone, and sends through `deliver`, which sends a given cause at most once.
 */
export const notificationJobs = [
  defineJob<AppContext, 'verification-email'>({
    name: 'verification-email',
    payload: tokenPayload,
    async handler(ctx, { tokenId }) {
      const email = await describeTokenEmail(ctx, tokenId);
      if (!email) return;
      await deliver(ctx, {
        kind: 'verification',
        causeId: tokenId,
        to: email.to,
        userId: email.userId,
        data: { name: email.name, link: email.link },
      });
    },
  }),

  defineJob<AppContext, 'password-reset-email'>({
    name: 'password-reset-email',
    payload: tokenPayload,
    async handler(ctx, { tokenId }) {
      const email = await describeTokenEmail(ctx, tokenId);
      if (!email) return;
      await deliver(ctx, {
        kind: 'password-reset',
        causeId: tokenId,
        to: email.to,
        userId: email.userId,
        data: { name: email.name, link: email.link, validMinutes: 60 },
      });
    },
  }),

  defineJob<AppContext, 'order-confirmation-email'>({
    name: 'order-confirmation-email',
    payload: orderPayload,
    async handler(ctx, { orderId }) {
      const order = await findOrderForEmail(ctx, orderId);
      if (order) await deliverOrderEmail(ctx, 'order-confirmation', orderId, order);
    },
  }),

  defineJob<AppContext, 'payment-receipt-email'>({
    name: 'payment-receipt-email',
    payload: z.object({ paymentId: z.string() }),
    async handler(ctx, { paymentId }) {
      const payment = await findPaymentForEmail(ctx, paymentId);
      const order = payment && (await findOrderForEmail(ctx, payment.orderId));
      if (!payment || !order) return;
      await deliverOrderEmail(ctx, 'payment-receipt', paymentId, order, {
        amount: money(ctx.config, payment.amount),
        paymentId,
      });
    },
  }),

  defineJob<AppContext, 'order-shipped-email'>({
    name: 'order-shipped-email',
    payload: orderPayload,
    async handler(ctx, { orderId }) {
      const order = await findOrderForEmail(ctx, orderId);
      if (!order) return;
      await deliverOrderEmail(ctx, 'order-shipped', orderId, order, {
        carrier: order.carrier,
        trackingNumber: order.trackingNumber,
      });
    },
  }),

  defineJob<AppContext, 'order-delivered-email'>({
    name: 'order-delivered-email',
    payload: orderPayload,
    async handler(ctx, { orderId }) {
      const order = await findOrderForEmail(ctx, orderId);
      if (order) await deliverOrderEmail(ctx, 'order-delivered', orderId, order);
    },
  }),

  defineJob<AppContext, 'order-cancelled-email'>({
    name: 'order-cancelled-email',
    payload: orderPayload,
    async handler(ctx, { orderId }) {
      const order = await findOrderForEmail(ctx, orderId);
      if (!order) return;
      const cancelled = [...order.history].reverse().find((h) => h.to === 'cancelled');
      await deliverOrderEmail(ctx, 'order-cancelled', orderId, order, {
        reason: cancelled?.reason,
        refundAmount: order.paymentStatus === 'unpaid' ? undefined : money(ctx.config, order.total),
      });
    },
  }),

  defineJob<AppContext, 'order-refunded-email'>({
    name: 'order-refunded-email',
    payload: z.object({ refundId: z.string() }),
    async handler(ctx, { refundId }) {
      const found = await findRefundForEmail(ctx, refundId);
      const order = found && (await findOrderForEmail(ctx, found.refund.orderId));
      if (!found || !order) return;
      await deliverOrderEmail(ctx, 'order-refunded', refundId, order, {
        amount: money(ctx.config, found.refund.amount),
        refundedTotal: money(ctx.config, found.payment.refundedAmount),
        refundId,
      });
    },
  }),
];

/** An email about an order, to its customer, with the order and a link to it in the template data. */
function deliverOrderEmail(
  ctx: AppContext,
  kind: EmailKind,
  causeId: string,
  order: Order,
  data: object = {},
) {
  return deliver(ctx, {
    kind,
    causeId,
    to: order.email,
    orderId: order.id,
    userId: order.customerId,
    data: {
      order: orderView(ctx.config, order),
      link: `${ctx.config.publicUrl}/orders/${order.id}`,
      ...data,
    },
  });
}
