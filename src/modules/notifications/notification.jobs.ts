import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { defineJob } from '../../shared/jobs.js';
import { describeTokenEmail } from '../auth/auth.service.js';
import { findOrderForEmail } from '../orders/orders.service.js';
import { deliver } from './notifications.service.js';
import { orderView } from './order-view.js';

declare module '../../shared/jobs.js' {
  interface JobPayloads {
    'verification-email': { tokenId: string };
    'password-reset-email': { tokenId: string };
    'order-confirmation-email': { orderId: string };
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
      if (!order) return;
      await deliver(ctx, {
        kind: 'order-confirmation',
        causeId: orderId,
        to: order.email,
        orderId,
        userId: order.customerId,
        data: {
          order: orderView(ctx.config, order),
          link: `${ctx.config.publicUrl}/orders/${orderId}`,
        },
      });
    },
  }),
];
