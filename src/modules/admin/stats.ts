import type { AppContext } from '../../app-context.js';
import { lowStockProducts } from '../catalog/catalog.service.js';
import { dailyOrderFigures, recentOrderFigures } from '../orders/order-figures.js';
import { refundedOfOrder } from '../payments/payment-reads.js';
import type { ShopStats } from './admin.schemas.js';

/**
 * The admin dashboard's figures, from read functions of the modules that own the data: the
 * orders' counts and revenue (net of the refunds the payments module knows), the catalog's
 * low stock, the job queue's dead jobs.
 */
export async function shopStats(
  ctx: Pick<AppContext, 'db' | 'clock' | 'config' | 'jobs'>,
  lowStockBelow: number,
): Promise<ShopStats> {
  const now = ctx.clock.now();
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const weekAgo = new Date(today.getTime() - 6 * 86_400_000);
  const recent = await recentOrderFigures(ctx.db, { today, weekAgo }, refundedOfOrder);
  const lowStock = await lowStockProducts(ctx, lowStockBelow);
  const daily = await dailySeries(ctx, today);
  const { total: failedJobs } = await ctx.jobs.listTroubled(
    { status: 'dead' },
    { page: 1, pageSize: 1 },
  );
  return { ...recent, currency: ctx.config.currency, lowStock, failedJobs, daily };
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
  const rows = await dailyOrderFigures(
    ctx.db,
    { from: first, to: new Date(today.getTime() + DAY_MS) },
    refundedOfOrder,
  );
  const byDay = new Map(rows.map((r) => [r.day, r]));
  return Array.from({ length: DAILY_DAYS }, (_, i) => {
    const date = isoDay(new Date(first.getTime() + i * DAY_MS));
    const row = byDay.get(date);
    return { date, orders: row?.orders ?? 0, revenue: Number(row?.revenue ?? 0) };
  });
}
