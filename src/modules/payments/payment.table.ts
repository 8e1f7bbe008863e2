import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
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

export const refundStatuses = ['pending', 'succeeded', 'failed'] as const;
export type RefundStatus = (typeof refundStatuses)[number];

/**
 * A refund, written (`pending`, its amount reserved on the payment) before the provider is
 * asked, so a crash at any point leaves a row that says what is owed. `requestKey` names its
 * cause (`cancel`, `late`, or `staff:<Idempotency-Key>`): one row per payment and cause, so
 * a retry never reserves twice. The provider's idempotency key is derived from the row id.
 */
export const refunds = pgTable(
  'refunds',
  {
    id: id(),
    paymentId: text('payment_id')
      .notNull()
      .references(() => payments.id),
    orderId: text('order_id').notNull(),
    requestKey: text('request_key').notNull(),
    status: text('status', { enum: refundStatuses }).notNull(),
    /** The provider's refund id, once it has answered. */
    providerRefundId: text('provider_refund_id'),
    amount: money('amount').notNull(),
    reason: text('reason'),
    /**
     * Goods back to stock when the refund succeeds: every unit the order still holds when
     * `restockLines` is empty (rows written before lines were chosen), or else those units.
     */
    restock: boolean('restock').notNull().default(false),
    /**
     * The units staff chose to put back, by variant (rows written before variants name only
     * the product, whose one variant they mean): reserved against the order's lines while the
     * refund is pending, restocked when it succeeds.
     */
    restockLines: jsonb('restock_lines')
      .$type<{ productId: string; variantId?: string; quantity: number }[]>()
      .notNull()
      .default([]),
    /** Who asked for it (history says so when it is recorded); null for Ordo itself. */
    actorId: text('actor_id'),
    actorRole: text('actor_role'),
    failureCode: text('failure_code'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('refunds_provider_id_key').on(t.providerRefundId),
    uniqueIndex('refunds_request_key').on(t.paymentId, t.requestKey),
    index('refunds_order_idx').on(t.orderId),
    index('refunds_pending_idx')
      .on(t.updatedAt)
      .where(sql`${t.status} = 'pending'`),
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
