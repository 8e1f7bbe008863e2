import { sql } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { queryRows } from '../../db/client.js';
import type { ShopStats } from './admin.schemas.js';

/**
 * The admin dashboard's figures, read-only over the other modules' tables. Revenue counts
 * orders that were paid (paid, shipped, delivered, or refunded in part), net of refunds.
 */
export async function shopStats(
  ctx: Pick<AppContext, 'db' | 'clock' | 'config' | 'jobs'>,
  lowStockBelow: number,
): Promise<ShopStats> {
  const now = ctx.clock.now();
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const weekAgo = new Date(today.getTime() - 6 * 86_400_000);
  const [orders] = await queryRows<{
    orders_today: number;
    revenue_today: number;
    orders_week: number;
    revenue_week: number;
  }>(
    ctx.db,
    sql`select
          count(*) filter (where o.created_at >= ${today})::int as orders_today,
          coalesce(sum(o.total - coalesce(p.refunded, 0)) filter (where o.created_at >= ${today} and o.payment_status <> 'unpaid'), 0)::bigint as revenue_today,
          count(*)::int as orders_week,
          coalesce(sum(o.total - coalesce(p.refunded, 0)) filter (where o.payment_status <> 'unpaid'), 0)::bigint as revenue_week
        from orders o
        left join (select order_id, sum(refunded_amount) as refunded from payments group by order_id) p on p.order_id = o.id
        where o.created_at >= ${weekAgo}`,
  );
  const lowStock = await queryRows<{ id: string; sku: string; name: string; stock: number }>(
    ctx.db,
    sql`select id, sku, name, stock from products
        where archived_at is null and active and stock < ${lowStockBelow}
        order by stock, name limit 50`,
  );
  const daily = await dailySeries(ctx, today);
  const { total: failedJobs } = await ctx.jobs.listTroubled(
    { status: 'dead' },
    { page: 1, pageSize: 1 },
  );
  return {
    ordersToday: orders?.orders_today ?? 0,
    revenueToday: Number(orders?.revenue_today ?? 0),
    ordersWeek: orders?.orders_week ?? 0,
    revenueWeek: Number(orders?.revenue_week ?? 0),
    currency: ctx.config.currency,
    lowStock,
    failedJobs,
    daily,
  };
}

/** How many days `daily` covers, today (UTC) included. */
export const DAILY_DAYS = 30;

const DAY_MS = 86_400_000;
const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/**
 * Orders and revenue per UTC day for the last DAILY_DAYS days, oldest first, every day
 * present. An order counts on the day it was placed; revenue as above, net of refunds.
 */
async function dailySeries(
  ctx: Pick<AppContext, 'db'>,
  today: Date,
): Promise<{ date: string; orders: number; revenue: number }[]> {
  const first = new Date(today.getTime() - (DAILY_DAYS - 1) * DAY_MS);
  const rows = await queryRows<{ day: string; orders: number; revenue: number }>(
    ctx.db,
    sql`select
          to_char(o.created_at at time zone 'UTC', 'YYYY-MM-DD') as day,
          count(*)::int as orders,
          coalesce(sum(o.total - coalesce(p.refunded, 0)) filter (where o.payment_status <> 'unpaid'), 0)::bigint as revenue
        from orders o
        left join (select order_id, sum(refunded_amount) as refunded from payments group by order_id) p on p.order_id = o.id
        where o.created_at >= ${first} and o.created_at < ${new Date(today.getTime() + DAY_MS)}
        group by 1`,
  );
  const byDay = new Map(rows.map((r) => [r.day, r]));
  return Array.from({ length: DAILY_DAYS }, (_, i) => {
    const date = isoDay(new Date(first.getTime() + i * DAY_MS));
    const row = byDay.get(date);
    return { date, orders: row?.orders ?? 0, revenue: Number(row?.revenue ?? 0) };
  });
}
