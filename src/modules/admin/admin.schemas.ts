import { z } from 'zod';
import { adminOrdersQuery } from '../orders/orders.schemas.js';

/** The admin orders list's filters, without paging: the export has every matching order. */
export const exportQuery = adminOrdersQuery.omit({ page: true, pageSize: true });

export const statsQuery = z.strictObject({
  lowStockBelow: z.coerce.number().int().min(1).max(1_000_000).default(5),
});

export const statsSchema = z
  .object({
    ordersToday: z.number().int(),
    revenueToday: z
      .number()
      .int()
      .describe('minor units, paid orders placed today (UTC), net of refunds'),
    ordersWeek: z.number().int(),
    revenueWeek: z.number().int(),
    currency: z.string(),
    lowStock: z
      .array(
        z.object({
          id: z.string().describe("the product's id"),
          sku: z.string().describe("the variant's sku"),
          name: z.string(),
          stock: z.number().int().describe("the variant's stock"),
          variantId: z.string(),
          variantTitle: z.string().describe('empty for a product without options'),
        }),
      )
      .describe('variants of products on sale with stock below the threshold, lowest first'),
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

export type ShopStats = z.output<typeof statsSchema>;
