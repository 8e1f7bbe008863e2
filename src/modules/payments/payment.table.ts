import { sql } from 'drizzle-orm';
import { check, index, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, id, money, updatedAt } from '../../db/columns.js';

export const paymentRecordStatuses = [
  'processing',
  'succeeded',
  'failed',
  'refunded',
  'partially_refunded',
] as const;
export type PaymentRecordStatus = (typeof paymentRecordStatuses)[number];

/** One attempt to pay an order, mirrored from the provider's payment intent. */
export const payments = pgTable(
  'payments',
  {
    id: id(),
    orderId: text('order_id').notNull(),
    provider: text('provider').notNull(),
    /** The provider's id (a payment intent): unique, how webhooks find the payment. Null until created. */
    providerPaymentId: text('provider_payment_id'),
    status: text('status', { enum: paymentRecordStatuses }).notNull(),
    amount: money('amount').notNull(),
    refundedAmount: money('refunded_amount').notNull().default(0),
    currency: text('currency').notNull(),
    failureCode: text('failure_code'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('payments_provider_id_key').on(t.provider, t.providerPaymentId),
    index('payments_order_idx').on(t.orderId, t.createdAt),
    index('payments_processing_idx')
      .on(t.updatedAt)
      .where(sql`${t.status} = 'processing'`),
    check(
      'payments_refund_check',
      sql`${t.refundedAmount} >= 0 and ${t.refundedAmount} <= ${t.amount}`,
    ),
  ],
);

export const refunds = pgTable(
  'refunds',
  {
    id: id(),
    paymentId: text('payment_id')
      .notNull()
      .references(() => payments.id),
    orderId: text('order_id').notNull(),
    providerRefundId: text('provider_refund_id').notNull(),
    amount: money('amount').notNull(),
    reason: text('reason'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('refunds_provider_id_key').on(t.providerRefundId),
    index('refunds_order_idx').on(t.orderId),
  ],
);

/** Webhook events already handled, by provider and event id: a redelivery is a no-op. */
export const webhookEvents = pgTable(
  'webhook_events',
  {
    provider: text('provider').notNull(),
    eventId: text('event_id').notNull(),
    type: text('type').notNull(),
    receivedAt: createdAt(),
  },
  (t) => [primaryKey({ name: 'webhook_events_pkey', columns: [t.provider, t.eventId] })],
);
