import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { actorOf, bearerSecurity, requireRole } from '../auth/auth.guard.js';
import { EXPORT_FORMAT, exportOrdersCsv } from '../orders/export-orders.js';
import { refundedOfOrder } from '../payments/payment-reads.js';
import { exportQuery, statsQuery, statsSchema } from './admin.schemas.js';
import { shopStats } from './stats.js';

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
          querystring: statsQuery,
          response: { 200: statsSchema },
        },
      },
      async (request) => shopStats(ctx, request.query.lowStockBelow),
    );

    app.get(
      '/api/v1/admin/orders/export.csv',
      {
        onRequest: requireRole(ctx.tokens, 'staff', 'admin'),
        schema: {
          tags: ['admin'],
          summary: 'Every order matching the admin list filters, as CSV (streamed)',
          description: EXPORT_FORMAT,
          security: bearerSecurity,
          querystring: exportQuery,
          response: {
            200: {
              description: 'the CSV file',
              content: { 'text/csv': { schema: z.string() } },
            },
          },
        },
      },
      async (request, reply) => {
        const { from, to, ...filter } = request.query;
        const rows = await exportOrdersCsv(
          ctx,
          actorOf(request),
          { ...filter, from: from ? new Date(from) : undefined, to: to ? new Date(to) : undefined },
          refundedOfOrder,
        );
        const day = ctx.clock.now().toISOString().slice(0, 10);
        return (
          reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="orders-${day}.csv"`)
            .header('cache-control', 'no-store')
            // A stream is sent as it is (the schema above only documents it), page by page.
            .send(Readable.from(rows) as unknown as string)
        );
      },
    );
  };
}
