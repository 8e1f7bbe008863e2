import { index, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { at, createdAt, id } from '../../db/columns.js';

export const emailKinds = [
  'verification',
  'password-reset',
  'order-confirmation',
  'payment-receipt',
  'order-shipped',
  'tracking-updated',
  'order-delivered',
  'order-cancelled',
  'order-refunded',
] as const;
export type EmailKind = (typeof emailKinds)[number];

/**
 * Every email Ordo has sent (or, on the embedded default, captured). The Message-ID is
 * derived from the cause (kind and the id of what caused it), so it is unique here: a job
 * that runs twice finds its message already sent and does not send it again.
 */
export const emails = pgTable(
  'emails',
  {
    id: id(),
    messageId: text('message_id').notNull(),
    kind: text('kind', { enum: emailKinds }).notNull(),
    to: text('to').notNull(),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    html: text('html').notNull(),
    orderId: text('order_id'),
    userId: text('user_id'),
    /** `smtp` when handed to the SMTP server, `captured` when kept locally (no SMTP_URL). */
    transport: text('transport', { enum: ['smtp', 'captured'] }).notNull(),
    sentAt: at('sent_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('emails_message_id_key').on(t.messageId),
    index('emails_order_idx').on(t.orderId),
    index('emails_user_idx').on(t.userId),
    index('emails_sent_at_idx').on(t.sentAt),
  ],
);
