import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { actorOf, bearerSecurity, requireRole } from '../auth/auth.guard.js';
import { EXPORT_COLUMNS, exportOrdersCsv } from '../orders/export-orders.js';
import { adminOrdersQuery } from '../orders/orders.schemas.js';
import { shopStats } from './stats.js';

/** The admin orders list's filters, without paging: the export has every matching order. */
const exportQuery = adminOrdersQuery.omit({ page: true, pageSize: true });

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

    app.get(
      '/api/v1/admin/orders/export.csv',
      {
        onRequest: requireRole(ctx.tokens, 'staff', 'admin'),
        schema: {
          tags: ['admin'],
          summary: 'Every order matching the admin list filters, as CSV (streamed)',
          description: `UTF-8 CSV (RFC 4180, CRLF line ends) with a header row and one row per order, newest order number first. Columns: ${EXPORT_COLUMNS.join(', ')}. \`subtotal\`, \`discount\`, \`shipping\`, \`total\` and \`refunded\` are integers in minor units of \`currency\`; \`total_decimal\` is the total in major units (\`12.34\`). \`items\` lists \`SKU xQUANTITY\` separated by \`; \`. A text cell that starts with = + - @, a tab or a carriage return gets a leading apostrophe so that spreadsheets do not run it as a formula.`,
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
        const rows = await exportOrdersCsv(ctx, actorOf(request), {
          ...filter,
          from: from ? new Date(from) : undefined,
          to: to ? new Date(to) : undefined,
        });
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
