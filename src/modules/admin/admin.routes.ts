import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { bearerSecurity, requireRole } from '../auth/auth.guard.js';
import { shopStats } from './stats.js';

const statsSchema = z
  .object({
    ordersToday: z.number().int(),
    revenueToday: z
      .number()
      .int()
      .describe('minor units, paid orders placed today (UTC), net of refunds'),
    ordersWeek: z.number().int(),
    revenueWeek: z.number().int(),
    currency: z.string(),
    lowStock: z.array(
      z.object({ id: z.string(), sku: z.string(), name: z.string(), stock: z.number().int() }),
    ),
    failedJobs: z.number().int(),
    daily: z
      .array(
        z.object({
          date: z.string().describe('UTC day, YYYY-MM-DD'),
          orders: z.number().int().describe('orders placed that day'),
          revenue: z
            .number()
            .int()
            .describe('minor units, paid orders placed that day, net of refunds'),
        }),
      )
      .describe('the last 30 days, oldest first, today (UTC) last; every day present'),
  })
  .meta({ id: 'ShopStats' });

export function adminRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/admin/stats',
      {
        onRequest: requireRole(ctx.tokens, 'staff', 'admin'),
        schema: {
          tags: ['admin'],
          summary:
            'Orders and revenue today, over the last 7 days and per day for 30 days; low stock; failed jobs',
          security: bearerSecurity,
          querystring: z.strictObject({
            lowStockBelow: z.coerce.number().int().min(1).max(1_000_000).default(5),
          }),
          response: { 200: statsSchema },
        },
      },
      async (request) => shopStats(ctx, request.query.lowStockBelow),
    );
  };
}
