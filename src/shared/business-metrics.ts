import type { FastifyBaseLogger } from 'fastify';
import { Counter, Gauge, Registry } from 'prom-client';
import type { Db } from '../db/client.js';
import { readQueueCounts } from './jobs.js';

/**
 * The business metrics, read from the database when /metrics is scraped: orders, payments,
 * refunds and the job queues. They are the database's facts, not one process's events, so they
 * are right whichever process made the change (`ordo worker` expires orders, refunds and sends
 * mail, and serves no HTTP), they survive restarts, and one process collects them per scrape
 * (never summed over the processes of `ordo api --processes N`). Each is a few grouped counts.
 *
 * The totals are counters because the facts behind them only grow: an order is never deleted,
 * `payment_status` leaves `unpaid` once and never returns, `cancelled` and `expired` are final,
 * a payment or refund settles once.
 */
/**
 * The counts behind them, read by the modules that own the tables (given when the context is
 * built: shared code imports no module).
 */
export interface BusinessReads {
  /** Orders by status and whether they were ever paid. */
  orders(): Promise<{ status: string; everPaid: boolean; n: number }[]>;
  /** Payments by status and failure code. */
  payments(): Promise<{ status: string; reason: string | null; n: number }[]>;
  /** Refunds by status, with their amount. */
  refunds(): Promise<{ status: string; n: number; amount: number }[]>;
}

export interface DatabaseMetrics {
  /** Queries the database and renders the text exposition; on failure only `ordo_database_metrics_up 0`. */
  render(): Promise<string>;
  readonly contentType: string;
}

/** Payment failures where nobody declined anything: the provider was unreachable, or the attempt was never confirmed. */
const NOT_DECLINED = ['provider_unavailable', 'abandoned'];

const ORDER_STATUSES = ['pending_payment', 'paid', 'shipped', 'delivered', 'cancelled', 'expired'];

export function createDatabaseMetrics(
  db: Db,
  reads: BusinessReads,
  logger: FastifyBaseLogger,
): DatabaseMetrics {
  const registry = new Registry();
  const registers = [registry];
  const all: { reset(): void }[] = [];
  const counter = <L extends string>(name: string, help: string, labelNames: L[] = []) => {
    const metric = new Counter<L>({ name, help, labelNames, registers });
    all.push(metric);
    return metric;
  };
  const gauge = <L extends string>(name: string, help: string, labelNames: L[] = []) => {
    const metric = new Gauge<L>({ name, help, labelNames, registers });
    all.push(metric);
    return metric;
  };

  const up = gauge('ordo_database_metrics_up', '1 when the business metrics below were read');
  const ordersPlaced = counter('ordo_orders_placed_total', 'Orders placed');
  const ordersPaid = counter(
    'ordo_orders_paid_total',
    'Orders paid (whatever happened to them later)',
  );
  const ordersCancelled = counter('ordo_orders_cancelled_total', 'Orders cancelled');
  const ordersExpired = counter('ordo_orders_expired_total', 'Orders expired unpaid');
  const ordersByStatus = gauge('ordo_orders', 'Orders in each status now', ['status']);
  const payments = counter(
    'ordo_payments_total',
    'Settled payment attempts by outcome (succeeded, declined, failed) and failure code',
    ['outcome', 'reason'],
  );
  const paymentsProcessing = gauge('ordo_payments_processing', 'Payments still processing');
  const refunds = counter('ordo_refunds_total', 'Settled refunds by status', ['status']);
  const refundsPending = gauge('ordo_refunds_pending', 'Refunds not yet answered by the provider');
  const refunded = counter(
    'ordo_refunded_amount_minor_units_total',
    'Money refunded, in minor units of the shop currency',
  );
  const queueDepth = gauge('ordo_job_queue_depth', 'Jobs waiting to run (new or to retry)', [
    'queue',
  ]);
  const oldestAge = gauge(
    'ordo_job_queue_oldest_age_seconds',
    'Age of the oldest job that is due to run and waiting (0: none)',
    ['queue'],
  );
  const jobsRetrying = gauge('ordo_jobs_retrying', 'Jobs that failed and will be retried', [
    'queue',
  ]);
  const jobsDead = gauge(
    'ordo_jobs_dead',
    'Jobs that failed every attempt (retry them at /api/v1/admin/jobs)',
    ['queue'],
  );
  const emailFailures = gauge(
    'ordo_email_failures',
    'Emails whose sending failed: retrying (will be tried again) or dead (gave up)',
    ['state'],
  );

  async function collect(): Promise<void> {
    const [orderRows, paymentRows, refundRows, jobRows] = await Promise.all([
      reads.orders(),
      reads.payments(),
      reads.refunds(),
      readQueueCounts(db),
    ]);

    for (const metric of all) metric.reset();
    up.set(1);
    for (const status of ORDER_STATUSES) ordersByStatus.set({ status }, 0);
    for (const metric of [ordersPlaced, ordersPaid, ordersCancelled, ordersExpired]) metric.inc(0);
    for (const row of orderRows) {
      ordersByStatus.inc({ status: row.status }, row.n);
      ordersPlaced.inc(row.n);
      if (row.everPaid) ordersPaid.inc(row.n);
      if (row.status === 'cancelled') ordersCancelled.inc(row.n);
      if (row.status === 'expired') ordersExpired.inc(row.n);
    }

    payments.inc({ outcome: 'succeeded', reason: '' }, 0);
    paymentsProcessing.set(0);
    for (const row of paymentRows) {
      if (row.status === 'processing') paymentsProcessing.inc(row.n);
      else if (row.status === 'failed') {
        const reason = row.reason ?? 'declined';
        const outcome = NOT_DECLINED.includes(reason) ? 'failed' : 'declined';
        payments.inc({ outcome, reason }, row.n);
      } else payments.inc({ outcome: 'succeeded', reason: '' }, row.n);
    }

    refunds.inc({ status: 'succeeded' }, 0);
    refunds.inc({ status: 'failed' }, 0);
    refundsPending.set(0);
    refunded.inc(0);
    for (const row of refundRows) {
      if (row.status === 'pending') refundsPending.set(row.n);
      else refunds.inc({ status: row.status }, row.n);
      if (row.status === 'succeeded') refunded.inc(row.amount);
    }

    emailFailures.set({ state: 'retrying' }, 0);
    emailFailures.set({ state: 'dead' }, 0);
    for (const row of jobRows) {
      const queue = { queue: row.queue };
      queueDepth.set(queue, row.waiting);
      oldestAge.set(queue, row.oldest);
      jobsRetrying.set(queue, row.retrying);
      jobsDead.set(queue, row.dead);
      if (row.queue.endsWith('-email')) {
        emailFailures.inc({ state: 'retrying' }, row.retrying);
        emailFailures.inc({ state: 'dead' }, row.dead);
      }
    }
  }

  // Scrapes that arrive together share one collection: the metrics are reset and refilled.
  let running: Promise<string> | undefined;
  const render = async (): Promise<string> => {
    try {
      await collect();
      return await registry.metrics();
    } catch (error) {
      logger.warn({ err: error }, 'business metrics could not be read');
      for (const metric of all) metric.reset();
      up.set(0);
      return registry.getSingleMetricAsString('ordo_database_metrics_up');
    }
  };
  return {
    contentType: registry.contentType,
    render: () => (running ??= render().finally(() => (running = undefined))),
  };
}
